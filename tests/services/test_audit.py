"""write_event: a page that only reads writes its audit entry at once, on its own."""

from datetime import timedelta

import sqlalchemy as sa

from hms.database import in_own_transaction, read_only, reading
from hms.extensions import db
from hms.models import AuditEvent, Patient, User
from hms.models.base import utcnow
from hms.services.audit import INSERT_EVENT, event_columns, write_event
from tests import factories


def _events(app) -> list[AuditEvent]:
    """The audit events as another session reads them (what is committed)."""
    with app.app_context():
        events = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)).all()
        db.session.expunge_all()
        return events


def test_an_event_is_written_at_once_and_the_session_goes_on_reading_alone(app, hospital):
    with app.test_request_context():
        user = factories.make_user(db.session, "desk", "register", "Ravi Register")
        patient = Patient(
            patient_number="20260101001",
            full_name="Asha Verma",
            name_key="asha verma",
            phone="+919700000001",
        )
        db.session.add(patient)
        db.session.commit()
        patient_id, user_id = patient.id, user.id
        db.session.remove()
        read_only(db.session)
        user = db.session.get(User, user_id)  # loaded as a read-only view loads it
        write_event(
            db.session,
            "patient_viewed",
            user=user,
            record_type="patient",
            record_id=20260101001,
            patient_id=patient_id,
            client_ip="203.0.113.9",
            details="x" * 600,
        )
        # Written before the request ends, and the session still reads outside a
        # transaction, with what it loaded as it was.
        (event,) = _events(app)
        assert not in_own_transaction(db.session)
        assert user.username == "desk"
        db.session.remove()
    assert (event.action, event.user_id, event.username) == ("patient_viewed", user_id, "desk")
    assert (event.record_type, event.record_id) == ("patient", "20260101001")
    assert (event.patient_id, event.client_ip) == (patient_id, "203.0.113.9")
    assert event.details == "x" * 500
    assert abs(event.at - utcnow()) < timedelta(minutes=1)


def test_a_session_in_a_transaction_of_its_own_writes_the_event_in_a_writing_one(app, hospital):
    with app.app_context():
        user = factories.make_user(db.session, "desk", "register", "Ravi Register")
        db.session.commit()
        db.session.get(User, user.id)  # the session is in a (reading) transaction again
        assert in_own_transaction(db.session)
        write_event(db.session, "patient_search", user=user, details="'asha': 1")
        db.session.rollback()  # nothing left to undo: the event was committed
        db.session.remove()
    (event,) = _events(app)
    assert (event.action, event.username, event.details) == ("patient_search", "desk", "'asha': 1")


def test_an_event_that_cannot_be_written_raises_and_leaves_nothing(app, hospital):
    with app.test_request_context():
        read_only(db.session)
        try:
            write_event(db.session, "patient_viewed", patient_id=2**31 - 1)
        except sa.exc.DBAPIError:
            pass
        else:
            raise AssertionError("an event naming no patient was written")
        db.session.remove()
    assert _events(app) == []


def _flush_lags(connection) -> bool:
    """Whether the database server's WAL is written further than it is flushed to disk."""
    return connection.exec_driver_sql(
        "SELECT pg_current_wal_flush_lsn() < pg_current_wal_insert_lsn()"
    ).scalar()


def test_a_view_entry_does_not_wait_for_the_disk_on_postgresql(app, hospital):
    """On PostgreSQL a read page's entry commits asynchronously (the WAL writer flushes it
    a moment later) and a change's entry, with the change, waits for its flush; SQLite
    never waits for the disk at commit (WAL with synchronous=NORMAL)."""
    with app.test_request_context():
        user = factories.make_user(db.session, "desk", "register", "Ravi Register")
        db.session.commit()
        if db.engine.dialect.name == "sqlite":
            assert db.session.execute(sa.text("PRAGMA synchronous")).scalar() == 1  # NORMAL
            assert db.session.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
            db.session.remove()
            return
        user_id = user.id
        db.session.remove()
        read_only(db.session)
        user = db.session.get(User, user_id)
        # Ten entries in quick succession: the WAL writer flushes at most every 200 ms, so
        # an asynchronous commit is still unflushed when the next statement asks.
        viewed, changed = [], []
        for number in range(10):
            write_event(db.session, "patient_search", user=user, details=str(number))
            with reading(db.session) as connection:
                viewed.append(_flush_lags(connection))
        with db.engine.connect() as connection:
            for number in range(10):
                connection.execute(INSERT_EVENT, event_columns("login", username=str(number)))
                connection.commit()
                changed.append(_flush_lags(connection))
        db.session.remove()
    assert sum(viewed) >= 5, viewed
    assert sum(changed) <= 5, changed
    events = _events(app)
    assert [event.details for event in events[:10]] == [str(number) for number in range(10)]
    assert len({event.at for event in events[:10]}) == 10  # each stamped when written
