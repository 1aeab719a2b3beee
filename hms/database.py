"""Engine tuning per database and the write-transaction helper the services use."""

import select
import time
from collections.abc import Iterator
from contextlib import contextmanager
from weakref import WeakKeyDictionary

from flask import Flask, request
from sqlalchemy import create_engine, event, exc
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, scoped_session

from hms.extensions import db
from hms.kept_connections import KEPT_SINCE, KeptConnections
from hms.sqlite_writers import WriterQueue

# Execution options: SQLite takes its write lock when the transaction begins (WRITE_OPTION),
# or no transaction is begun at all, each statement reading on its own (READ_OPTION).
WRITE_OPTION = "hms_write"
READ_OPTION = "hms_read"


# A pooled server connection unused for longer than this is pinged before it is lent out.
IDLE_PING_SECONDS = 10.0
IDLE_SINCE = "hms_idle_since"


def check_on_checkout(engine: Engine, idle_seconds: float = IDLE_PING_SECONDS) -> None:
    """Make sure a pooled server connection is alive before it is lent out, without a round
    trip on every request (SQLAlchemy's pool_pre_ping pays one each time).

    A connection is pinged only when in doubt: the server has sent something while it sat
    in the pool (a restarting or terminated backend says goodbye and closes the socket), or
    it sat there longer than `idle_seconds` (a firewall may have dropped it silently). A
    failed ping discards it and the pool connects afresh, so the request never sees it.
    """
    ping_error = engine.dialect.loaded_dbapi.Error

    @event.listens_for(engine.pool, "checkin")
    def _idle_from_now(_dbapi_connection, record):
        if record is not None:  # idle from now, or from when reading() last used it
            record.info[IDLE_SINCE] = record.info.pop(KEPT_SINCE, None) or time.monotonic()

    @event.listens_for(engine.pool, "checkout")
    def _check_alive(dbapi_connection, record, _proxy):
        idle_since = record.info.get(IDLE_SINCE)
        if idle_since is None:
            return  # just connected
        if time.monotonic() - idle_since <= idle_seconds and not _has_input(dbapi_connection):
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except ping_error as error:
            raise exc.DisconnectionError("the pooled connection failed its ping") from error


def _in_doubt(connection: Connection, kept_since: float) -> bool:
    """Whether a server connection kept by reading() should pass the pool's checks again."""
    idle = time.monotonic() - kept_since > IDLE_PING_SECONDS
    return idle or _has_input(connection.connection.dbapi_connection)


def _has_input(dbapi_connection) -> bool:
    """Whether the server sent anything to an idle connection (or the driver cannot tell)."""
    fileno = getattr(dbapi_connection, "fileno", None)
    if fileno is None:
        return True
    try:
        readable, _, _ = select.select([fileno()], [], [], 0)
    except (OSError, ValueError):
        return True  # closed socket: let the ping find out
    return bool(readable)


def configure_engine(engine: Engine, options: dict | None = None) -> None:
    """Apply the per-connection settings HMS relies on (SQLite: WAL, foreign keys; a
    server: connections checked as they leave the pool) and add the pool reading() lends
    from, made with the engine's `options` (SQLALCHEMY_ENGINE_OPTIONS)."""
    if engine.dialect.name != "sqlite":
        check_on_checkout(engine)
        check_on_checkout(_add_reader(engine, options or {}))
        return
    event.listen(engine, "connect", _sqlite_settings)
    database = engine.url.database
    if not database or database == ":memory:":
        _add_begin_hook(engine, queue=None)
        return  # a database of one connection: another pool would open another database
    event.listen(_add_reader(engine, options or {}), "connect", _sqlite_settings)
    _add_begin_hook(engine, WriterQueue(database))

    @event.listens_for(engine.pool, "checkin")
    def _on_checkin(_dbapi_connection, record):
        # A connection going back to the pool mid-transaction is rolled back there.
        if record is not None:
            WriterQueue.leave(record.info)


