"""The appointment state machine: the only place a status changes."""

from sqlalchemy.orm import Session

from hms.database import write_transaction
from hms.models import Appointment, User
from hms.models.base import utcnow
from hms.services.audit import record_event

# pending --> confirmed --> completed; pending or confirmed --> canceled.
ALLOWED_MOVES = {
    "pending": {"confirmed", "canceled"},
    "confirmed": {"completed", "canceled"},
    "completed": set(),
    "canceled": set(),
}


class MoveRefused(ValueError):
    """The move is not allowed from the appointment's current status."""


class NotYourAppointment(PermissionError):
    """Only the appointment's own doctor may move it."""


def move_appointment(
    session: Session,
    appointment_id: int,
    new_status: str,
    *,
    by: User,
    doctor_id: int | None,
    reason: str = "",
    client_ip: str = "",
) -> Appointment:
    """Move the appointment to `new_status` if the state machine allows it.

    `doctor_id` is the acting doctor's id; None means an admin acting through the console.
    A refused move changes nothing. Every move is audited.
    """
    with write_transaction(session):
        appointment = session.get(Appointment, appointment_id, with_for_update=True)
        if appointment is None or (doctor_id is not None and appointment.doctor_id != doctor_id):
            raise NotYourAppointment("There is no such appointment in your list.")
        if new_status not in ALLOWED_MOVES.get(appointment.status, set()):
            raise MoveRefused(
                f"This appointment is {appointment.status}; it cannot be marked {new_status}."
            )
        old = appointment.status
        appointment.status = new_status
        appointment.status_changed_at = utcnow()
        if new_status == "canceled":
            appointment.cancel_reason = " ".join(reason.split())[:300]
        record_event(
            session,
            f"appointment_{new_status}",
            user=by,
            record_type="appointment",
            record_id=appointment.id,
            patient_id=appointment.patient_id,
            client_ip=client_ip,
            details=f"{old} -> {new_status}",
        )
    return appointment
