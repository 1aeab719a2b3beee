"""Booking an appointment from the public site."""

import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from hms.database import read_only, reading, write_transaction, writes_alone
from hms.driver_read import DriverRead
from hms.models import (
    WEEKDAYS,
    Appointment,
    Doctor,
    Patient,
    ScheduleBlock,
    User,
    holds_slot,
)
from hms.models.base import UTCDateTime, utcnow
from hms.services.catalog import HoursCard
from hms.services.patients import (
    FIND_PATIENT_ID,
    MATCH,
    TOP,
    match_params,
    new_patient_cte,
    new_patient_params,
    register_patient,
)
from hms.services.scheduling import BookingPolicy, slot_grid

# Unambiguous characters (no 0/O, 1/I/L, U): 30 symbols, 12 of them ~ 59 bits.
REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"
REFERENCE_LENGTH = 12
REFERENCE_PATTERN = re.compile(rf"[{REFERENCE_ALPHABET}]{{4}}(-[{REFERENCE_ALPHABET}]{{4}}){{2}}")


class BookingError(ValueError):
    """The request cannot be booked; `field` names the form field at fault."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


class SlotTaken(Exception):
    """Someone else holds that slot already."""


@dataclass(frozen=True)
class BookingRequest:
    """A booking as the public form gives it, phone already canonical."""

    name: str
    phone: str
    email: str
    doctor_id: int
    day: date
    time: time
    reason: str = ""


def new_reference() -> str:
    """A random booking reference such as K7QM-2XPD-9TRB."""
    chars = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))
    return "-".join(chars[i : i + 4] for i in range(0, REFERENCE_LENGTH, 4))


def normalize_reference(raw: str) -> str:
    """Read a reference as typed: any case, surrounding spaces."""
    return raw.strip().upper()


def references_starting(text: str) -> sa.ColumnElement[bool]:
    """Appointments whose reference starts with `text` as typed (the console's search): a
    range of the reference's unique index to seek, and the prefix itself to keep the answer
    exact under any collation; false for nothing typed."""
    key = normalize_reference(text)
    if not key:
        return sa.false()
    return sa.and_(
        Appointment.reference >= key,
        Appointment.reference < key + TOP,
        sa.func.substr(Appointment.reference, 1, len(key)) == key,
    )


@dataclass(frozen=True)
class ConsultingDay:
    """A bookable doctor's hours on one weekday, as the booking reads them before it
    writes, with whether the requested slot is held and (when asked) the patient's id."""

    name: str
    slot_minutes: int | None
    schedule: tuple[HoursCard, ...]
    slot_taken: bool = False
    patient_id: int | None = None


def _consulting_day(with_patient: bool) -> sa.Select:
    """The booking's check before it writes, one statement: the doctor's hours on the
    :weekday, whether an active appointment holds :time on :day (the slot index answers),
    and, `with_patient`, the id of the patient matching :phone and :name_key."""
    slot_held = sa.exists().where(
        Appointment.doctor_id == sa.bindparam("doctor_id"),
        Appointment.scheduled_date == sa.bindparam("day"),
        Appointment.scheduled_time == sa.bindparam("time"),
        holds_slot(),
    )
    columns = [User.full_name, Doctor.slot_minutes, ScheduleBlock.start_time]
    columns += [ScheduleBlock.end_time, slot_held.label("slot_taken")]
    if with_patient:
        patient = sa.select(Patient.id).where(*MATCH).scalar_subquery()
        columns.append(patient.label("patient_id"))
    return (
        sa.select(*columns)
        .select_from(Doctor)
        .join(Doctor.user)
        .outerjoin(
            ScheduleBlock,
            (ScheduleBlock.doctor_id == Doctor.id)
            & (ScheduleBlock.weekday == sa.bindparam("weekday")),
        )
        .where(Doctor.id == sa.bindparam("doctor_id"), Doctor.is_bookable, User.is_active)
    )


# The booking's statements, built once: the check is read before the write lock is taken
# (PostgreSQL's also matches the patient, for the one-statement booking), the appointment
# is inserted while it is held.
CONSULTING_DAY = DriverRead(_consulting_day(with_patient=False))
CONSULTING_DAY_AND_PATIENT = DriverRead(_consulting_day(with_patient=True))
INSERT_APPOINTMENT = sa.insert(Appointment.__table__)


def _booking_statements() -> tuple[sa.Insert, sa.Insert]:
    """PostgreSQL: the booking of a new patient and of a known one, each one statement.

    A new patient's statement takes the day's patient ID, registers the patient and inserts
    the appointment; a known patient's gives them the email if they had none and inserts the
    appointment. Parameters of both: reference, doctor_id, scheduled_date, scheduled_time,
    contact_email, reason, booked_at; a known patient's also patient_id, a new one's also
    those of new_patient_cte.
    """
    columns = ["reference", "patient_id", "doctor_id", "scheduled_date", "scheduled_time"]
    columns += ["status", "contact_email", "reason", "cancel_reason", "created_at"]

    def insert_from(patient_id):
        return sa.select(
            sa.bindparam("reference", type_=sa.Text),
            patient_id,
            sa.bindparam("doctor_id", type_=sa.Integer),
            sa.bindparam("scheduled_date", type_=sa.Date),
            sa.bindparam("scheduled_time", type_=sa.Time),
            sa.literal("pending"),
            sa.bindparam("contact_email", type_=sa.Text),
            sa.bindparam("reason", type_=sa.Text),
            sa.literal(""),
            sa.bindparam("booked_at", type_=UTCDateTime),
        )

    new_patient = new_patient_cte()
    for_new = sa.insert(Appointment.__table__).from_select(
        columns, insert_from(new_patient.c.id).select_from(new_patient), include_defaults=False
    )
    patient_id = sa.bindparam("patient_id", type_=sa.Integer)
    # No parameter of these statements is named after a patients column: SQLAlchemy would
    # add it to the UPDATE's SET clause (hence booked_at, not created_at).
    email_given = (
        sa.update(Patient)
        .where(Patient.id == patient_id, sa.func.coalesce(Patient.email, "") == "")
        .values(email=sa.bindparam("contact_email", type_=sa.Text))
        .cte("email_given")
    )
    for_known = (
        sa.insert(Appointment.__table__)
        .from_select(columns, insert_from(patient_id), include_defaults=False)
        .add_cte(email_given)
    )
    return for_new, for_known


BOOK_NEW_PATIENT, BOOK_KNOWN_PATIENT = _booking_statements()


def consulting_day(
    connection: Connection, request: BookingRequest, with_patient: bool = False
) -> ConsultingDay | None:
    """The doctor's hours on the requested day's weekday and whether the requested slot is
    held (with the matching patient's id if `with_patient`), or None unless the public may
    book the doctor."""
    day = request.day
    params = {
        "doctor_id": request.doctor_id,
        "weekday": day.weekday(),
        "day": day,
        "time": request.time,
    }
    if with_patient:
        params.update(match_params(request.name, request.phone))
    statement = CONSULTING_DAY_AND_PATIENT if with_patient else CONSULTING_DAY
    rows = statement.rows(connection, params)
    if not rows:
        return None
    name, slot_minutes, _, _, slot_taken, *patient = rows[0]
    return ConsultingDay(
        name=name,
        slot_minutes=slot_minutes,
        schedule=tuple(
            HoursCard(day.weekday(), start, end)
            for _, _, start, end, *_ in rows
            if start is not None
        ),
        slot_taken=bool(slot_taken),
        patient_id=patient[0] if patient else None,
    )


def check_slot(
    doctor: ConsultingDay, day: date, at: time, now: datetime, policy: BookingPolicy
) -> None:
    """Raise BookingError unless `at` on `day` is a bookable slot of the doctor's schedule."""
    today = now.date()
    if day < today:
        raise BookingError("date", "That date has passed; choose today or a later day.")
    last = policy.last_bookable_day(today)
    if day > last:
        raise BookingError(
            "date", f"Bookings open up to {policy.horizon_days} days ahead (until {last:%d %b %Y})."
        )
    grid = slot_grid(doctor, day, policy.default_slot_minutes)
    if not grid:
        raise BookingError("date", f"{doctor.name} does not consult on {WEEKDAYS[day.weekday()]}s.")
    if at not in grid:
        raise BookingError("time", "Choose one of the doctor's time slots for that day.")
    if day == today and at <= now.time().replace(tzinfo=None):
        raise BookingError("time", "That time has already passed today; choose a later slot.")


def book(session: Session, request: BookingRequest, now: datetime, policy: BookingPolicy) -> str:
    """Book the slot for the patient (matched or newly registered), all or nothing, and
    return the booking reference.

    Raises BookingError for a request that can never succeed as given and SlotTaken when
    the slot is held by another active appointment. Nothing is stored unless it succeeds.
    """
    if writes_alone(session):
        # One statement the server runs atomically on its own (see _book_in_one_statement),
        # on a connection in autocommit borrowed for the booking: the session is not used.
        with reading(session) as connection:
            doctor = consulting_day(connection, request, with_patient=True)
            _check(doctor, request, now, policy)
            return _book_in_one_statement(connection, request, now, doctor.patient_id)
    # Checked before the write lock is taken, to hold it as briefly as possible: the slot's
    # unique index still settles a race for it inside the transaction.
    read_only(session)
    _check(consulting_day(session.connection(), request), request, now, policy)
    with write_transaction(session, read_after=False):  # book() reads nothing after it
        patient_id = register_patient(
            session, name=request.name, phone=request.phone, email=request.email, day=now.date()
        )
        reference = new_reference()
        try:
            session.connection().execute(
                INSERT_APPOINTMENT,
                {
                    "reference": reference,
                    "patient_id": patient_id,
                    "doctor_id": request.doctor_id,
                    "scheduled_date": request.day,
                    "scheduled_time": request.time,
                    "status": "pending",
                    "contact_email": request.email,
                    "reason": request.reason,
                },
            )
        except IntegrityError:
            # Lost the race for the slot to a concurrent booking: the unique index said no.
            raise SlotTaken(_taken_message(request)) from None
    return reference


def _check(
    doctor: ConsultingDay | None, request: BookingRequest, now: datetime, policy: BookingPolicy
) -> None:
    """Raise BookingError or SlotTaken unless the slot can be booked as the check found it."""
    if doctor is None:
        raise BookingError("doctor_id", "Choose a doctor from the list.")
    check_slot(doctor, request.day, request.time, now, policy)
    if doctor.slot_taken:
        raise SlotTaken(_taken_message(request))


def _book_in_one_statement(
    connection: Connection, request: BookingRequest, now: datetime, patient_id: int | None
) -> str:
    """PostgreSQL: book with one statement outside any transaction, which the server runs
    atomically, so the day's patient-number row is locked only while the statement runs
    and commits, not across round trips (it orders every new patient's booking).

    A statement that fails undoes all of itself, its patient number included; a concurrent
    registration of the same person makes the new-patient statement fail on the patients'
    unique key, and the booking is made again for the patient now found. `patient_id` is
    the patient's as the check before found them (None: a new patient).
    """
    reference = new_reference()
    appointment = {
        "reference": reference,
        "doctor_id": request.doctor_id,
        "scheduled_date": request.day,
        "scheduled_time": request.time,
        "contact_email": request.email,
        "reason": request.reason,
        "booked_at": utcnow(),
    }
    if patient_id is None:
        new_patient = new_patient_params(request.name, request.phone, request.email, now.date())
        try:
            connection.execute(BOOK_NEW_PATIENT, {**appointment, **new_patient})
            return reference
        except IntegrityError as error:
            _raise_unless_duplicate(error)
        # The slot was taken, or the same person registered, a moment ago.
        found = connection.execute(FIND_PATIENT_ID, match_params(request.name, request.phone))
        patient_id = found.scalar()
        if patient_id is None:
            raise SlotTaken(_taken_message(request))
    try:
        connection.execute(BOOK_KNOWN_PATIENT, {**appointment, "patient_id": patient_id})
    except IntegrityError as error:
        _raise_unless_duplicate(error)
        raise SlotTaken(_taken_message(request)) from None
    return reference


def _raise_unless_duplicate(error: IntegrityError) -> None:
    """Let a duplicate key pass (PostgreSQL's unique_violation); raise anything else, such
    as a missing value, which is a fault and no race."""
    if getattr(error.orig, "sqlstate", None) != "23505":
        raise error


def _taken_message(request: BookingRequest) -> str:
    return (
        f"Sorry, the {request.time:%H:%M} slot on {request.day:%d %b %Y} was just taken. "
        "Please choose another time."
    )


def get_appointment(session: Session, reference: str) -> Appointment | None:
    """Return the appointment with that booking reference, with its doctor and patient."""
    reference = normalize_reference(reference)
    if not REFERENCE_PATTERN.fullmatch(reference):
        return None  # never sent to the database: PostgreSQL refuses text with NUL bytes
    return session.scalar(
        sa.select(Appointment)
        .where(Appointment.reference == reference)
        .options(
            joinedload(Appointment.patient),
            joinedload(Appointment.doctor).joinedload(Doctor.user),
            joinedload(Appointment.doctor).joinedload(Doctor.department),
        )
    )