def _sqlite_settings(dbapi_connection, _record) -> None:
    """A new SQLite connection: SQLAlchemy emits BEGIN itself (the begin hook), so that
    savepoints and BEGIN IMMEDIATE work; WAL, foreign keys, and a wait for the write lock."""
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # Wait for the write lock well inside gunicorn's 30 s worker timeout.
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _add_begin_hook(engine: Engine, queue: WriterQueue | None) -> None:
    """Begin SQLite transactions as HMS needs: writers IMMEDIATE (queued), readers in
    read_only() mode not at all."""

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        options = connection.get_execution_options()
        if options.get(READ_OPTION):
            return  # the driver is in autocommit mode: each read stands alone
        # A writer that begins DEFERRED can fail with SQLITE_BUSY when it upgrades its
        # lock under contention; IMMEDIATE queues writers on the busy timeout instead.
        immediate = options.get(WRITE_OPTION)
        if immediate and queue is not None:
            queue.enter(connection)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


# reading() lends connections of a second pool on the same database, whose connections are
# in autocommit mode from the start and carry no hooks: on a server, switching a pooled
# connection to autocommit and back on each loan (as read_only() does) costs more than the
# read it serves; on SQLite, the begin hook alone makes SQLAlchemy dispatch its events on
# every statement (the status lookup took 59 microseconds on the app's pool, 35 on this).
# Each thread keeps the connection it read on last (KeptConnections).
_READERS: "WeakKeyDictionary[Engine, KeptConnections]" = WeakKeyDictionary()

# On PostgreSQL the reading pool's connections plan each statement once, for any values
# (a generic plan), instead of again on every execution. The server's own choice kept
# planning the front desk's counts of the day on every execution, because a bound on a
# timestamp past the column's statistics makes it probe the index while planning: at
# 1,000,000 patients the register dashboard's day statements took 0.85 and 0.36 ms each
# that way, 0.18 and 0.26 ms with one plan. A statement whose best plan depends on its
# values (the doctor's list of one status, whose generic plan took 7.5 ms against
# 0.7 ms) must not be sent through reading().
READER_SETTINGS = "SET plan_cache_mode = force_generic_plan"


def _add_reader(engine: Engine, options: dict) -> Engine:
    reader = create_engine(engine.url, **{**options, "isolation_level": "AUTOCOMMIT"})
    if engine.dialect.name == "postgresql":
        event.listen(reader, "connect", _plan_once)
    server = engine.dialect.name != "sqlite"
    kept = _READERS[engine] = KeptConnections(reader, _in_doubt if server else None)

    @event.listens_for(engine, "engine_disposed")
    def _dispose_reader(_engine):
        kept.close()
        reader.dispose()

    return reader


def _plan_once(dbapi_connection, _record) -> None:
    """A new connection of the PostgreSQL reading pool: one plan per statement."""
    with dbapi_connection.cursor() as cursor:
        cursor.execute(READER_SETTINGS)
    if not dbapi_connection.autocommit:
        dbapi_connection.commit()  # a session setting: it outlives the transaction


def reading_engine(engine: Engine) -> Engine:
    """The engine whose connections reading() lends: the autocommit pool kept beside
    `engine` (closed with it), or `engine` itself for an in-memory SQLite database."""
    kept = _READERS.get(engine)
    return engine if kept is None else kept.engine


@contextmanager
def reading(session: Session) -> Iterator[Connection]:
    """A connection for plain reads, each statement on its own (no BEGIN and ROLLBACK), for
    the hot reads of the busy pages, whose plans do not depend on the values they are given
    (on PostgreSQL they get one plan for all values: see READER_SETTINGS).

    A session in a transaction lends its own connection, so that what it has written
    shows (as does one on an in-memory database, which has that one connection). Otherwise
    (a session reading outside a transaction included) it is the reading pool's connection
    the thread keeps between such blocks (KeptConnections), without the session's
    bookkeeping; a request that has not used db.session yet does not get a session made
    just to ask. The PostgreSQL booking writes on it too: its one statement, which the
    server runs atomically, needs no transaction around it.
    """
    if session is db.session and not session.registry.has():
        engine = db.engine
    else:
        if isinstance(session, scoped_session):
            session = session()
        engine = session.get_bind()
        if in_own_transaction(session) or (
            reading_engine(engine) is engine and session.in_transaction()
        ):
            yield session.connection()
            return
    kept = _READERS.get(engine)
    if kept is not None:
        with kept.lend() as connection:
            yield connection
        return
    with engine.connect() as connection:  # in-memory SQLite: the begin hook skips BEGIN
        connection.execution_options(**{READ_OPTION: True})
        yield connection


