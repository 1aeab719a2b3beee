"""Engine tuning per database and the write-transaction helper the services use."""

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, scoped_session

# Execution option that asks SQLite to take its write lock when the transaction begins.
WRITE_OPTION = "hms_write"


def engine_options(url: str, configured: dict) -> dict:
    """The engine options for a database URL: a server can drop idle connections, so each
    is tested as it leaves the pool; the embedded SQLite file needs no such round trip."""
    if url.startswith("sqlite"):
        return dict(configured)
    return {"pool_pre_ping": True, **configured}


class WriterQueue:
    """Writers of one SQLite file take turns through an flock on a file beside it.

    SQLite itself lets one writer in at a time, but a writer that finds the lock taken
    sleeps and polls (1, 2, 5 … 100 ms), so under load the lock often sits free while
    writers sleep. A blocking flock wakes the next writer the moment the lock is let go.
    SQLite's own lock still guards the data (the CLI and migrations do not queue here);
    this only makes the wait short and fair. Each transaction opens its own descriptor,
    so threads of one process queue too.
    """

    def __init__(self, database: str):
        self.path = f"{database}.writers"

    def enter(self, connection) -> None:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX)
        connection.info[WRITER_FD] = fd

    @staticmethod
    def leave(connection_info: dict) -> None:
        fd = connection_info.pop(WRITER_FD, None)
        if fd is not None:
            os.close(fd)  # closing the descriptor releases its flock


WRITER_FD = "hms_writer_fd"


def configure_engine(engine: Engine) -> None:
    """Apply the per-connection settings HMS relies on (SQLite: WAL, foreign keys)."""
    if engine.dialect.name != "sqlite":
        return
    database = engine.url.database
    queue = WriterQueue(database) if database and database != ":memory:" else None

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy emit BEGIN itself, so savepoints and BEGIN IMMEDIATE work.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        # Wait for the write lock well inside gunicorn's 30 s worker timeout.
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        # A writer that begins DEFERRED can fail with SQLITE_BUSY when it upgrades its
        # lock under contention; IMMEDIATE queues writers on the busy timeout instead.
        immediate = connection.get_execution_options().get(WRITE_OPTION)
        if immediate and queue is not None:
            queue.enter(connection)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    if queue is None:
        return

    @event.listens_for(engine.pool, "checkin")
    def _on_checkin(_dbapi_connection, record):
        # A connection going back to the pool mid-transaction is rolled back there.
        if record is not None:
            WriterQueue.leave(record.info)


def begin_write(session: Session) -> None:
    """Start the session's transaction as a writer.

    Ends a read-only transaction the request may already have opened, so that on SQLite
    the write lock is taken before the first read of the transaction that writes.
    """
    if isinstance(session, scoped_session):
        session = session()
    if session.in_transaction():
        if session.new or session.dirty or session.deleted:
            raise RuntimeError("begin_write() called with unsaved changes in the session")
        session.commit()
    session.connection(execution_options={WRITE_OPTION: True})


@contextmanager
def write_transaction(session: Session) -> Iterator[Session]:
    """Run the block as one writing transaction: commit at the end, roll back on any error."""
    begin_write(session)
    info = session.connection().info  # the pooled connection's, where WriterQueue keeps its turn
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        WriterQueue.leave(info)
