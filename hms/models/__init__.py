"""All models, importable from one place (Alembic and the services use this)."""

from hms.models.base import Base
from hms.models.billing import PriceItem
from hms.models.contact import CustomerQuery
from hms.models.patients import Patient, PatientIdCounter
from hms.models.scheduling import (
    ACTIVE_STATUSES,
    APPOINTMENT_STATUSES,
    WEEKDAYS,
    Appointment,
    Department,
    Doctor,
    ScheduleBlock,
)
from hms.models.staff import ROLES, User

__all__ = [
    "ACTIVE_STATUSES",
    "APPOINTMENT_STATUSES",
    "ROLES",
    "WEEKDAYS",
    "Appointment",
    "Base",
    "CustomerQuery",
    "Department",
    "Doctor",
    "Patient",
    "PatientIdCounter",
    "PriceItem",
    "ScheduleBlock",
    "User",
]
