"""The doctor's patient search by name prefix: exact under any spelling the folding allows,
by either of its two ways of reading the database."""

from datetime import time

import pytest

from hms.services import doctor_queue
from tests.doctor.builders import make_appointment

NAMES = ["D'Souza Carl", "Dsouza Anil", "Ünal Öz", "Zoë Rao", "Straße Max", "Asha Verma"]


@pytest.fixture(params=[True, False], ids=["patients-first", "doctor-first"])
def booked(request, monkeypatch, session, hospital, tomorrow):
    """Dr. House's id, with one appointment for each name (each its own phone); searches
    run from the patients' appointments, then from the doctor's."""
    monkeypatch.setattr(doctor_queue, "patients_first", lambda *args: request.param)
    house = hospital.doctors["house"]
    for n, name in enumerate(NAMES):
        make_appointment(session, house, tomorrow, time(9 + n), name=name, phone=f"9876500{n:03d}")
    session.commit()
    return house


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("d'", ["D'Souza Carl"]),
        ("D'SO", ["D'Souza Carl"]),
        ("ds", ["Dsouza Anil"]),
        ("ünal  ö", ["Ünal Öz"]),
        ("UNAL", []),
        ("zoë", ["Zoë Rao"]),
        ("strasse", ["Straße Max"]),
        ("%", []),
        ("_", []),
        ("'", []),
        ("asha verma x", []),
    ],
)
def test_name_prefix_search_is_exact(session, booked, tomorrow, query, found):
    board = doctor_queue.dashboard(session, booked, tomorrow, query=query)
    assert [a.patient_name for a in board.page.items] == found


def test_prefix_range_bounds_every_continuation():
    assert doctor_queue.prefix_range("asha") == ("asha", "ashb")
    assert doctor_queue.prefix_range("d'") == ("d'", "d(")
    assert doctor_queue.prefix_range("ünal ö") == ("ünal ö", "ünal ÷")
    assert doctor_queue.prefix_range("a\ud7ff") is None
    assert doctor_queue.prefix_range("") is None


def test_without_code_point_order_a_name_is_tested_row_by_row(session, booked, tomorrow):
    """Under a linguistic collation (en_US) a range could miss names: no range then."""
    match = doctor_queue.patient_match("d'so", "IN", code_point_order=False)
    assert "name_key >=" not in str(match.seek)


def test_the_search_reads_whichever_way_touches_fewer_rows(session, hospital, tomorrow):
    """200 patients, one appointment each: 4 of them match and they have few rows, so
    patients first; 150 match, and the doctor's first page fills at once, so doctor first."""
    house = hospital.doctors["house"]
    for n in range(200):
        make_appointment(
            session,
            house,
            tomorrow,
            time(9 + n % 8),
            name=f"Pat {n}",
            phone=f"98765{n:05d}",
            status="completed",
        )
    session.commit()
    assert doctor_queue.patients_first(session, matching=4, page=1)
    assert not doctor_queue.patients_first(session, matching=150, page=1)
    assert doctor_queue.patients_first(session, matching=150, page=20)
