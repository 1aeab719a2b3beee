"""SQLite's WAL is checkpointed on a thread of its own (Checkpointer), not in the commit of
a request: the writers' connections have SQLite's own checkpoints turned off."""

import os
import time

import sqlalchemy as sa
from sqlalchemy.orm import Session

from hms import sqlite_writers
from hms.database import configure_engine, write_transaction
from hms.models import Base, Department
from hms.sqlite_writers import Checkpointer, WriterQueue


def wal_frames(path) -> int:
    """The frames in an SQLite WAL file (a 32-byte header, then frames of a 24-byte header
    and a page)."""
    size = os.path.getsize(f"{path}-wal")
    return max(size - 32, 0) // (24 + 4096)


def test_a_thread_checkpoints_what_the_writers_commit(tmp_path, monkeypatch):
    monkeypatch.setattr(sqlite_writers, "CHECKPOINT_DELAY", 5.0)  # none during the writes
    path = tmp_path / "hms.sqlite"
    engine = sa.create_engine(f"sqlite:///{path}")
    configure_engine(engine)
    Base.metadata.create_all(engine)
    try:
        with Session(engine) as session:
            # Enough pages for SQLite's own checkpoint (at 1,000 frames) to have run, had
            # the writers' connection kept it.
            for number in range(1200):
                with write_transaction(session):
                    session.add(Department(name=f"Ward {number}", beds=1))
            setting = session.connection().exec_driver_sql("PRAGMA wal_autocheckpoint")
            assert setting.scalar() == 0
        # SQLite's own checkpoint would have started the WAL again at 1,000 frames.
        assert wal_frames(path) > 2000

        checkpointer = Checkpointer.of(str(path))
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            last = checkpointer.last
            if last is not None and last[1] > 0 and last[1] == last[2]:
                break
            time.sleep(0.05)
        assert checkpointer.last is not None
        busy, frames, copied = checkpointer.last
        assert busy == 0 and frames == copied > 0  # the whole WAL is in the database file

        # The next writer starts the WAL again from its beginning, as after any checkpoint.
        with Session(engine) as session, write_transaction(session):
            session.add(Department(name="Radiology", beds=1))
        with Session(engine) as session:
            assert session.scalar(sa.select(sa.func.count()).select_from(Department)) == 1201
    finally:
        engine.dispose()


def test_each_process_and_file_has_its_own_checkpointer(tmp_path, monkeypatch):
    first = Checkpointer.of(str(tmp_path / "a.sqlite"))
    assert Checkpointer.of(str(tmp_path / "a.sqlite")) is first
    assert Checkpointer.of(str(tmp_path / "b.sqlite")) is not first
    monkeypatch.setattr(os, "getpid", lambda: -1)  # as in a forked worker
    assert Checkpointer.of(str(tmp_path / "a.sqlite")) is not first


def test_connections_that_do_not_queue_keep_sqlite_checkpoints(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'cli.sqlite'}")
    configure_engine(engine)
    try:
        with engine.connect() as connection:  # as the CLI and migrations write
            assert connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 1000
    finally:
        engine.dispose()


def test_a_writer_queue_asks_for_its_process_checkpointer_again_after_a_fork(tmp_path, monkeypatch):
    queue = WriterQueue(str(tmp_path / "q.sqlite"))
    first = queue.checkpointer()
    assert queue.checkpointer() is first is Checkpointer.of(str(tmp_path / "q.sqlite"))
    monkeypatch.setattr(os, "getpid", lambda: -2)  # as in a forked worker
    assert queue.checkpointer() is not first
