"""The public status lookup: what a patient may see with their name and phone."""

from dataclasses import dataclass
from datetime import date, datetime, time

import sqlalchemy as sa
from sqlalchemy.orm import Session

from hms.database import reading
from hms.driver_read import DriverRead
from hms.models import Admission, Appointment, Patient
from hms.services.catalog import Catalog
from hms.services.patients import fold_name

LOOKUP_LIMIT = 50


@dataclass(frozen=True)
class BookingLine:
    """One appointment as the patient sees it."""

    scheduled_date: date
    scheduled_time: time
    status: str
    cancel_reason: str | None
    reference: str
    doctor: str
    department: str


@dataclass(frozen=True)
class StatusLookup:
    """A patient's ID, their most recent appointments and whether they are admitted now
    (department and since when); nothing clinical or financial."""

    patient_number: str
    appointments: list[BookingLine]
    admitted_to: str | None = None
    admitted_at: datetime | None = None


# The busiest query of the public site, built once: the patient by name and phone, their
# open admission if any, and their most recent appointments, all through indexes. Doctor
# and department names come from the catalogue, which keeps the join (and PostgreSQL's
# planning of it, which took longer than running it) to three tables.
LOOKUP = DriverRead(
    sa.select(
        Patient.patient_number,
        Admission.department_id.label("ward_id"),
        Admission.admitted_at,
        Appointment.scheduled_date,
        Appointment.scheduled_time,
        Appointment.status,
        Appointment.cancel_reason,
        Appointment.reference,
        Appointment.doctor_id,
    )
    .select_from(Patient)
    .outerjoin(Admission, (Admission.patient_id == Patient.id) & Admission.discharged_at.is_(None))
    .outerjoin(Appointment, Appointment.patient_id == Patient.id)
    .where(Patient.phone == sa.bindparam("phone"), Patient.name_key == sa.bindparam("name_key"))
    .order_by(Appointment.scheduled_date.desc(), Appointment.scheduled_time.desc())
    .limit(LOOKUP_LIMIT)
)


def lookup_status(session: Session, name: str, phone: str, known: Catalog) -> StatusLookup | None:
    """Find the patient by name and canonical phone; None means "no booking found".
    Doctors and wards are named from the catalogue `known`."""
    params = {"phone": phone, "name_key": fold_name(name)}
    with reading(session) as connection:
        rows = LOOKUP.rows(connection, params)
    if not rows:
        return None
    wards = {department.id: department.name for department in known.departments}
    patient_number, ward_id, admitted_at = rows[0][:3]
    return StatusLookup(
        patient_number=patient_number,
        appointments=[
            BookingLine(day, at, status, reason, reference, *known.directory[doctor_id])
            for *_, day, at, status, reason, reference, doctor_id in rows
            if reference is not None
        ],
        admitted_to=wards.get(ward_id),
        admitted_at=admitted_at,
    )
