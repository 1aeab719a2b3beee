"""An appointment as its doctor handles it: status moves through the state machine, the
reason a patient sees, visit notes and their audit trail."""

from datetime import time

import pytest
import sqlalchemy as sa

from hms.extensions import db
from hms.models import APPOINTMENT_STATUSES, Appointment, AuditEvent, Doctor, VisitNote
from tests.doctor.builders import make_appointment
from tests.doctor.pages import field_errors, form_token
from tests.helpers import sign_in, table_counts

ALLOWED = {
    ("pending", "confirmed"),
    ("pending", "canceled"),
    ("confirmed", "completed"),
    ("confirmed", "canceled"),
}
PAIRS = [(before, after) for before in APPOINTMENT_STATUSES for after in APPOINTMENT_STATUSES]


@pytest.fixture
def visit(app, hospital, tomorrow):
    """Make appointments of Dr. House (each in a slot of its own) in a given status; ids."""
    slots = iter(time(9 + n // 4, n % 4 * 15) for n in range(32))

    def make(status: str = "pending") -> int:
        with app.app_context():
            made = make_appointment(
                db.session, hospital.doctors["house"], tomorrow, next(slots), status=status
            )
            db.session.commit()
            return made.id

    return make


def post_move(client, appointment_id: int, status: str, **extra):
    token = form_token(client)
    data = {"csrf_token": token, "status": status, **extra}
    return client.post(f"/doctor/appointments/{appointment_id}/move", data=data)


@pytest.mark.parametrize(("before", "after"), PAIRS, ids=[f"{a}->{b}" for a, b in PAIRS])
def test_the_move_buttons_follow_the_state_machine(app, doctor, visit, status_of, before, after):
    appointment_id = visit(before)
    before_counts = table_counts(app)
    response = post_move(doctor, appointment_id, after)
    html = response.get_data(as_text=True)

    if (before, after) in ALLOWED:
        assert response.status_code == 303
        assert response.headers["Location"] == f"/doctor/appointments/{appointment_id}"
        assert status_of(appointment_id)[0] == after
    elif after == "pending":  # no button leads back to pending: not even a valid choice
        assert response.status_code == 422
        assert status_of(appointment_id)[0] == before
    else:
        assert response.status_code == 409
        assert f"This appointment is {before}; it cannot be marked {after}." in html
        assert status_of(appointment_id)[0] == before
    if (before, after) not in ALLOWED:
        assert table_counts(app) == before_counts


def test_the_page_offers_only_the_moves_allowed_now(doctor, visit):
    pending = doctor.get(f"/doctor/appointments/{visit('pending')}").get_data(as_text=True)
    assert 'id="move-confirmed"' in pending and 'id="move-canceled"' in pending
    assert 'id="move-completed"' not in pending
    confirmed = doctor.get(f"/doctor/appointments/{visit('confirmed')}").get_data(as_text=True)
    assert 'id="move-completed"' in confirmed and 'id="move-confirmed"' not in confirmed
    done = doctor.get(f"/doctor/appointments/{visit('completed')}").get_data(as_text=True)
    assert "move-" not in done


def test_a_double_click_confirms_once(app, doctor, visit, status_of):
    appointment_id = visit()
    token = form_token(doctor)
    data = {"csrf_token": token, "status": "confirmed"}
    first = doctor.post(f"/doctor/appointments/{appointment_id}/move", data=data)
    assert "Appointment confirmed." in doctor.get(first.headers["Location"]).get_data(as_text=True)
    second = doctor.post(f"/doctor/appointments/{appointment_id}/move", data=data)
    assert (first.status_code, second.status_code) == (303, 409)
    with app.app_context():
        moves = db.session.scalars(
            sa.select(AuditEvent.action).where(AuditEvent.action.like("appointment_c%"))
        ).all()
    assert moves == ["appointment_confirmed"]


def test_confirm_from_the_list_returns_to_the_list(doctor, visit, status_of):
    appointment_id = visit()
    response = post_move(doctor, appointment_id, "confirmed", next="/doctor/?view=pending")
    assert response.status_code == 303 and response.headers["Location"] == "/doctor/?view=pending"
    outside = post_move(doctor, visit("confirmed"), "completed", next="https://evil.example/")
    assert outside.headers["Location"].startswith("/doctor/appointments/")


def test_the_patient_sees_the_reason_for_a_cancellation(doctor, client, visit, status_of):
    appointment_id = visit()
    response = post_move(doctor, appointment_id, "canceled", reason="Doctor <on> leave; rebook")
    assert response.status_code == 303
    assert status_of(appointment_id) == ("canceled", "Doctor <on> leave; rebook")

    lookup = client.post(
        "/status",
        data={
            "name": "Asha Verma",
            "phone": "9876543210",
            "csrf_token": form_token(client, "/status"),
        },
    )
    html = lookup.get_data(as_text=True)
    assert "status-canceled" in html
    assert "Doctor &lt;on&gt; leave; rebook" in html


def test_a_reason_too_long_gets_422_and_changes_nothing(app, doctor, visit, status_of):
    appointment_id = visit()
    before = table_counts(app)
    response = post_move(doctor, appointment_id, "canceled", reason="x" * 301)
    assert response.status_code == 422
    assert field_errors(response.get_data(as_text=True))["reason"] == (
        "Field cannot be longer than 300 characters."
    )
    assert status_of(appointment_id) == ("pending", "")
    assert table_counts(app) == before


NOTE = {"complaint": "Cough\r\nand fever", "diagnosis": "Viral fever", "prescription": "Rest"}


def post_note(client, appointment_id: int, **fields):
    token = form_token(client)
    return client.post(
        f"/doctor/appointments/{appointment_id}/note", data={"csrf_token": token, **fields}
    )


def test_visit_note_is_written_changed_and_audited(app, doctor, visit):
    appointment_id = visit("confirmed")
    assert post_note(doctor, appointment_id, **NOTE).status_code == 303
    changed = post_note(
        doctor, appointment_id, **{**NOTE, "diagnosis": "Influenza", "notes": "Review"}
    )
    assert changed.status_code == 303
    page = doctor.get(f"/doctor/appointments/{appointment_id}").get_data(as_text=True)
    assert "Influenza" in page and "Visit note saved." in page
    with app.app_context():
        note = db.session.scalar(sa.select(VisitNote))
        assert (note.complaint, note.diagnosis, note.notes) == (
            "Cough\nand fever",
            "Influenza",
            "Review",
        )
        events = db.session.execute(
            sa.select(AuditEvent.action, AuditEvent.details, AuditEvent.patient_id)
            .where(AuditEvent.record_type == "visit_note")
            .order_by(AuditEvent.id)
        ).all()
        patient_id = db.session.get(Appointment, appointment_id).patient_id
    assert events == [
        ("visit_note_created", "complaint, diagnosis, prescription", patient_id),
        ("visit_note_updated", "diagnosis, notes", patient_id),
    ]


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({}, "complaint", "Write at least one part of the note."),
        ({"complaint": "   "}, "complaint", "Write at least one part of the note."),
        ({"complaint": "x" * 2001}, "complaint", "Field cannot be longer than 2000 characters."),
        ({"diagnosis": "x" * 2001}, "diagnosis", "Field cannot be longer than 2000 characters."),
        (
            {"prescription": "x" * 4001},
            "prescription",
            "Field cannot be longer than 4000 characters.",
        ),
        ({"notes": "x" * 4001}, "notes", "Field cannot be longer than 4000 characters."),
        ({"notes": "bad \x07 bell"}, "notes", "Remove the special characters from this field."),
    ],
)
def test_bad_notes_get_422_with_a_message_and_store_nothing(
    app, doctor, visit, fields, field, message
):
    appointment_id = visit("confirmed")
    before = table_counts(app)
    response = post_note(doctor, appointment_id, **fields)
    assert response.status_code == 422
    assert field_errors(response.get_data(as_text=True))[field] == message
    assert table_counts(app) == before


