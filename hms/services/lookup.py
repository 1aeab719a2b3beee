"""The public status lookup: what a patient may see with their name and phone."""

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload

from hms.models import Admission, Appointment, Doctor, Patient
from hms.services.patients import find_patient

LOOKUP_LIMIT = 50


@dataclass(frozen=True)
class StatusLookup:
    """A patient's ID, their most recent appointments and whether they are admitted now
    (department and since when); nothing clinical or financial."""

    patient: Patient
    appointments: list[Appointment]
    admission: Admission | None = None


def lookup_status(session: Session, name: str, phone: str) -> StatusLookup | None:
    """Find the patient by name and canonical phone; None means "no booking found"."""
    patient = find_patient(session, name, phone)
    if patient is None:
        return None
    appointments = session.scalars(
        sa.select(Appointment)
        .where(Appointment.patient_id == patient.id)
        .options(
            joinedload(Appointment.doctor).joinedload(Doctor.user),
            joinedload(Appointment.doctor).joinedload(Doctor.department),
        )
        .order_by(Appointment.scheduled_date.desc(), Appointment.scheduled_time.desc())
        .limit(LOOKUP_LIMIT)
    )
    admission = session.scalar(
        sa.select(Admission)
        .where(Admission.patient_id == patient.id, Admission.discharged_at.is_(None))
        .options(joinedload(Admission.department))
    )
    return StatusLookup(patient=patient, appointments=list(appointments), admission=admission)
