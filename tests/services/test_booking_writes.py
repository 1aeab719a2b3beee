"""What a public booking writes, whichever way the database takes it (SQLite: one writer's
transaction; PostgreSQL: one statement the server runs atomically)."""

from dataclasses import replace
from datetime import time, timedelta

import pytest
import sqlalchemy as sa

from hms.database import write_transaction
from hms.extensions import db
from hms.models import Appointment, Patient, PatientIdCounter
from hms.services import booking
from hms.services.clock import hospital_now
from hms.services.patients import register_patient
from hms.services.scheduling import BookingPolicy

PHONE = "+919876543210"


@pytest.fixture
def book(app_ctx, hospital):
    """Book the `house` doctor tomorrow at a time; return the reference."""
    policy = BookingPolicy.from_config(app_ctx.config)

    def book_at(at: time, name: str = "Asha Verma", email: str = "asha@example.com") -> str:
        now = hospital_now(policy.timezone)
        request = booking.BookingRequest(
            name=name,
            phone=PHONE,
            email=email,
            doctor_id=hospital.doctors["house"],
            day=(now + timedelta(days=1)).date(),
            time=at,
        )
        return booking.book(db.session, request, now, policy)

    return book_at


def stored(reference: str) -> sa.Row | None:
    """The appointment and its patient's ID as another request would read them."""
    db.session.remove()
    return db.session.execute(
        sa.select(Appointment, Patient.patient_number, Patient.full_name)
        .join(Patient)
        .where(Appointment.reference == reference)
    ).first()


def test_a_returning_patient_is_booked_without_their_record_changing(book):
    with write_transaction(db.session):
        patient_id = register_patient(
            db.session, name="Asha Verma", phone=PHONE, day=hospital_now("UTC").date()
        )
    before = db.session.get(Patient, patient_id)
    registered = (before.patient_number, before.full_name, before.created_at)

    references = [book(time(10), name="ASHA  verma"), book(time(11), email="other@example.com")]

    db.session.remove()  # read what was stored, as another request would
    first, second = (
        db.session.scalar(sa.select(Appointment).where(Appointment.reference == reference))
        for reference in references
    )

    assert first.patient_id == second.patient_id == patient_id
    patient = db.session.get(Patient, patient_id)
    assert (patient.patient_number, patient.full_name, patient.created_at) == registered
    # The email they lacked is taken from the first booking and kept after that.
    assert patient.email == "asha@example.com"
    assert (first.contact_email, second.contact_email) == ("asha@example.com", "other@example.com")
    assert (first.status, first.cancel_reason, first.scheduled_time) == ("pending", "", time(10))


def test_a_booking_made_inside_an_open_transaction_is_stored(book, hospital):
    db.session.scalar(sa.select(Patient.id))  # the request has read something already
    reference = book(time(10))

    found = stored(reference)
    assert found is not None and found.full_name == "Asha Verma"


def test_the_thousandth_new_patient_of_a_day_gets_four_digits(book, app_ctx):
    today = hospital_now(app_ctx.config["HMS_TIMEZONE"]).date()
    with write_transaction(db.session):
        db.session.add(PatientIdCounter(day=today, last_number=999))

    first = stored(book(time(10), name="Ravi Kumar"))
    second = stored(book(time(11), name="Meera Kumar"))

    assert first.patient_number == f"{today:%Y%m%d}1000"
    assert second.patient_number == f"{today:%Y%m%d}1001"


def test_a_slot_lost_at_the_last_moment_stores_nothing_and_uses_up_no_patient_id(
    book, app_ctx, monkeypatch
):
    book(time(10), name="Ravi Kumar")
    # As if the other booking landed between the check and the write: the index says no.
    checked = booking.consulting_day
    monkeypatch.setattr(
        booking,
        "consulting_day",
        lambda *args, **kwargs: replace(checked(*args, **kwargs), slot_taken=False),
    )
    with pytest.raises(booking.SlotTaken):
        book(time(10), name="Meera Kumar")

    db.session.remove()
    today = hospital_now(app_ctx.config["HMS_TIMEZONE"]).date()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Patient)) == 1
    assert db.session.get(PatientIdCounter, today).last_number == 1
