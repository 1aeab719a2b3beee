"""Admissions: registering walk-ins, admitting into a free bed, discharging with the final bill.

Bed allocation is serialised per department: the department row is locked (PostgreSQL)
or the write lock taken first (SQLite) before the open admissions are counted, so two
registers can never both get the last bed. The database itself keeps a patient to one
open admission (uq_admissions_open_patient).
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hms.database import write_transaction
from hms.models import Admission, Bill, BillItem, Department, Doctor, Patient, User
from hms.models.base import utcnow
from hms.services import bill_pdf, documents, pdf
from hms.services.audit import record_event
from hms.services.billing import CENT, BillFrozen, lock_bill, totals
from hms.services.patients import find_or_create_patient, find_patient
from hms.web import format_money

ADMISSION_FEE = "Admission fee"
OVERRIDE_MAX = 500


class AdmissionError(ValueError):
    """The request cannot be done; `field` names the form field, `status` the HTTP answer."""

    status = 422

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


class NoFreeBed(AdmissionError):
    """Every bed of the department is taken."""

    status = 409


class AlreadyAdmitted(AdmissionError):
    """The patient has an open admission already."""

    status = 409


class AdmissionClosed(AdmissionError):
    """The patient was discharged: the admission and its bill are final."""

    status = 409

    def __init__(self):
        super().__init__("admission", "This patient has been discharged; the bill is final.")


class BalanceOpen(AdmissionError):
    """Discharge with money still due needs an override reason."""


@dataclass(frozen=True)
class NewPatient:
    """A patient's details as the front desk takes them; the phone already canonical."""

    name: str
    phone: str
    gender: str
    date_of_birth: date
    address: str
    email: str | None = None

    def demographics(self) -> dict:
        """The fields beyond name and phone."""
        return {
            "gender": self.gender,
            "date_of_birth": self.date_of_birth,
            "address": self.address,
            "email": self.email or None,
        }


def _register(session: Session, details: NewPatient, day: date) -> tuple[Patient, list[str]]:
    """Find the patient with this name and phone, completing missing details, or create one.

    Returns the patient and what was filled in (["new"] for a new patient).
    """
    patient = find_patient(session, details.name, details.phone)
    if patient is None:
        patient = find_or_create_patient(
            session, name=details.name, phone=details.phone, day=day, **details.demographics()
        )
        return patient, ["new"]
    filled = []
    for name, value in details.demographics().items():
        if value and not getattr(patient, name):
            setattr(patient, name, value)  # e.g. booked online: no address yet
            filled.append(name)
    return patient, filled


def register_patient(
    session: Session, details: NewPatient, *, day: date, by: User, client_ip: str = ""
) -> tuple[Patient, bool]:
    """Register a walk-in (a new patient ID for `day`) or find them; True if new."""
    with write_transaction(session):
        patient, filled = _register(session, details, day)
        created = filled == ["new"]
        session.flush()
        record_event(
            session,
            "patient_registered" if created else "patient_found",
            user=by,
            record_type="patient",
            record_id=patient.patient_number,
            patient_id=patient.id,
            client_ip=client_ip,
            details="" if created else f"filled in: {', '.join(filled) or 'nothing'}",
        )
    return patient, created


def occupied_beds(session: Session, department_id: int) -> int:
    """Open admissions of the department."""
    return session.scalar(
        sa.select(sa.func.count())
        .select_from(Admission)
        .where(Admission.department_id == department_id, Admission.discharged_at.is_(None))
    )


def open_admission(session: Session, patient_id: int) -> Admission | None:
    """The patient's current admission, if any."""
    return session.scalar(
        sa.select(Admission).where(
            Admission.patient_id == patient_id, Admission.discharged_at.is_(None)
        )
    )


