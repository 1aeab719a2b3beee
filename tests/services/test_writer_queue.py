"""SQLite writers take turns through WriterQueue: one at a time, and the turn is given
back however the transaction ends. PostgreSQL writers do not queue (rows lock there)."""

import threading
import time

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from hms.database import write_transaction
from hms.extensions import db
from hms.models import Department
from hms.sqlite_writers import WRITER_FD


@pytest.fixture
def engine(app):
    with app.app_context():
        yield db.engine


def test_the_turn_is_given_back_after_a_commit_and_after_an_error(engine):
    with Session(engine) as first, Session(engine) as second:
        queued = engine.dialect.name == "sqlite"
        with write_transaction(first):
            assert (WRITER_FD in first.connection().info) == queued  # holding the turn
            first.add(Department(name="Oncology", beds=2))
        assert WRITER_FD not in first.connection().info
        with pytest.raises(RuntimeError), write_transaction(first):
            first.add(Department(name="Radiology", beds=1))
            raise RuntimeError("the action failed")
        assert WRITER_FD not in first.connection().info
        # Were the turn still held, this would wait for ever.
        with write_transaction(second):
            second.add(Department(name="Radiology", beds=1))
        names = second.scalars(sa.select(Department.name).order_by(Department.name)).all()
    assert names == ["Oncology", "Radiology"]


def test_a_second_sqlite_writer_waits_for_the_first_to_commit(engine):
    order = []
    first_inside = threading.Event()

    def first_writer():
        with Session(engine) as session, write_transaction(session):
            first_inside.set()
            time.sleep(0.3)
            session.add(Department(name="Oncology", beds=2))
            order.append("first commits")

    thread = threading.Thread(target=first_writer)
    thread.start()
    assert first_inside.wait(5)
    with Session(engine) as session:
        with write_transaction(session):
            order.append("second begins")
            count = session.scalar(sa.select(sa.func.count()).select_from(Department))
        thread.join(5)
    if engine.dialect.name == "sqlite":
        assert order == ["first commits", "second begins"]
        assert count == 1  # it began after the first writer's commit, and saw it
    else:
        assert order == ["second begins", "first commits"]
        assert count == 0
