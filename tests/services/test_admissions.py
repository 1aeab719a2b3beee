"""Admissions service: walk-ins, beds, one open admission per patient, fee, discharge."""

import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa

from hms.models import Admission, AuditEvent, Bill, Department, Patient
from hms.services import admissions, front_desk, pdf
from hms.services.billing import totals
from tests.helpers import table_counts
from tests.register import support


@pytest.fixture
def desk_session(session, staff):
    return session


def occupied(session, name: str) -> int:
    return next(row.occupied for row in front_desk.occupancy(session) if row.department == name)


def test_admitting_a_new_patient_registers_them_and_puts_the_fee_on_the_bill(app, desk_session):
    session = desk_session
    admission = support.admit(session, app)

    patient = admission.patient
    assert re.fullmatch(r"\d{11}", patient.patient_number)
    assert (patient.full_name, patient.phone, patient.gender) == (
        "Asha Verma",
        "+919876543210",
        "female",
    )
    assert patient.address == "14 Lake View Road, Bengaluru 560034"
    assert admission.is_open and admission.department.name == "General Medicine"
    assert admission.doctor.name == "Dr. Gregory House"
    assert admission.admitted_by.username == "desk"
    [fee] = admission.bill.items
    assert (fee.description, fee.quantity, fee.unit_price) == ("Admission fee", 1, Decimal("500"))
    assert fee.added_by.username == "desk"
    assert totals(session, admission.bill.id).balance == Decimal("500.00")
    event = session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "admission_created"))
    assert event.patient_id == patient.id and event.username == "desk"


def test_an_existing_patient_is_admitted_by_patient_id(app, desk_session):
    session = desk_session
    patient, created = admissions.register_patient(
        session,
        support.new_patient("Ravi Iyer"),
        day=datetime.now(UTC).date(),
        by=support.user(session, "desk"),
    )
    assert created
    admission = support.admit(session, app, patient_number=patient.patient_number)
    assert admission.patient_id == patient.id
    assert session.scalar(sa.select(sa.func.count()).select_from(Patient)) == 1


def test_registering_the_same_person_again_finds_them_and_completes_missing_details(
    app, desk_session
):
    session = desk_session
    desk = support.user(session, "desk")
    day = datetime.now(UTC).date()
    booked_online = Patient(
        patient_number="20250101001",
        full_name="Mira Das",
        name_key="mira das",
        phone="+919812345678",
    )
    session.add(booked_online)
    session.commit()

    found, created = admissions.register_patient(
        session, support.new_patient(" MIRA  das ", "+919812345678"), day=day, by=desk
    )
    assert not created and found.id == booked_online.id
    assert found.full_name == "Mira Das"  # the name is not rewritten
    assert found.address == "14 Lake View Road, Bengaluru 560034"  # the gap is filled
    # Family members sharing a phone are different patients.
    sister, created = admissions.register_patient(
        session, support.new_patient("Nisha Das", "+919812345678"), day=day, by=desk
    )
    assert created and sister.id != found.id


def test_the_bed_count_caps_admissions(app, desk_session):
    session = desk_session
    for i in range(4):  # Cardiology has 4 beds
        support.admit(
            session,
            app,
            support.new_patient(f"Patient {i}", f"+91981234560{i}"),
            department="Cardiology",
            doctor="dr.heart",
        )
    before = table_counts(app)

    with pytest.raises(admissions.NoFreeBed, match="No free bed in Cardiology: all 4 beds"):
        support.admit(
            session,
            app,
            support.new_patient("Late Comer", "+919812345699"),
            department="Cardiology",
            doctor="dr.heart",
        )
    assert table_counts(app) == before  # not even the new patient was stored
    assert occupied(session, "Cardiology") == 4


def test_a_patient_has_at_most_one_open_admission(app, desk_session):
    session = desk_session
    first = support.admit(session, app)
    number = first.patient.patient_number
    before = table_counts(app)
    with pytest.raises(admissions.AlreadyAdmitted, match="already admitted to General Medicine"):
        support.admit(
            session, app, patient_number=number, department="Cardiology", doctor="dr.heart"
        )
    assert table_counts(app) == before

    support.pay(session, first.bill.id, "500")
    support.discharge(session, app, first.id)
    again = support.admit(
        session, app, patient_number=number, department="Cardiology", doctor="dr.heart"
    )
    assert again.is_open and again.id != first.id


def test_the_database_refuses_a_second_open_admission_too(app, desk_session):
    """The partial unique index holds even if a check in Python were skipped."""
    session = desk_session
    first = support.admit(session, app)
    session.add(
        Admission(
            patient_id=first.patient_id,
            department_id=first.department_id,
            doctor_id=first.doctor_id,
            admitted_by_id=first.admitted_by_id,
        )
    )
    with pytest.raises(sa.exc.IntegrityError):
        session.flush()
    session.rollback()