def read_only(session: Session) -> bool:
    """Let the session read outside a transaction, each statement on its own: no BEGIN and
    ROLLBACK per request (on a database server, two round trips).

    For work that writes nothing, or that writes only through write_transaction (which
    starts a real transaction). Does nothing when the session is already in a transaction.
    Returns whether the session's statements now run each on its own.
    """
    if isinstance(session, scoped_session):
        session = session()
    if session.in_transaction():
        return _reads_alone(session)
    if session.get_bind().dialect.name == "sqlite":
        # SQLAlchemy's AUTOCOMMIT would reset the driver's transaction handling that
        # configure_engine set up; the begin hook skips BEGIN for this option instead.
        session.connection(execution_options={READ_OPTION: True})
    else:
        session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    return True


def in_own_transaction(session: Session) -> bool:
    """Whether the session is in a transaction of its own (not reading alone: read_only)."""
    if isinstance(session, scoped_session):
        session = session()
    return session.in_transaction() and not _reads_alone(session)


def writes_alone(session: Session) -> bool:
    """Whether a write of one statement may run alone on the connection reading() lends: on
    a database server, which makes one statement atomic by itself, for a session not in a
    transaction of its own (whose writes must stay in it)."""
    return session.get_bind().dialect.name == "postgresql" and not in_own_transaction(session)


def _reads_alone(session: Session) -> bool:
    """Whether the session is in read_only mode (each statement on its own)."""
    if not session.in_transaction():
        return False
    options = session.connection().get_execution_options()
    return bool(options.get(READ_OPTION)) or options.get("isolation_level") == "AUTOCOMMIT"


READS_ONLY = "hms_reads_only"


def reads_only(view):
    """Mark a view that writes nothing, or only through write_transaction: its request reads
    outside a transaction from its first statement on (the signed-in user's included)."""
    setattr(view, READS_ONLY, True)
    return view


def init_read_only_views(app: Flask, session: scoped_session) -> None:
    """Put the session of a request to a view marked with reads_only in read_only mode
    before anything reads; registered ahead of the hooks that load the user."""

    @app.before_request
    def _read_outside_transaction():
        if getattr(app.view_functions.get(request.endpoint), READS_ONLY, False):
            read_only(session)


def begin_write(session: Session, *, expire: bool = True) -> None:
    """Start the session's transaction as a writer.

    Ends a read-only transaction the request may already have opened, so that on SQLite
    the write lock is taken before the first read of the transaction that writes.
    """
    if isinstance(session, scoped_session):
        session = session()
    if session.in_transaction():
        if session.new or session.dirty or session.deleted:
            raise RuntimeError("begin_write() called with unsaved changes in the session")
        _commit(session, expire)
    session.connection(execution_options={WRITE_OPTION: True})


@contextmanager
def write_transaction(
    session: Session, *, expire: bool = True, read_after: bool = True
) -> Iterator[Session]:
    """Run the block as one writing transaction: commit at the end, roll back on any error.

    A session that was reading outside a transaction (read_only) goes back to it after the
    commit, unless read_after=False says the caller reads nothing more (that costs another
    connection from the pool). expire=False keeps what the session has loaded as it is (the
    signed-in user, say), for a block that only appends rows, such as an audit entry:
    nothing it loaded can have changed by it, and reading it all again would cost a round
    trip per object.
    """
    if isinstance(session, scoped_session):
        session = session()
    reading_alone = _reads_alone(session)
    begin_write(session, expire=expire)
    info = session.connection().info  # the pooled connection's, where WriterQueue keeps its turn
    try:
        yield session
        _commit(session, expire)
    except BaseException:
        session.rollback()
        raise
    finally:
        WriterQueue.leave(info)
    if reading_alone and read_after:
        read_only(session)


def _commit(session: Session, expire: bool) -> None:
    """Commit, expiring what the session loaded only if `expire` (and the session does)."""
    expire_on_commit = session.expire_on_commit
    session.expire_on_commit = expire and expire_on_commit
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire_on_commit
