"""Patient identity: canonical phones, folded names, patient ID allocation and matching."""

from datetime import date

import pytest
import sqlalchemy as sa

from hms.models import Patient, PatientIdCounter
from hms.services.patients import (
    InvalidPhone,
    allocate_patient_id,
    find_or_create_patient,
    fold_name,
    format_patient_id,
    normalize_phone,
)

DAY = date(2026, 11, 25)


@pytest.mark.parametrize(
    "raw",
    [
        "9876543210",
        "98765 43210",
        "098765-43210",
        "+91 98765 43210",
        "+919876543210",
        "(+91) 98765.43210",
    ],
)
def test_common_formats_of_one_number_normalise_alike(raw):
    assert normalize_phone(raw, "IN") == "+919876543210"


def test_foreign_numbers_keep_their_country():
    assert normalize_phone("+44 20 7946 0958", "IN") == "+442079460958"


@pytest.mark.parametrize("raw", ["", "   ", "12345", "abcdefghij", "+91 98765", "9" * 30])
def test_invalid_phone_numbers_are_refused(raw):
    with pytest.raises(InvalidPhone):
        normalize_phone(raw, "IN")


@pytest.mark.parametrize("raw", ["Asha Verma", "  asha   VERMA ", "ASHA\tverma", "Ａｓｈａ Verma"])
def test_names_fold_case_spacing_and_width(raw):
    assert fold_name(raw) == "asha verma"


def test_patient_id_format_grows_past_999():
    assert format_patient_id(DAY, 7) == "20261125007"
    assert format_patient_id(DAY, 999) == "20261125999"
    assert format_patient_id(DAY, 1000) == "202611251000"


def test_allocation_counts_per_day_and_never_repeats(session):
    first = [allocate_patient_id(session, DAY) for _ in range(3)]
    other_day = allocate_patient_id(session, date(2026, 11, 26))
    session.commit()
    assert first == ["20261125001", "20261125002", "20261125003"]
    assert other_day == "20261126001"
    assert allocate_patient_id(session, DAY) == "20261125004"


def test_allocation_passes_999_without_failing(session):
    session.add(PatientIdCounter(day=DAY, last_number=998))
    session.commit()
    assert [allocate_patient_id(session, DAY) for _ in range(3)] == [
        "20261125999",
        "202611251000",
        "202611251001",
    ]


def test_rolled_back_allocation_hands_out_no_id_twice(session):
    taken = allocate_patient_id(session, DAY)
    session.add(Patient(patient_number=taken, full_name="A", name_key="a", phone="+919876543210"))
    session.commit()
    allocate_patient_id(session, DAY)
    session.rollback()  # a booking that failed after taking a number
    assert allocate_patient_id(session, DAY) != taken


def test_match_reuses_patient_on_same_phone_and_folded_name(session):
    first = find_or_create_patient(session, name="Asha Verma", phone="+919876543210", day=DAY)
    again = find_or_create_patient(session, name=" ASHA  verma", phone="+919876543210", day=DAY)
    sibling = find_or_create_patient(session, name="Ravi Verma", phone="+919876543210", day=DAY)
    session.commit()
    assert again.id == first.id and again.patient_number == first.patient_number
    assert sibling.id != first.id and sibling.patient_number == "20261125002"
    assert session.scalar(sa.select(sa.func.count()).select_from(Patient)) == 2


def test_database_refuses_a_duplicate_patient(session):
    """The (phone, name) rule is a unique constraint, not only a check in Python."""
    session.add(Patient(patient_number="1", full_name="A", name_key="a b", phone="+919876543210"))
    session.add(Patient(patient_number="2", full_name="A B", name_key="a b", phone="+919876543210"))
    with pytest.raises(sa.exc.IntegrityError):
        session.commit()
