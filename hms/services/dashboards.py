"""Figures for the staff dashboards, aggregated in SQL."""

from dataclasses import dataclass
from datetime import datetime, time

import sqlalchemy as sa
from sqlalchemy.orm import Session

from hms.models import Appointment, Department, Doctor, Patient, User
from hms.services.clock import hospital_now


@dataclass(frozen=True)
class DoctorSummary:
    """What a doctor sees first: their department, new requests and today's list size."""

    department: str
    pending: int
    today: int


@dataclass(frozen=True)
class RegisterSummary:
    """What the front desk sees first."""

    departments: int
    beds: int
    patients_registered_today: int


def doctor_summary(session: Session, user: User, timezone: str) -> DoctorSummary | None:
    """Counts for the signed-in doctor's own appointments; None if not enrolled."""
    doctor = session.scalar(sa.select(Doctor).where(Doctor.user_id == user.id))
    if doctor is None:
        return None
    today = hospital_now(timezone).date()
    counts = session.execute(
        sa.select(
            sa.func.count().filter(Appointment.status == "pending"),
            sa.func.count().filter(
                Appointment.scheduled_date == today,
                Appointment.status.in_(("pending", "confirmed")),
            ),
        ).where(Appointment.doctor_id == doctor.id)
    ).one()
    return DoctorSummary(department=doctor.department.name, pending=counts[0], today=counts[1])


def register_summary(session: Session, timezone: str) -> RegisterSummary:
    """Department, bed and registration counts for the front desk."""
    now = hospital_now(timezone)
    midnight = datetime.combine(now.date(), time(), now.tzinfo)
    departments, beds = session.execute(
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(Department.beds), 0))
    ).one()
    registered = session.scalar(
        sa.select(sa.func.count()).select_from(Patient).where(Patient.created_at >= midnight)
    )
    return RegisterSummary(departments=departments, beds=beds, patients_registered_today=registered)
