"""Figures for the staff dashboards, aggregated in SQL."""

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from hms.models import Department, Patient
from hms.services.clock import hospital_now, local_day_bounds


@dataclass(frozen=True)
class RegisterSummary:
    """What the front desk sees first."""

    departments: int
    beds: int
    patients_registered_today: int


def register_summary(session: Session, timezone: str) -> RegisterSummary:
    """Department, bed and registration counts for the front desk."""
    midnight, _ = local_day_bounds(hospital_now(timezone).date(), timezone)
    departments, beds = session.execute(
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(Department.beds), 0))
    ).one()
    registered = session.scalar(
        sa.select(sa.func.count()).select_from(Patient).where(Patient.created_at >= midnight)
    )
    return RegisterSummary(departments=departments, beds=beds, patients_registered_today=registered)
