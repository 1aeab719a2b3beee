"""The front desk's dashboard and patient search."""

import re

import pytest
import sqlalchemy as sa

from hms.extensions import db
from hms.models import AuditEvent, Department, Patient
from hms.services.patient_search import search_patients
from tests.register import support


@pytest.fixture
def ward(app, staff):
    """Three patients in General Medicine (one paid in part), one in Cardiology."""
    with app.app_context():
        stays = [
            support.admit(db.session, app, support.new_patient(name, f"+9197000000{i:02d}"))
            for i, name in enumerate(["Asha Verma", "Ravi Iyer", "Mira Das"])
        ]
        support.admit(
            db.session,
            app,
            support.new_patient("Rohan Khan", "+919700000099"),
            department="Cardiology",
            doctor="dr.heart",
        )
        support.charge(db.session, stays[0].id, "X-ray, chest", 2, "600.00")
        support.pay(db.session, stays[0].bill.id, "700")
        return [s.id for s in stays]


def cells(html: str, row_text: str) -> list[str]:
    """The cell texts of the table row that contains `row_text`."""
    row = next(r for r in re.findall(r"<tr.*?</tr>", html, re.S) if row_text in r)
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td.*?</td>", row, re.S)]


def open_bills(client, url: str) -> str:
    """The open bills section of the dashboard."""
    html = client.get(url).get_data(as_text=True)
    return html[html.index('id="open-bills"') :].split("</section>")[0]


def test_dashboard_shows_occupancy_today_and_open_bills(desk, ward):
    html = desk.get("/register/").get_data(as_text=True)
    assert 'id="count-admitted">4<' in html
    assert 'id="count-free">10<' in html  # 10 + 4 beds, 4 taken
    assert 'id="count-admissions-today">4<' in html
    assert cells(html, 'data-department="General Medicine"')[:4] == [
        "General Medicine",
        "10",
        "3",
        "7",
    ]
    assert cells(html, 'data-department="Cardiology"')[:4] == ["Cardiology", "4", "1", "3"]
    asha = cells(html, "Asha Verma")
    assert asha[2:4] == ["General Medicine", "Dr. Gregory House"]
    assert asha[5:] == ["₹1,700.00", "₹700.00", "₹1,000.00"]
    assert cells(html, "Rohan Khan")[5:] == ["₹500.00", "₹0.00", "₹500.00"]


def listed(html: str, list_id: str) -> list[str]:
    """The patient names of one of the dashboard's day lists, in order."""
    section = html[html.index(f'id="{list_id}"') :].split("</ul>")[0]
    return re.findall(r"<a href=[^>]*>([^<]+)</a>", section)


def test_dashboard_lists_the_days_admissions_and_discharges_newest_first(app, desk, ward):
    with app.app_context():
        support.discharge(db.session, app, ward[2], override_reason="Settles at the counter")
        support.discharge(db.session, app, ward[0], override_reason="Settles at the counter")
    html = desk.get("/register/").get_data(as_text=True)
    names = ["Rohan Khan", "Mira Das", "Ravi Iyer", "Asha Verma"]
    assert listed(html, "admitted-today") == names
    assert listed(html, "discharged-today") == ["Asha Verma", "Mira Das"]
    assert 'id="count-discharges-today">2<' in html


def test_a_department_without_beds_is_not_shown_as_full(app, desk, ward):
    """An outpatient department has no beds to fill: no occupancy meter at 100 %."""
    with app.app_context():
        db.session.add(Department(name="Outpatient Clinic", beds=0))
        db.session.commit()
    html = desk.get("/register/").get_data(as_text=True)
    clinic = cells(html, 'data-department="Outpatient Clinic"')
    assert clinic == ["Outpatient Clinic", "0", "0", "0", "No beds (outpatients only)"]
    assert cells(html, 'data-department="Cardiology"')[4] == "25%"


