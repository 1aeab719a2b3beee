"""One appointment as its doctor sees it, and the visit note written on it."""

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload

from hms.database import write_transaction
from hms.models import Appointment, User, VisitNote
from hms.services.appointments import ALLOWED_MOVES
from hms.services.audit import record_event

# The parts of a visit note and the most characters each may hold.
NOTE_FIELDS = {"complaint": 2000, "diagnosis": 2000, "prescription": 4000, "notes": 4000}
# A note records a visit that takes or took place: not a request, not a canceled one.
NOTE_STATUSES = ("confirmed", "completed")


class VisitNotFound(LookupError):
    """No such appointment in this doctor's list."""


class NoteError(ValueError):
    """A part of a note is missing or too long; `field` names the form field."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


class NoteRefused(Exception):
    """The record is in a state that takes no note (a pending visit, a past admission)."""


class NotAuthor(PermissionError):
    """Only a note's author may change it."""


@dataclass(frozen=True)
class VisitSheet:
    """An appointment with its visit note and what its doctor may do next."""

    appointment: Appointment
    note: VisitNote | None

    @property
    def moves(self) -> list[str]:
        """The statuses the state machine allows from here."""
        order = ["confirmed", "completed", "canceled"]
        return [s for s in order if s in ALLOWED_MOVES[self.appointment.status]]

    @property
    def takes_note(self) -> bool:
        """Whether a visit note may be written or changed now."""
        return self.appointment.status in NOTE_STATUSES


def clean_note_text(raw: str | None) -> str:
    """Trim a note and write line breaks as the browser counted them (one character)."""
    return (raw or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def load_visit(session: Session, appointment_id: int, doctor_id: int) -> VisitSheet:
    """The doctor's own appointment with its patient and note; VisitNotFound otherwise."""
    appointment = session.scalar(
        sa.select(Appointment)
        .where(Appointment.id == appointment_id, Appointment.doctor_id == doctor_id)
        .options(joinedload(Appointment.patient))
    )
    if appointment is None:
        raise VisitNotFound(appointment_id)
    note = session.scalar(
        sa.select(VisitNote)
        .where(VisitNote.appointment_id == appointment_id)
        .options(joinedload(VisitNote.author))
    )
    return VisitSheet(appointment=appointment, note=note)


def open_visit(
    session: Session, appointment_id: int, *, doctor_id: int, by: User, client_ip: str = ""
) -> VisitSheet:
    """Audit that the doctor opened the appointment (it shows the visit note); return it."""
    with write_transaction(session):
        sheet = load_visit(session, appointment_id, doctor_id)
        record_event(
            session,
            "appointment_opened",
            user=by,
            record_type="appointment",
            record_id=appointment_id,
            patient_id=sheet.appointment.patient_id,
            client_ip=client_ip,
        )
    return load_visit(session, appointment_id, doctor_id)


def check_note_fields(fields: dict[str, str | None]) -> dict[str, str]:
    """The note's parts cleaned; NoteError if all are empty or one is too long."""
    cleaned = {name: clean_note_text(fields.get(name)) for name in NOTE_FIELDS}
    for name, limit in NOTE_FIELDS.items():
        if len(cleaned[name]) > limit:
            raise NoteError(name, f"Keep this to {limit:,} characters.")
    if not any(cleaned.values()):
        raise NoteError("complaint", "Write at least one part of the note.")
    return cleaned


def save_visit_note(
    session: Session,
    appointment_id: int,
    *,
    doctor_id: int,
    by: User,
    fields: dict[str, str | None],
    client_ip: str = "",
) -> VisitNote:
    """Write the visit note of the doctor's appointment, or change it if `by` wrote it."""
    cleaned = check_note_fields(fields)
    with write_transaction(session):
        # The row lock queues a double submit behind the first, which then finds the note.
        appointment = session.get(Appointment, appointment_id, with_for_update=True)
        if appointment is None or appointment.doctor_id != doctor_id:
            raise VisitNotFound(appointment_id)
        if appointment.status not in NOTE_STATUSES:
            raise NoteRefused(
                f"This appointment is {appointment.status}: write the note once it is confirmed."
            )
        note = session.scalar(
            sa.select(VisitNote).where(VisitNote.appointment_id == appointment_id)
        )
        if note is not None and note.author_id != by.id:
            raise NotAuthor("Only the author of a visit note may change it.")
        if note is None:
            note = VisitNote(appointment_id=appointment_id, author_id=by.id, **cleaned)
            session.add(note)
            changed = [name for name, value in cleaned.items() if value]
            action = "visit_note_created"
        else:
            changed = [name for name, value in cleaned.items() if getattr(note, name) != value]
            for name in changed:
                setattr(note, name, cleaned[name])
            action = "visit_note_updated"
        if changed:
            session.flush()
            record_event(
                session,
                action,
                user=by,
                record_type="visit_note",
                record_id=note.id,
                patient_id=appointment.patient_id,
                client_ip=client_ip,
                details=", ".join(changed),
            )
    return note
