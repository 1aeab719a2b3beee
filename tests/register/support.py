"""Builders for front-desk tests: patients admitted, paid and discharged through the services."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import uuid4

import sqlalchemy as sa

from hms.models import Admission, Bill, BillItem, Department, Doctor, Payment, User
from hms.services import admissions, billing, documents
from hms.services.admissions import NewPatient
from hms.services.clock import hospital_now

FEE = Decimal("500.00")


def user(session, username: str) -> User:
    """The staff account with this username."""
    return session.scalar(sa.select(User).where(User.username == username))


def department_id(session, name: str) -> int:
    return session.scalar(sa.select(Department.id).where(Department.name == name))


def doctor_id(session, username: str) -> int:
    return session.scalar(sa.select(Doctor.id).join(Doctor.user).where(User.username == username))


def new_patient(name: str = "Asha Verma", phone: str = "+919876543210", **overrides) -> NewPatient:
    """A complete set of a new patient's details."""
    details = {
        "name": name,
        "phone": phone,
        "gender": "female",
        "date_of_birth": date(1980, 5, 17),
        "address": "14 Lake View Road, Bengaluru 560034",
        "email": None,
    }
    details.update(overrides)
    return NewPatient(**details)


def letterhead(app) -> documents.Letterhead:
    return documents.Letterhead.from_config(app.config)


def admit(
    session,
    app,
    patient: NewPatient | None = None,
    *,
    department: str = "General Medicine",
    doctor: str = "dr.house",
    by: str = "desk",
    patient_number: str | None = None,
    **kwargs,
) -> Admission:
    """Admit a (new) patient through the admissions service."""
    return admissions.admit_patient(
        session,
        department_id=department_id(session, department),
        doctor_id=doctor_id(session, doctor),
        by=user(session, by),
        fee=kwargs.pop("fee", FEE),
        patient_number=patient_number,
        new_patient=None if patient_number else (patient or new_patient()),
        day=hospital_now(app.config["HMS_TIMEZONE"]).date(),
        **kwargs,
    )


def charge(session, admission_id: int, description: str, quantity: int, price: str, by="dr.house"):
    """A doctor's charge, through the billing service (as the doctor's workspace does)."""
    return billing.add_item(
        session,
        admission_id=admission_id,
        quantity=quantity,
        by=user(session, by),
        description=description,
        unit_price=Decimal(price),
    )


def pay(session, bill_id: int, amount: str, method: str = "cash", by: str = "desk", **kwargs):
    """Take a payment with a fresh request key."""
    return billing.record_payment(
        session,
        bill_id=bill_id,
        amount=Decimal(amount),
        method=method,
        request_key=kwargs.pop("request_key", uuid4().hex),
        by=user(session, by),
        **kwargs,
    )


def discharge(session, app, admission_id: int, by: str = "desk", **kwargs) -> Admission:
    return admissions.discharge_admission(
        session, admission_id, by=user(session, by), letterhead=letterhead(app), **kwargs
    )


@dataclass
class Stay:
    """Ids of an admission and what hangs off it."""

    admission_id: int
    bill_id: int
    patient_id: int
    payment_id: int | None = None


def discharged_stay(session, app) -> Stay:
    """A patient admitted, charged, paid in full and discharged: a final bill exists."""
    admission = admit(session, app)
    stay = Stay(admission.id, admission.bill.id, admission.patient_id)
    charge(session, stay.admission_id, "Chest X-ray", 1, "600.00")
    stay.payment_id = pay(session, stay.bill_id, "1100.00").id
    discharge(session, app, stay.admission_id)
    return stay


def snapshot(session, bill_id: int) -> dict:
    """Everything about a bill that must not change once it is frozen."""
    session.expire_all()
    bill = session.get(Bill, bill_id)
    admission = bill.admission
    items = session.execute(
        sa.select(BillItem.id, BillItem.description, BillItem.quantity, BillItem.unit_price)
        .where(BillItem.bill_id == bill_id)
        .order_by(BillItem.id)
    ).all()
    payments = session.execute(
        sa.select(Payment.id, Payment.amount, Payment.method, Payment.receipt_number)
        .where(Payment.bill_id == bill_id)
        .order_by(Payment.id)
    ).all()
    return {
        "frozen_at": bill.frozen_at,
        "pdf": bill.final_pdf,
        "items": items,
        "payments": payments,
        "admission": (
            admission.patient_id,
            admission.department_id,
            admission.doctor_id,
            admission.admitted_at,
            admission.discharged_at,
            admission.discharged_by_id,
            admission.discharge_override,
        ),
    }
