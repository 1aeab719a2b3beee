"""The patient chart as a doctor sees it, and who may open it.

A doctor opens the chart of a patient they care for: one they have an appointment with
or attend (or attended) in an admission. Every opening, and every refusal, is audited.
"""

import re
from collections import defaultdict
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload

from hms.database import write_transaction
from hms.models import (
    Admission,
    Appointment,
    Bill,
    BillItem,
    Doctor,
    Patient,
    ProgressNote,
    User,
    VisitNote,
)
from hms.services import billing
from hms.services.audit import record_event

PATIENT_NUMBER = re.compile(r"\d{11,16}")
# The chart lists the doctor's latest visits; older ones are summarised by a count.
CHART_VISITS = 100


class ChartNotFound(LookupError):
    """No such patient, or not one this doctor may see."""


@dataclass(frozen=True)
class BillSheet:
    """A bill with its items, payments and totals."""

    bill: Bill
    items: list[BillItem]
    totals: billing.Totals

    @property
    def payments(self):
        """The payments taken against the bill."""
        return self.bill.payments


@dataclass(frozen=True)
class AdmissionRecord:
    """One admission of the patient with its progress notes and bill."""

    admission: Admission
    progress_notes: list[ProgressNote]
    bill: BillSheet | None


@dataclass(frozen=True)
class Visit:
    """One of the doctor's appointments with the patient, with its visit note."""

    appointment: Appointment
    note: VisitNote | None


@dataclass(frozen=True)
class Chart:
    """Demographics, the doctor's visits, and every admission with notes and bill."""

    patient: Patient
    visits: list[Visit]
    visit_count: int
    admissions: list[AdmissionRecord]


def cares_for(session: Session, doctor_id: int, patient_id: int) -> bool:
    """Tell whether the doctor has an appointment with, or attends, the patient."""
    appointment = sa.exists().where(
        Appointment.patient_id == patient_id, Appointment.doctor_id == doctor_id
    )
    admission = sa.exists().where(
        Admission.patient_id == patient_id, Admission.doctor_id == doctor_id
    )
    return bool(session.scalar(sa.select(sa.or_(appointment, admission))))


def open_chart(
    session: Session, patient_number: str, *, doctor: Doctor, by: User, client_ip: str = ""
) -> Chart:
    """Audit the opening of a patient's chart and return it; ChartNotFound if not allowed."""
    if not PATIENT_NUMBER.fullmatch(patient_number or ""):
        raise ChartNotFound(patient_number)
    with write_transaction(session):
        patient = session.scalar(sa.select(Patient).where(Patient.patient_number == patient_number))
        if patient is None:
            raise ChartNotFound(patient_number)
        allowed = cares_for(session, doctor.id, patient.id)
        record_event(
            session,
            "chart_opened" if allowed else "chart_refused",
            user=by,
            record_type="patient",
            record_id=patient.patient_number,
            patient_id=patient.id,
            client_ip=client_ip,
        )
    if not allowed:
        raise ChartNotFound(patient_number)
    return load_chart(session, patient, doctor.id)


def load_chart(session: Session, patient: Patient, doctor_id: int) -> Chart:
    """Read the chart's parts: a few queries, however long the history."""
    own = sa.and_(Appointment.patient_id == patient.id, Appointment.doctor_id == doctor_id)
    rows = session.execute(
        sa.select(Appointment, VisitNote)
        .outerjoin(VisitNote, VisitNote.appointment_id == Appointment.id)
        .where(own)
        .order_by(Appointment.scheduled_date.desc(), Appointment.scheduled_time.desc())
        .limit(CHART_VISITS)
    ).all()
    visit_count = session.scalar(sa.select(sa.func.count()).select_from(Appointment).where(own))
    admissions = session.scalars(
        sa.select(Admission)
        .where(Admission.patient_id == patient.id)
        .options(
            joinedload(Admission.department),
            joinedload(Admission.doctor).joinedload(Doctor.user),
            joinedload(Admission.bill),
        )
        .order_by(Admission.admitted_at.desc())
    ).all()
    notes = progress_notes(session, [a.id for a in admissions])
    return Chart(
        patient=patient,
        visits=[Visit(appointment, note) for appointment, note in rows],
        visit_count=visit_count,
        admissions=[
            AdmissionRecord(a, notes[a.id], bill_sheet(session, a.bill) if a.bill else None)
            for a in admissions
        ],
    )


def progress_notes(session: Session, admission_ids: list[int]) -> dict[int, list[ProgressNote]]:
    """The progress notes of the admissions, oldest first, by admission id."""
    by_admission = defaultdict(list)
    if admission_ids:
        for note in session.scalars(
            sa.select(ProgressNote)
            .where(ProgressNote.admission_id.in_(admission_ids))
            .options(joinedload(ProgressNote.author))
            .order_by(ProgressNote.created_at, ProgressNote.id)
        ):
            by_admission[note.admission_id].append(note)
    return by_admission


def bill_sheet(session: Session, bill: Bill) -> BillSheet:
    """The bill's items (with who added them), payments and totals summed in SQL."""
    items = session.scalars(
        sa.select(BillItem)
        .where(BillItem.bill_id == bill.id)
        .options(joinedload(BillItem.added_by))
        .order_by(BillItem.id)
    ).all()
    return BillSheet(bill=bill, items=list(items), totals=billing.totals(session, bill.id))
