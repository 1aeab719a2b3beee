"""The doctor's dashboard: their own lists with counts, pages, and the patient search."""

from datetime import time, timedelta

import pytest

from hms.extensions import db
from hms.services import doctor_queue
from hms.services.clock import hospital_now
from tests import factories
from tests.doctor.builders import make_appointment
from tests.doctor.pages import counts, field_errors, listed
from tests.helpers import sign_in


@pytest.fixture
def today(app):
    return hospital_now(app.config["HMS_TIMEZONE"]).date()


@pytest.fixture
def day_of(app, hospital, today, tomorrow):
    """Appointments of both doctors in every list; ids by name."""
    house, heart = hospital.doctors["house"], hospital.doctors["heart"]
    plan = {
        "new": (house, tomorrow, time(9), "pending"),
        "new_later": (house, tomorrow + timedelta(days=3), time(9), "pending"),
        "today": (house, today, time(9), "confirmed"),
        "today_done": (house, today, time(8), "completed"),
        "today_off": (house, today, time(10), "canceled"),
        "upcoming": (house, tomorrow, time(10), "confirmed"),
        "seen": (house, today - timedelta(days=2), time(9), "completed"),
        "called_off": (house, today - timedelta(days=1), time(9), "canceled"),
        "heart_new": (heart, tomorrow, time(9), "pending"),
        "heart_today": (heart, today, time(9), "confirmed"),
        "heart_seen": (heart, today - timedelta(days=1), time(9), "completed"),
    }
    with app.app_context():
        ids = {
            name: make_appointment(
                db.session, doctor, day, at, status=status, name=f"Patient {name.title()}"
            ).id
            for name, (doctor, day, at, status) in plan.items()
        }
        db.session.commit()
    return ids


def page(client, query: str = "") -> tuple[int, str]:
    response = client.get(f"/doctor/{query}")
    return response.status_code, response.get_data(as_text=True)


def test_each_list_holds_only_the_doctors_own_appointments(doctor, day_of):
    status, html = page(doctor)
    assert status == 200
    assert counts(html) == {"pending": 2, "today": 2, "upcoming": 1, "history": 4}
    assert listed(html) == [day_of["new"], day_of["new_later"]]  # oldest request first
    expected = {
        "today": [day_of["today_done"], day_of["today"]],  # by time; canceled ones left out
        "upcoming": [day_of["upcoming"]],
        "history": [day_of[n] for n in ("today_off", "today_done", "called_off", "seen")],
    }
    for view, ids in expected.items():
        status, html = page(doctor, f"?view={view}")
        assert (status, listed(html)) == (200, ids), view
        assert "Patient Heart" not in html


