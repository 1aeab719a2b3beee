"""Admitted patients as doctors see them: the ward list, one admission's sheet (bill and
progress notes) and the progress notes doctors write.

Any doctor may charge care to the bill of a patient admitted now; progress notes are
read and written only by doctors who care for the patient (see charts.cares_for).
"""

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload

from hms.database import write_transaction
from hms.models import Admission, Bill, BillItem, Doctor, PriceItem, ProgressNote, User
from hms.services.audit import record_event
from hms.services.charts import BillSheet, bill_sheet, cares_for, progress_notes
from hms.services.visits import NoteError, NoteRefused, clean_note_text

PER_PAGE = 20
PROGRESS_NOTE_MAX = 4000


class AdmissionNotFound(LookupError):
    """No such admission, or a past one of a patient this doctor does not care for."""


class NotYourPatient(PermissionError):
    """Progress notes are for the doctors who care for the patient."""


@dataclass(frozen=True)
class WardPage:
    """One page of the patients admitted now."""

    items: list[Admission]
    number: int
    pages: int
    total: int


@dataclass(frozen=True)
class AdmissionSheet:
    """An admission with its bill; its progress notes if the doctor cares for the patient."""

    admission: Admission
    bill: BillSheet
    cares: bool
    progress_notes: list[ProgressNote]


def current_admissions(session: Session, page: int = 1) -> WardPage:
    """Patients admitted now, the latest admission first."""
    open_now = Admission.discharged_at.is_(None)
    total = session.scalar(sa.select(sa.func.count()).select_from(Admission).where(open_now))
    pages = max(1, -(-total // PER_PAGE))
    page = min(max(page, 1), pages)
    items = session.scalars(
        sa.select(Admission)
        .where(open_now)
        .options(
            joinedload(Admission.patient),
            joinedload(Admission.department),
            joinedload(Admission.doctor).joinedload(Doctor.user),
        )
        .order_by(Admission.admitted_at.desc(), Admission.id.desc())
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
    ).all()
    return WardPage(items=list(items), number=page, pages=pages, total=total)


def price_list(session: Session) -> list[PriceItem]:
    """The active price list, by name."""
    return list(
        session.scalars(
            sa.select(PriceItem).where(PriceItem.is_active).order_by(PriceItem.name, PriceItem.id)
        )
    )


def load_admission(session: Session, admission_id: int, doctor_id: int) -> AdmissionSheet:
    """The admission's sheet for this doctor; AdmissionNotFound if they may not see it."""
    admission = session.scalar(
        sa.select(Admission)
        .where(Admission.id == admission_id)
        .options(
            joinedload(Admission.patient),
            joinedload(Admission.department),
            joinedload(Admission.doctor).joinedload(Doctor.user),
            joinedload(Admission.bill),
        )
    )
    if admission is None or admission.bill is None:
        raise AdmissionNotFound(admission_id)
    cares = cares_for(session, doctor_id, admission.patient_id)
    if not (admission.is_open or cares):
        raise AdmissionNotFound(admission_id)
    notes = progress_notes(session, [admission.id])[admission.id] if cares else []
    return AdmissionSheet(
        admission=admission,
        bill=bill_sheet(session, admission.bill),
        cares=cares,
        progress_notes=notes,
    )


def open_admission(
    session: Session, admission_id: int, *, doctor_id: int, by: User, client_ip: str = ""
) -> AdmissionSheet:
    """Audit that the doctor opened the admission (its bill, maybe its notes); return it."""
    with write_transaction(session):
        sheet = load_admission(session, admission_id, doctor_id)
        record_event(
            session,
            "admission_opened",
            user=by,
            record_type="admission",
            record_id=admission_id,
            patient_id=sheet.admission.patient_id,
            client_ip=client_ip,
        )
    return load_admission(session, admission_id, doctor_id)


def add_progress_note(
    session: Session,
    admission_id: int,
    *,
    doctor_id: int,
    by: User,
    text: str | None,
    client_ip: str = "",
) -> ProgressNote:
    """Add a dated progress note to an open admission of a patient the doctor cares for."""
    text = clean_note_text(text)
    if not text:
        raise NoteError("text", "Write the note.")
    if len(text) > PROGRESS_NOTE_MAX:
        raise NoteError("text", f"Keep the note to {PROGRESS_NOTE_MAX:,} characters.")
    with write_transaction(session):
        admission = session.get(Admission, admission_id)
        if admission is None:
            raise AdmissionNotFound(admission_id)
        if not cares_for(session, doctor_id, admission.patient_id):
            raise NotYourPatient("Progress notes are written by the patient's own doctors.")
        if not admission.is_open:
            raise NoteRefused("The patient has been discharged: the admission takes no new notes.")
        note = ProgressNote(admission_id=admission.id, author_id=by.id, text=text)
        session.add(note)
        session.flush()
        record_event(
            session,
            "progress_note_added",
            user=by,
            record_type="admission",
            record_id=admission.id,
            patient_id=admission.patient_id,
            client_ip=client_ip,
            details=f"note {note.id}",
        )
    return note


def charge_on(session: Session, admission_id: int, item_id: int) -> BillItem | None:
    """The bill item `item_id` if it is on this admission's bill."""
    return session.scalar(
        sa.select(BillItem)
        .join(Bill, Bill.id == BillItem.bill_id)
        .where(BillItem.id == item_id, Bill.admission_id == admission_id)
    )
