"""All models, importable from one place (Alembic and the services use this)."""

from hms.models.admissions import PAYMENT_METHODS, Admission, Bill, BillItem, Counter, Payment
from hms.models.audit import AuditEvent, LoginFailure
from hms.models.base import Base
from hms.models.billing import PriceItem
from hms.models.contact import CustomerQuery
from hms.models.patients import Patient, PatientIdCounter
from hms.models.records import ProgressNote, VisitNote
from hms.models.scheduling import (
    ACTIVE_STATUSES,
    APPOINTMENT_STATUSES,
    WEEKDAYS,
    Appointment,
    Department,
    Doctor,
    ScheduleBlock,
    holds_slot,
)
from hms.models.staff import ROLE_HOMES, ROLES, User

__all__ = [
    "PAYMENT_METHODS",
    "Admission",
    "Bill",
    "BillItem",
    "Counter",
    "Payment",
    "ProgressNote",
    "VisitNote",
    "ACTIVE_STATUSES",
    "APPOINTMENT_STATUSES",
    "ROLE_HOMES",
    "ROLES",
    "WEEKDAYS",
    "Appointment",
    "AuditEvent",
    "Base",
    "CustomerQuery",
    "Department",
    "Doctor",
    "LoginFailure",
    "Patient",
    "PatientIdCounter",
    "PriceItem",
    "ScheduleBlock",
    "User",
    "holds_slot",
]
