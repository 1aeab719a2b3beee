"""Records the doctor tests need that the public site does not make: appointments in any
status or on any day, admissions with their bills, price-list entries."""

from datetime import UTC, date, datetime, time
from decimal import Decimal

import sqlalchemy as sa

from hms.models import Admission, Appointment, Bill, Doctor, PriceItem, User
from hms.services.booking import new_reference
from hms.services.patients import find_or_create_patient, normalize_phone


def make_appointment(
    session,
    doctor_id: int,
    day: date,
    at: time = time(10),
    *,
    name: str = "Asha Verma",
    phone: str = "98765 43210",
    status: str = "pending",
    reason: str = "Cough for a week",
) -> Appointment:
    """An appointment of the (found or new) patient with the doctor, in any status."""
    patient = find_or_create_patient(
        session, name=name, phone=normalize_phone(phone, "IN"), day=date.today()
    )
    appointment = Appointment(
        reference=new_reference(),
        patient=patient,
        doctor_id=doctor_id,
        scheduled_date=day,
        scheduled_time=at,
        status=status,
        contact_email="patient@example.com",
        reason=reason,
    )
    session.add(appointment)
    session.flush()
    return appointment


def admit(session, patient_id: int, doctor_id: int, *, discharged: bool = False) -> Admission:
    """An admission under the doctor, in the doctor's department, with its (empty) bill.

    A discharged admission has its bill frozen, as discharge leaves it.
    """
    doctor = session.get(Doctor, doctor_id)
    clerk = session.scalar(sa.select(User).where(User.role == "register")) or doctor.user
    admission = Admission(
        patient_id=patient_id,
        department_id=doctor.department_id,
        doctor_id=doctor_id,
        admitted_by_id=clerk.id,
    )
    admission.bill = Bill()
    if discharged:
        admission.discharged_at = admission.bill.frozen_at = datetime.now(UTC)
    session.add(admission)
    session.flush()
    return admission


def make_prices(session) -> dict[str, int]:
    """A small price list (one entry withdrawn); ids by code."""
    prices = [
        PriceItem(code="CONS", name="Consultation", unit_price=Decimal("500.00")),
        PriceItem(code="ECG", name="Electrocardiogram", unit_price=Decimal("350.00")),
        PriceItem(code="DRIP", name="IV drip", unit_price=Decimal("33.33")),
        PriceItem(code="OLD", name="Withdrawn test", unit_price=Decimal("99.00"), is_active=False),
    ]
    session.add_all(prices)
    session.flush()
    return {p.code: p.id for p in prices}


def doctor_route_samples(session, reference: str) -> dict:
    """URL arguments for every doctor route, all of the booked appointment's own doctor:
    the appointment, its patient's chart, an admission of that patient with one charge."""
    appointment = session.scalar(sa.select(Appointment).where(Appointment.reference == reference))
    admission = admit(session, appointment.patient_id, appointment.doctor_id)
    session.commit()
    return {
        ("doctor.appointment", "appointment_id"): appointment.id,
        ("doctor.move", "appointment_id"): appointment.id,
        ("doctor.save_note", "appointment_id"): appointment.id,
        ("doctor.chart", "patient_number"): appointment.patient.patient_number,
        ("doctor.admission", "admission_id"): admission.id,
        ("doctor.charge_from_list", "admission_id"): admission.id,
        ("doctor.charge_other", "admission_id"): admission.id,
        ("doctor.remove_charge", "admission_id"): admission.id,
        ("doctor.remove_charge", "item_id"): 1,
        ("doctor.add_progress_note", "admission_id"): admission.id,
    }