def test_line_breaks_count_once_toward_the_limit(doctor, visit):
    lines = "\r\n".join(["x" * 99] * 20)  # 1,999 characters once the breaks are one each
    assert post_note(doctor, visit("confirmed"), complaint=lines).status_code == 303


@pytest.mark.parametrize("status", ["pending", "canceled"])
def test_no_note_on_a_request_or_a_canceled_visit(app, doctor, visit, status):
    appointment_id = visit(status)
    before = table_counts(app)
    response = post_note(doctor, appointment_id, **NOTE)
    assert response.status_code == 409
    assert f"This appointment is {status}" in response.get_data(as_text=True)
    assert table_counts(app) == before


def test_only_the_author_changes_a_note(app, client, staff, hospital, visit):
    appointment_id = visit("confirmed")
    with app.app_context():
        # A note by another doctor (as after a change of doctor through the console).
        author = db.session.get(Doctor, hospital.doctors["heart"]).user_id
        db.session.add(VisitNote(appointment_id=appointment_id, author_id=author, complaint="x"))
        db.session.commit()
    sign_in(client, staff["doctor"])
    page = client.get(f"/doctor/appointments/{appointment_id}").get_data(as_text=True)
    assert "Written by Dr. Hema Heart" in page and 'name="complaint"' not in page
    response = post_note(client, appointment_id, **NOTE)
    assert response.status_code == 403
