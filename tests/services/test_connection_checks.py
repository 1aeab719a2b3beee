"""Pooled connections are checked only when in doubt: a connection in steady use is lent
without a ping (a round trip per request), one that sat idle for long or that the server
ended is pinged first, and a dead one is replaced before the request sees it."""

import time

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from hms.database import check_on_checkout, configure_engine, reading, reading_engine


@pytest.fixture
def make_engine(database_url):
    """Engines on the run's database with a pool of one connection, so that every
    checkout lends the same connection again."""
    made = []

    def make(**check):
        engine = sa.create_engine(database_url, pool_size=1, max_overflow=0)
        if check:
            check_on_checkout(engine, **check)
        else:
            configure_engine(engine)  # as the app sets it up
        made.append(engine)
        return engine

    yield make
    for engine in made:
        engine.dispose()


class Pings(list):
    """The pings sent to the database through the engines it watches."""

    def __init__(self, monkeypatch):
        super().__init__()
        self.monkeypatch = monkeypatch

    def watch(self, engine):
        real = engine.dialect.do_ping

        def do_ping(dbapi_connection):
            self.append(dbapi_connection)
            return real(dbapi_connection)

        self.monkeypatch.setattr(engine.dialect, "do_ping", do_ping)


def end_on_the_server(database_url: str, backend: int) -> None:
    """Have PostgreSQL terminate the backend `backend`, as a restart or an admin would."""
    admin = sa.create_engine(database_url, poolclass=sa.pool.NullPool)
    with admin.connect() as other:
        assert other.scalar(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": backend})
    admin.dispose()
    time.sleep(0.2)  # the server's goodbye reaches the socket


@pytest.fixture
def pings(monkeypatch):
    return Pings(monkeypatch)


def test_a_connection_in_steady_use_is_lent_without_a_ping(make_engine, pings):
    engine = make_engine()
    pings.watch(engine)
    for _ in range(5):
        with engine.connect() as conn:
            assert conn.scalar(sa.text("SELECT 1")) == 1
    assert pings == []


def test_a_server_connection_idle_for_long_is_pinged_before_use(make_engine, pings):
    engine = make_engine(idle_seconds=0.05)
    pings.watch(engine)
    with engine.connect() as conn:
        conn.scalar(sa.text("SELECT 1"))
    with engine.connect() as conn:  # used a moment ago
        conn.scalar(sa.text("SELECT 1"))
    # The embedded SQLite driver cannot tell whether anything arrived: it always pings.
    assert len(pings) == (1 if engine.dialect.name == "sqlite" else 0)
    time.sleep(0.1)
    with engine.connect() as conn:
        assert conn.scalar(sa.text("SELECT 1")) == 1
    assert len(pings) == (2 if engine.dialect.name == "sqlite" else 1)


def test_a_connection_the_server_ended_is_replaced_before_use(make_engine, pings, database_url):
    engine = make_engine(idle_seconds=60)
    pings.watch(engine)
    postgresql = engine.dialect.name == "postgresql"
    with engine.connect() as conn:
        backend = conn.scalar(sa.text("SELECT pg_backend_pid()" if postgresql else "SELECT 1"))
        raw = conn.connection.dbapi_connection
    if postgresql:
        end_on_the_server(database_url, backend)
    else:
        raw.close()  # the closest an embedded database comes to a dropped connection
    with engine.connect() as conn:
        assert conn.scalar(sa.text("SELECT 1")) == 1  # no error reaches the caller
        assert conn.connection.dbapi_connection is not raw
    assert len(pings) == 1


def transaction_open(session) -> bool:
    """Whether the database itself holds a transaction open on the session's connection."""
    raw = session.connection().connection.dbapi_connection
    if session.get_bind().dialect.name == "sqlite":
        return raw.in_transaction
    return raw.info.transaction_status != raw.info.transaction_status.IDLE


def test_reads_outside_a_transaction_then_a_write_that_is_all_or_nothing(app_ctx):
    from hms.database import read_only, write_transaction
    from hms.extensions import db
    from hms.models import Department

    session = db.session
    read_only(session)
    assert session.scalar(sa.select(sa.func.count()).select_from(Department)) == 0
    assert not transaction_open(session)  # the read ran without BEGIN
    with pytest.raises(RuntimeError), write_transaction(session):
        session.add(Department(name="Oncology", beds=2))
        session.flush()
        assert transaction_open(session)
        session.add(Department(name="Radiology", beds=1))
        session.flush()
        raise RuntimeError("the second step failed")
    assert session.scalar(sa.select(sa.func.count()).select_from(Department)) == 0
    session.rollback()
    with write_transaction(session):
        session.add(Department(name="Oncology", beds=2))
    assert session.scalars(sa.select(Department.name)).all() == ["Oncology"]


def test_reads_come_from_an_autocommit_pool_of_their_own_closed_with_the_engine(
    database_url,
):
    engine = sa.create_engine(database_url)
    configure_engine(engine, {"pool_size": 1, "max_overflow": 0})
    reader = reading_engine(engine)
    try:
        assert reader is not engine and reader.url == engine.url
        assert reader.pool.size() == 1  # made with the app's engine options
        with reader.connect() as conn:
            driver = conn.connection.dbapi_connection
            if engine.dialect.name == "sqlite":
                assert driver.isolation_level is None  # the driver begins nothing
                assert conn.scalar(sa.text("PRAGMA busy_timeout")) == 15000
            else:
                assert driver.autocommit is True
                # One plan per statement for every value it is given (see READER_SETTINGS).
                assert conn.scalar(sa.text("SHOW plan_cache_mode")) == "force_generic_plan"
            assert conn.scalar(sa.text("SELECT 1")) == 1
            assert not conn.engine.dispatch.begin  # no hook on its statements
        if engine.dialect.name == "postgresql":
            with engine.connect() as conn:  # the app's own pool plans as the server chooses
                assert conn.scalar(sa.text("SHOW plan_cache_mode")) == "auto"
        pool = reader.pool
        assert pool.checkedin() == 1
        engine.dispose()
        assert reader.pool is not pool and pool.checkedin() == 0
    finally:
        engine.dispose()


def test_an_in_memory_database_reads_on_its_one_connection_without_a_transaction():
    engine = sa.create_engine("sqlite://")  # a second pool would open a second database
    configure_engine(engine)
    sent = []
    event.listen(engine, "before_cursor_execute", lambda *args: sent.append(args[2]))
    try:
        assert reading_engine(engine) is engine
        with Session(engine) as session, reading(session) as conn:
            assert conn.scalar(sa.text("SELECT 1")) == 1
        assert sent == ["SELECT 1"]  # no BEGIN
    finally:
        engine.dispose()