def test_open_bills_by_department_and_paginated(app, desk, ward, hospital):
    html = open_bills(desk, f"/register/?department={hospital.departments['cardiology']}")
    assert "Rohan Khan" in html and "Asha Verma" not in html
    with app.app_context():
        db.session.add(Department(name="Surgical Ward", beds=30))
        db.session.commit()
        for i in range(22):
            patient = support.new_patient(f"Surgery Patient {i:02d}", f"+9196000000{i:02d}")
            support.admit(db.session, app, patient, department="Surgical Ward")
    first, second = open_bills(desk, "/register/"), open_bills(desk, "/register/?page=2")
    assert first.count("/register/admissions/") == 20 and 'rel="next"' in first
    assert second.count("/register/admissions/") == 6 and 'rel="prev"' in second
    assert desk.get("/register/?page=99999999999999999999").status_code == 200
    assert desk.get("/register/?department=99999999999999").status_code == 200


def test_search_by_patient_id_phone_and_name_prefix(app, desk, ward):
    with app.app_context():
        number = db.session.scalar(
            sa.select(Patient.patient_number).where(Patient.full_name == "Ravi Iyer")
        )
    by_id = desk.get(f"/register/patients?q={number}").get_data(as_text=True)
    assert "Ravi Iyer" in by_id and "Asha Verma" not in by_id
    for typed in ["+91 97000 00002", "097000 00002", "9700000002"]:
        page = desk.get("/register/patients", query_string={"q": typed}).get_data(as_text=True)
        assert "Mira Das" in page and "Ravi Iyer" not in page, typed
    for typed in ["ro", "RO", "  rohan   k"]:
        page = desk.get("/register/patients", query_string={"q": typed}).get_data(as_text=True)
        assert "Rohan Khan" in page and "Ravi Iyer" not in page, typed
    nothing = desk.get("/register/patients?q=zz").get_data(as_text=True)
    assert 'id="no-results"' in nothing and "No patient found" in nothing
    with app.app_context():
        searches = db.session.scalars(
            sa.select(AuditEvent.details).where(AuditEvent.action == "patient_search")
        ).all()
    assert len(searches) == 8 and searches[0].startswith(f"'{number}'")


def test_search_pages_through_many_matches(app, session, staff):
    session.add_all(
        Patient(
            patient_number=f"20260101{n:03d}",
            full_name=f"Sharma {n:03d}",
            name_key=f"sharma {n:03d}",
            phone=f"+9198{n:08d}",
        )
        for n in range(45)
    )
    session.add(
        Patient(
            patient_number="20260101999", full_name="Shah", name_key="shah", phone="+919811111111"
        )
    )
    session.commit()
    pages = [search_patients(session, "sharma", "IN", page) for page in (1, 2, 3)]
    assert [len(p.patients) for p in pages] == [20, 20, 5]
    assert [p.has_next for p in pages] == [True, True, False]
    names = [patient.full_name for page in pages for patient in page.patients]
    assert names == [f"Sharma {n:03d}" for n in range(45)]
    assert search_patients(session, "sha", "IN").patients[0].full_name == "Shah"


@pytest.mark.parametrize("typed", ["", "   ", "%", "_", "!!!", "12", "x" * 500, "\x00"])
def test_odd_searches_find_nothing_and_never_fail(desk, ward, typed):
    response = desk.get("/register/patients", query_string={"q": typed})
    assert response.status_code == 200
    assert "Asha Verma" not in response.get_data(as_text=True)


def test_a_name_search_is_a_prefix_not_a_pattern(session, staff):
    session.add_all(
        [
            Patient(
                patient_number="20260101001", full_name="A_b", name_key="a_b", phone="+919800000001"
            ),
            Patient(
                patient_number="20260101002", full_name="Axb", name_key="axb", phone="+919800000002"
            ),
            Patient(
                patient_number="20260101003", full_name="Zoë", name_key="zoë", phone="+919800000003"
            ),
        ]
    )
    session.commit()
    assert [p.full_name for p in search_patients(session, "a_", "IN").patients] == ["A_b"]
    assert [p.full_name for p in search_patients(session, "ZOË", "IN").patients] == ["Zoë"]
    assert search_patients(session, "zoe", "IN").patients == []  # ë is not e
