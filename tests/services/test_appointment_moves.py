"""The appointment state machine: all sixteen from -> to pairs, who may move, and what a
cancellation gives back to the public site."""

import pytest
import sqlalchemy as sa

from hms.models import APPOINTMENT_STATUSES, Appointment, AuditEvent, Doctor
from hms.services.appointments import MoveRefused, NotYourAppointment, move_appointment
from tests.doctor.builders import make_appointment
from tests.helpers import booking_form

ALLOWED = {
    ("pending", "confirmed"),
    ("pending", "canceled"),
    ("confirmed", "completed"),
    ("confirmed", "canceled"),
}
PAIRS = [(before, after) for before in APPOINTMENT_STATUSES for after in APPOINTMENT_STATUSES]


def doctor_user(session, doctor_id):
    """The staff account of an enrolled doctor."""
    return session.get(Doctor, doctor_id).user


def test_sixteen_pairs_cover_every_status():
    assert len(PAIRS) == 16 and set(PAIRS) > ALLOWED


@pytest.mark.parametrize(("before", "after"), PAIRS, ids=[f"{a}->{b}" for a, b in PAIRS])
def test_move_changes_only_what_the_state_machine_allows(
    session, hospital, tomorrow, before, after
):
    house = hospital.doctors["house"]
    appointment_id = make_appointment(session, house, tomorrow, status=before).id
    session.commit()

    if (before, after) in ALLOWED:
        moved = move_appointment(
            session, appointment_id, after, by=doctor_user(session, house), doctor_id=house
        )
        assert (moved.status, moved.status_changed_at is not None) == (after, True)
        event = session.scalar(sa.select(AuditEvent))
        assert (event.action, event.details) == (f"appointment_{after}", f"{before} -> {after}")
    else:
        with pytest.raises(MoveRefused) as refused:
            move_appointment(
                session, appointment_id, after, by=doctor_user(session, house), doctor_id=house
            )
        assert str(refused.value) == f"This appointment is {before}; it cannot be marked {after}."
        session.expire_all()
        unchanged = session.get(Appointment, appointment_id)
        assert (unchanged.status, unchanged.status_changed_at) == (before, None)
        assert session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == 0


def test_only_the_appointments_own_doctor_moves_it(session, hospital, tomorrow):
    appointment_id = make_appointment(session, hospital.doctors["house"], tomorrow).id
    session.commit()
    heart = hospital.doctors["heart"]
    with pytest.raises(NotYourAppointment):
        move_appointment(
            session, appointment_id, "confirmed", by=doctor_user(session, heart), doctor_id=heart
        )
    session.expire_all()
    assert session.get(Appointment, appointment_id).status == "pending"


def test_an_unknown_appointment_is_not_yours(session, hospital):
    house = hospital.doctors["house"]
    with pytest.raises(NotYourAppointment):
        move_appointment(session, 999, "confirmed", by=doctor_user(session, house), doctor_id=house)


def test_cancel_keeps_a_tidy_reason_of_at_most_300_characters(session, hospital, tomorrow):
    house = hospital.doctors["house"]
    appointment_id = make_appointment(session, house, tomorrow).id
    session.commit()
    moved = move_appointment(
        session,
        appointment_id,
        "canceled",
        by=doctor_user(session, house),
        doctor_id=house,
        reason="  Doctor  on\nleave " + "x" * 400,
    )
    assert moved.cancel_reason.startswith("Doctor on leave x") and len(moved.cancel_reason) == 300


def test_a_canceled_appointment_frees_its_slot_on_the_public_site(
    app, client, session, hospital, tomorrow
):
    house = hospital.doctors["house"]
    first = client.post("/appointments", data=booking_form(client, house, tomorrow, time="11:00"))
    assert first.status_code == 303
    taken = client.post("/appointments", data=booking_form(client, house, tomorrow, time="11:00"))
    assert taken.status_code == 409
    assert "11:00" not in client.get(f"/api/doctors/{house}/slots?date={tomorrow}").json

    reference = first.headers["Location"].rsplit("/", 1)[1]
    appointment_id = session.scalar(
        sa.select(Appointment.id).where(Appointment.reference == reference)
    )
    move_appointment(
        session, appointment_id, "canceled", by=doctor_user(session, house), doctor_id=house
    )

    assert "11:00" in client.get(f"/api/doctors/{house}/slots?date={tomorrow}").json
    again = client.post(
        "/appointments", data=booking_form(client, house, tomorrow, time="11:00", name="Ravi Rao")
    )
    assert again.status_code == 303