def admit_patient(
    session: Session,
    *,
    department_id: int,
    doctor_id: int,
    by: User,
    fee: Decimal,
    patient_number: str | None = None,
    new_patient: NewPatient | None = None,
    day: date | None = None,
    now: datetime | None = None,
    client_ip: str = "",
) -> Admission:
    """Admit an existing patient (by patient ID) or a new one into a free bed, with the fee.

    Raises AdmissionError (unknown choices), NoFreeBed or AlreadyAdmitted; nothing is
    stored unless the admission succeeds.
    """
    now = now or utcnow()
    with write_transaction(session):
        department = session.scalar(
            sa.select(Department).where(Department.id == department_id).with_for_update()
        )
        if department is None:
            raise AdmissionError("department_id", "Choose a department from the list.")
        doctor = session.get(Doctor, doctor_id)
        if doctor is None or not doctor.is_bookable or not doctor.user.is_active:
            raise AdmissionError("doctor_id", "Choose an attending doctor from the list.")
        patient = _patient_to_admit(session, patient_number, new_patient, day)
        current = open_admission(session, patient.id)
        if current is not None:
            raise AlreadyAdmitted(
                "patient_number",
                f"{patient.full_name} is already admitted to {current.department.name}.",
            )
        occupied = occupied_beds(session, department.id)
        if occupied >= department.beds:
            raise NoFreeBed(
                "department_id",
                f"No free bed in {department.name}: all {department.beds} beds are taken.",
            )
        admission = Admission(
            patient=patient,
            department=department,
            doctor=doctor,
            admitted_by_id=by.id,
            admitted_at=now,
        )
        bill = Bill(admission=admission, created_at=now)
        if fee > 0:
            bill.items.append(
                BillItem(
                    description=ADMISSION_FEE,
                    quantity=1,
                    unit_price=fee.quantize(CENT),
                    added_by_id=by.id,
                    added_at=now,
                )
            )
        try:
            with session.begin_nested():
                session.add_all([admission, bill])
        except IntegrityError:
            # Another register admitted this patient a moment ago (the partial unique index).
            raise AlreadyAdmitted(
                "patient_number", f"{patient.full_name} was admitted a moment ago."
            ) from None
        record_event(
            session,
            "admission_created",
            user=by,
            record_type="admission",
            record_id=admission.id,
            patient_id=patient.id,
            client_ip=client_ip,
            details=f"{department.name}, bed {occupied + 1} of {department.beds}, "
            f"attending {doctor.name}; fee {fee:.2f}",
        )
    return admission


def _patient_to_admit(
    session: Session, patient_number: str | None, new_patient: NewPatient | None, day: date | None
) -> Patient:
    """The existing patient by patient ID, or the new patient registered now."""
    if patient_number:
        patient = session.scalar(sa.select(Patient).where(Patient.patient_number == patient_number))
        if patient is None:
            raise AdmissionError("patient_number", "There is no patient with this ID.")
        return patient
    if new_patient is None or day is None:
        raise AdmissionError("patient_number", "Give a patient ID or the new patient's details.")
    patient, _ = _register(session, new_patient, day)
    session.flush()
    return patient


def discharge_admission(
    session: Session,
    admission_id: int,
    *,
    by: User,
    letterhead: documents.Letterhead,
    override_reason: str = "",
    now: datetime | None = None,
    client_ip: str = "",
) -> Admission:
    """Discharge: free the bed, freeze the bill and store its final PDF, in one transaction.

    With a balance open, `override_reason` is required; it is stored and printed.
    """
    reason = " ".join((override_reason or "").split())
    if len(reason) > OVERRIDE_MAX:
        raise AdmissionError("override_reason", f"Keep the reason to {OVERRIDE_MAX} characters.")
    pdf.font_paths()  # fail before changing anything if the bill cannot be drawn
    with write_transaction(session):
        bill_id = session.scalar(sa.select(Bill.id).where(Bill.admission_id == admission_id))
        if bill_id is None:
            raise AdmissionError("admission", "There is no such admission.")
        try:
            # The bill row lock queues discharge behind (or before) payments and charges.
            bill = lock_bill(session, bill_id)
        except BillFrozen:
            raise AdmissionClosed() from None
        admission = bill.admission
        if not admission.is_open:
            raise AdmissionClosed()
        balance = totals(session, bill.id).balance
        if balance > 0 and not reason:
            raise BalanceOpen(
                "override_reason",
                f"The balance of {format_money(balance, letterhead.currency)} is still open: "
                "take the payment, or give "
                "the reason for discharging with it open.",
            )
        moment = now or utcnow()
        admission.discharged_at = moment
        admission.discharged_by_id = by.id
        admission.discharge_override = reason if balance > 0 else None
        bill.frozen_at = moment
        session.flush()
        session.refresh(admission)
        bill.final_pdf = bill_pdf.render_final_bill(documents.final_bill(session, bill, letterhead))
        record_event(
            session,
            "admission_discharged",
            user=by,
            record_type="admission",
            record_id=admission.id,
            patient_id=admission.patient_id,
            client_ip=client_ip,
            details=f"balance {balance:.2f}; override: {admission.discharge_override or 'none'}",
        )
    return admission
