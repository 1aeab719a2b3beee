"""reading() lends each thread the reading pool's connection it kept from its last read:
the pool lends it once, a nested or failed read does not keep a second or a broken one, and
a kept server connection in doubt passes the pool's checks again before it is used."""

import threading
import time

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from hms.database import configure_engine, reading, reading_engine
from tests.services.test_connection_checks import Pings, end_on_the_server


@pytest.fixture
def engine(database_url):
    engine = sa.create_engine(database_url)
    configure_engine(engine, {"pool_size": 2, "max_overflow": 0, "pool_timeout": 5})
    yield engine
    engine.dispose()


@pytest.fixture
def checkouts(engine):
    """The connections the reading pool lent."""
    lent = []

    def checkout(dbapi_connection, _record, _proxy):
        lent.append(dbapi_connection)

    event.listen(reading_engine(engine).pool, "checkout", checkout)
    yield lent
    event.remove(reading_engine(engine).pool, "checkout", checkout)


def read(session) -> object:
    """Read once; the driver's connection it was read on."""
    with reading(session) as conn:
        assert conn.scalar(sa.text("SELECT 1")) == 1
        return conn.connection.dbapi_connection


def test_a_thread_reads_again_on_the_connection_it_kept(engine, checkouts):
    with Session(engine) as session:
        used = {read(session) for _ in range(5)}
    assert len(used) == 1 and checkouts == list(used)
    assert reading_engine(engine).pool.checkedout() == 1  # kept for the next read


def test_each_thread_keeps_its_own(engine, checkouts):
    used = {}
    both_read = threading.Barrier(2)

    def reads(name):
        with Session(engine) as session:
            used[name] = {read(session) for _ in range(3)}
        both_read.wait()  # both alive until both have read

    threads = [threading.Thread(target=reads, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(used["a"]) == len(used["b"]) == 1 and used["a"] != used["b"]
    assert len(checkouts) == 2 and reading_engine(engine).pool.checkedout() == 2


def test_the_connections_of_threads_that_ended_go_back_at_the_next_fresh_loan(engine, checkouts):
    both_read = threading.Barrier(2)

    def reads():
        with Session(engine) as session:
            read(session)
        both_read.wait()  # both at once: two threads, two connections, the whole pool

    threads = [threading.Thread(target=reads) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert reading_engine(engine).pool.checkedout() == 2  # kept by threads that ended
    with Session(engine) as session:
        read(session)  # would wait for a free connection had they not gone back
    assert len(checkouts) == 3 and reading_engine(engine).pool.checkedout() == 1


def test_a_nested_read_gets_another_connection_and_one_is_kept(engine, checkouts):
    with Session(engine) as session:
        with reading(session) as outer:
            inner = read(session)
            assert inner is not outer.connection.dbapi_connection
        assert reading_engine(engine).pool.checkedout() == 1
        assert read(session) is inner  # the inner one was kept; the outer went back
    assert len(checkouts) == 2


def test_a_read_that_fails_gives_its_connection_back(engine, checkouts):
    with Session(engine) as session:
        first = read(session)
        with pytest.raises(sa.exc.DBAPIError), reading(session) as conn:
            conn.execute(sa.text("SELECT * FROM no_such_table"))
        assert reading_engine(engine).pool.checkedout() == 0
        assert read(session) is not None
    assert len(checkouts) == 2 and checkouts[0] is first


def test_a_kept_server_connection_idle_for_long_is_pinged_before_use(
    engine, checkouts, monkeypatch
):
    pings = Pings(monkeypatch)
    pings.watch(reading_engine(engine))
    with Session(engine) as session:
        first = read(session)
        later = time.monotonic() + 60
        monkeypatch.setattr(time, "monotonic", lambda: later)
        again = read(session)
    if engine.dialect.name == "sqlite":  # a file: nothing can drop it while kept
        assert again is first and pings == [] and len(checkouts) == 1
    else:  # back to the pool, which pings it (it is alive) and lends it again
        assert again is first and pings == [first] and len(checkouts) == 2


def test_a_kept_connection_the_server_ended_is_replaced_before_use(
    engine, checkouts, monkeypatch, database_url
):
    pings = Pings(monkeypatch)
    pings.watch(reading_engine(engine))
    with Session(engine) as session:
        with reading(session) as conn:
            postgresql = conn.dialect.name == "postgresql"
            pid = conn.scalar(sa.text("SELECT pg_backend_pid()" if postgresql else "SELECT 1"))
            first = conn.connection.dbapi_connection
        if postgresql:
            end_on_the_server(database_url, pid)
        again = read(session)  # no error reaches the caller
    if postgresql:
        assert again is not first and pings == [first] and len(checkouts) == 2
    else:  # an embedded database has no server to end it
        assert again is first and pings == [] and len(checkouts) == 1


def test_disposing_the_engine_closes_the_kept_connections(engine):
    with Session(engine) as session:
        kept = read(session)
    pool = reading_engine(engine).pool
    engine.dispose()
    assert pool.checkedout() == 0 and reading_engine(engine).pool is not pool
    if engine.dialect.name == "postgresql":
        assert kept.closed
    with Session(engine) as session:
        assert read(session) is not kept
