"""Departments and their beds."""

import sqlalchemy as sa
from sqlalchemy.orm import Session

from hms.models import Admission


class BedsBelowOccupancy(ValueError):
    """A department cannot have fewer beds than patients admitted in it."""


def occupied_beds(session: Session, department_id: int) -> int:
    """Patients currently admitted in the department."""
    return session.scalar(
        sa.select(sa.func.count())
        .select_from(Admission)
        .where(Admission.department_id == department_id, Admission.discharged_at.is_(None))
    )


def check_bed_count(session: Session, department_id: int | None, beds: int) -> None:
    """Refuse a bed count below the department's current admissions (or below zero)."""
    if beds is None or beds < 0:
        raise BedsBelowOccupancy("The number of beds cannot be negative.")
    if department_id is None:
        return
    occupied = occupied_beds(session, department_id)
    if beds < occupied:
        raise BedsBelowOccupancy(
            f"{occupied} patients are admitted in this department now; "
            f"it needs at least {occupied} beds."
        )