@pytest.mark.parametrize(
    "change, field",
    [
        ({"department_id": 999_999}, "department_id"),
        ({"doctor_id": 999_999}, "doctor_id"),
        ({"doctor": "dr.retired"}, "doctor_id"),  # not bookable
        ({"patient_number": "20000101999"}, "patient_number"),
    ],
)
def test_unknown_choices_are_refused_and_nothing_is_stored(app, desk_session, change, field):
    session = desk_session
    before = table_counts(app)
    kwargs = {
        "department_id": support.department_id(session, "General Medicine"),
        "doctor_id": support.doctor_id(session, change.pop("doctor", "dr.house")),
        "patient_number": None,
        "new_patient": support.new_patient(),
    }
    kwargs.update(change)
    with pytest.raises(admissions.AdmissionError) as refused:
        admissions.admit_patient(
            session,
            by=support.user(session, "desk"),
            fee=support.FEE,
            day=datetime.now(UTC).date(),
            **kwargs,
        )
    assert refused.value.field == field
    assert table_counts(app) == before


def test_any_bookable_doctor_may_attend(app, desk_session):
    admission = support.admit(desk_session, app, department="Cardiology", doctor="dr.house")
    assert (admission.department.name, admission.doctor.department.name) == (
        "Cardiology",
        "General Medicine",
    )


def test_no_fee_configured_means_no_fee_line(app, desk_session):
    admission = support.admit(desk_session, app, fee=Decimal("0"))
    assert admission.bill.items == []


def test_discharge_is_refused_while_a_balance_is_open(app, desk_session):
    session = desk_session
    admission = support.admit(session, app)
    before = table_counts(app)
    with pytest.raises(admissions.BalanceOpen, match="balance of ₹500.00 is still open"):
        support.discharge(session, app, admission.id)
    assert table_counts(app) == before
    session.expire_all()
    assert admission.is_open and not admission.bill.is_frozen


def test_discharge_with_an_override_records_the_reason_frees_the_bed_and_freezes_the_bill(
    app, desk_session
):
    session = desk_session
    admission = support.admit(session, app)
    assert occupied(session, "General Medicine") == 1
    moment = datetime(2026, 3, 5, 9, 30, tzinfo=UTC)

    support.discharge(
        session, app, admission.id, override_reason="  Insurer   pays in 30 days ", now=moment
    )
    session.expire_all()
    assert admission.discharged_at == moment
    assert admission.discharged_by.username == "desk"
    assert admission.discharge_override == "Insurer pays in 30 days"
    assert admission.bill.frozen_at == moment
    assert admission.bill.final_pdf.startswith(b"%PDF-")
    assert occupied(session, "General Medicine") == 0
    event = session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "admission_discharged"))
    assert "override: Insurer pays in 30 days" in event.details


def test_a_paid_bill_needs_no_override_and_keeps_none(app, desk_session):
    session = desk_session
    admission = support.admit(session, app)
    support.pay(session, admission.bill.id, "500.00")
    support.discharge(session, app, admission.id, override_reason="not needed")
    session.expire_all()
    assert not admission.is_open and admission.discharge_override is None


def test_discharging_twice_is_refused(app, desk_session):
    session = desk_session
    admission = support.admit(session, app, fee=Decimal("0"))
    support.discharge(session, app, admission.id)
    before = support.snapshot(session, admission.bill.id)
    with pytest.raises(admissions.AdmissionClosed):
        support.discharge(session, app, admission.id, override_reason="again")
    assert support.snapshot(session, admission.bill.id) == before


def test_an_overlong_override_reason_is_refused(app, desk_session):
    admission = support.admit(desk_session, app)
    with pytest.raises(admissions.AdmissionError, match="500 characters"):
        support.discharge(desk_session, app, admission.id, override_reason="x" * 501)


def test_discharge_fails_clearly_and_changes_nothing_without_the_pdf_font(
    app, desk_session, monkeypatch, tmp_path
):
    session = desk_session
    admission = support.admit(session, app, fee=Decimal("0"))
    monkeypatch.setattr(pdf, "FONT_DIR", tmp_path)
    with pytest.raises(pdf.PdfUnavailable, match="fonts-dejavu-core"):
        support.discharge(session, app, admission.id)
    session.expire_all()
    assert admission.is_open and session.get(Bill, admission.bill.id).final_pdf is None


def test_occupancy_is_counted_per_department(app, desk_session):
    session = desk_session
    support.admit(session, app, support.new_patient("A One", "+919800000001"))
    support.admit(
        session,
        app,
        support.new_patient("B Two", "+919800000002"),
        department="Cardiology",
        doctor="dr.heart",
    )
    rows = {
        row.department: (row.beds, row.occupied, row.free) for row in front_desk.occupancy(session)
    }
    assert rows == {"General Medicine": (10, 1, 9), "Cardiology": (4, 1, 3)}
    # Beds cut below occupancy by an admin never show negative free beds.
    session.execute(sa.update(Department).values(beds=0))
    session.commit()
    assert {row.free for row in front_desk.occupancy(session)} == {0}