def test_long_lists_are_paged_in_order_without_gaps_or_repeats(app, doctor, hospital, today):
    with app.app_context():
        made = [
            make_appointment(
                db.session,
                hospital.doctors["house"],
                today - timedelta(days=1 + n // 4),
                time(9 + n % 4),
                status="completed",
            ).id
            for n in range(45)
        ]
        db.session.commit()
    # Appointment n is on day -(1 + n // 4) at hour 9 + n % 4: newest day first, then latest hour.
    newest_first = [made[n] for n in sorted(range(45), key=lambda n: (n // 4, -(n % 4)))]

    pages = []
    for number in (1, 2, 3):
        status, html = page(doctor, f"?view=history&page={number}")
        assert status == 200 and f"Page {number} of 3" in html
        pages.append(listed(html))
    assert [len(p) for p in pages] == [20, 20, 5]
    assert sum(pages, []) == newest_first
    _, beyond = page(doctor, "?view=history&page=999")
    assert listed(beyond) == pages[2] and "Page 3 of 3" in beyond


def test_a_list_past_the_count_cap_shows_cap_plus_and_pages_forward(
    app, doctor, hospital, today, monkeypatch
):
    monkeypatch.setattr(doctor_queue, "COUNT_CAP", 10)
    with app.app_context():
        made = [
            make_appointment(
                db.session,
                hospital.doctors["house"],
                today - timedelta(days=1 + n),
                time(9),
                status="canceled",
            ).id
            for n in range(25)
        ]
        db.session.commit()

    pages, has_next = [], []
    for number in (1, 2, 3):
        status, html = page(doctor, f"?view=history&page={number}")
        assert status == 200 and 'id="count-history">10+<' in html
        assert f"Page {number}<" in html and f"Page {number} of" not in html
        pages.append(listed(html))
        has_next.append('rel="next"' in html)
    assert [len(p) for p in pages] == [20, 5, 0]
    assert has_next == [True, False, False]
    assert sum(pages, []) == made  # newest first: appointment n is n + 1 days ago


@pytest.fixture
def patients(app, hospital, tomorrow):
    """Asha sees both doctors; Ashok and Ravi see Dr. House; Ashwin only Dr. Heart."""
    house, heart = hospital.doctors["house"], hospital.doctors["heart"]
    with app.app_context():
        s = db.session
        made = {
            "asha": make_appointment(s, house, tomorrow, time(10)),
            "asha_heart": make_appointment(s, heart, tomorrow, time(12, 30)),
            "ashok": make_appointment(s, house, tomorrow, time(11), name="Ashok Kumar"),
            "ravi": make_appointment(s, house, tomorrow, time(12), name="Ravi Kumar"),
            "ashwin": make_appointment(
                s, heart, tomorrow, time(11), name="Ashwin Rao", phone="91234 56789"
            ),
        }
        ids = {name: a.id for name, a in made.items()}
        ids["asha_number"] = made["asha"].patient.patient_number
        db.session.commit()
    return ids


@pytest.fixture(params=[True, False], ids=["patients-first", "doctor-first"])
def search_path(request, monkeypatch):
    """Run each search both ways: from the patients' appointments and from the doctor's."""
    monkeypatch.setattr(doctor_queue, "patients_first", lambda *args: request.param)


@pytest.mark.usefixtures("search_path")
def test_search_finds_own_patients_by_name_phone_or_patient_id(doctor, patients):
    searches = {
        "ash": [patients["ashok"], patients["asha"]],  # newest first: 11:00, then 10:00
        "  ASHA   v": [patients["asha"]],
        "kumar": [],  # a prefix of the name, not any word of it
        "+91 98765-43210": [patients["ravi"], patients["ashok"], patients["asha"]],
        "098765 43210": [patients["ravi"], patients["ashok"], patients["asha"]],
        patients["asha_number"]: [patients["asha"]],
        "asha%": [],
        "as_a": [],
        "ashw": [],  # Dr. Heart's patient
    }
    for query, ids in searches.items():
        response = doctor.get("/doctor/", query_string={"q": query})
        assert response.status_code == 200, query
        assert listed(response.get_data(as_text=True)) == ids, query


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"q": "12345"}, "q", "Enter a whole phone number, a patient ID or a name."),
        ({"q": "x" * 101}, "q", "Field cannot be longer than 100 characters."),
        ({"q": "as\x00ha"}, "q", "Remove the special characters from this field."),
        ({"view": "everything"}, None, "Not a valid choice."),
        ({"page": "0"}, None, "Number must be between 1 and 1000000."),
        ({"page": "two"}, None, "Not a valid integer value."),
    ],
)
def test_bad_search_or_list_gets_422_with_the_reason(doctor, patients, query, field, message):
    response = doctor.get("/doctor/", query_string=query)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    if field:
        assert field_errors(html)[field] == message
    else:
        assert message in html
    assert 'id="count-pending">3<' in html  # the counts are still there


def test_a_doctor_account_not_enrolled_sees_why(app, client, hospital, patients):
    with app.app_context():
        factories.make_user(db.session, "dr.new", "doctor", "Dr. New")
        db.session.commit()
    sign_in(client, "dr.new")
    response = client.get("/doctor/")
    assert response.status_code == 200
    assert "not enrolled in a department" in response.get_data(as_text=True)
    assert client.get(f"/doctor/appointments/{patients['asha']}").status_code == 403
    assert client.get("/doctor/admissions").status_code == 403
