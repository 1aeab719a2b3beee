"""Booking through the public contract and finding the booking again."""

import re

import sqlalchemy as sa

from hms.extensions import db
from hms.models import Appointment, Patient
from hms.services.clock import hospital_now
from tests.helpers import booking_form, csrf_token

PATIENT_ID = re.compile(r'id="patient-id">(\d+)<')


def book(client, doctor_id, day, **overrides):
    """Post the booking form; return the response."""
    return client.post("/appointments", data=booking_form(client, doctor_id, day, **overrides))


def patient_id_of(client, response) -> str:
    """Follow a booking's redirect and read the patient ID on the confirmation page."""
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    return PATIENT_ID.search(page).group(1)


def test_booking_redirects_to_its_confirmation(app, client, hospital, tomorrow):
    response = book(client, hospital.doctors["house"], tomorrow)

    assert response.status_code == 303
    location = response.headers["Location"]
    assert re.fullmatch(r"/appointments/[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", location)
    page = client.get(location)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    today = hospital_now(app.config["HMS_TIMEZONE"]).strftime("%Y%m%d")
    assert re.fullmatch(today + r"\d{3}", PATIENT_ID.search(html).group(1))
    assert "status-pending" in html and ">pending<" in html
    assert "Dr. Gregory House" in html and "10:00" in html


def test_same_person_reuses_patient_id(client, hospital, tomorrow):
    first = book(client, hospital.doctors["house"], tomorrow, time="10:00")
    again = book(
        client,
        hospital.doctors["heart"],
        tomorrow,
        time="11:00",
        name="  asha   VERMA ",
        phone="+91-98765-43210",
    )
    assert first.status_code == again.status_code == 303
    assert patient_id_of(client, first) == patient_id_of(client, again)


def test_other_name_on_same_phone_is_another_patient(client, hospital, tomorrow):
    mother = book(client, hospital.doctors["house"], tomorrow, time="10:00")
    son = book(client, hospital.doctors["house"], tomorrow, time="10:15", name="Ravi Verma")
    first, second = patient_id_of(client, mother), patient_id_of(client, son)
    assert first != second
    assert int(second[-3:]) == int(first[-3:]) + 1


def test_status_lookup_lists_the_bookings(client, hospital, tomorrow):
    book(client, hospital.doctors["house"], tomorrow, time="10:00")
    book(client, hospital.doctors["heart"], tomorrow, time="14:30")

    response = client.post(
        "/status",
        data={
            "name": "ASHA verma",
            "phone": "0 98765 43210",
            "csrf_token": csrf_token(client, "/status"),
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert PATIENT_ID.search(html)
    assert "Dr. Gregory House" in html and "Dr. Hema Heart" in html
    assert "General Medicine" in html and "Cardiology" in html
    assert "14:30" in html and html.count("status-pending") == 2
    assert "No booking found" not in html


def test_status_lookup_with_wrong_pair_says_only_not_found(client, hospital, tomorrow):
    book(client, hospital.doctors["house"], tomorrow)
    for name, phone in [("Asha Verma", "98765 43211"), ("Asha Varma", "98765 43210")]:
        response = client.post(
            "/status",
            data={"name": name, "phone": phone, "csrf_token": csrf_token(client, "/status")},
        )
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        assert "No booking found." in html
        assert "patient-id" not in html and "Dr. Gregory House" not in html


def test_booking_stores_canonical_phone_and_display_name(app, client, hospital, tomorrow):
    book(client, hospital.doctors["house"], tomorrow, name="  Asha   Verma ", phone="098765-43210")
    with app.app_context():
        patient = db.session.scalars(sa.select(Patient)).one()
        appointment = db.session.scalars(sa.select(Appointment)).one()
    assert (patient.full_name, patient.name_key, patient.phone) == (
        "Asha Verma",
        "asha verma",
        "+919876543210",
    )
    assert appointment.status == "pending" and appointment.reason == "Cough for a week"


def test_booked_slot_disappears_from_free_slots(client, hospital, tomorrow):
    url = f"/api/doctors/{hospital.doctors['house']}/slots?date={tomorrow.isoformat()}"
    before = client.get(url).get_json()
    assert before[0] == "09:00" and "10:00" in before and before[-1] == "16:45"
    book(client, hospital.doctors["house"], tomorrow, time="10:00")
    after = client.get(url).get_json()
    assert "10:00" not in after and len(after) == len(before) - 1


def test_slot_taken_gets_409_and_keeps_the_form(client, hospital, tomorrow):
    book(client, hospital.doctors["house"], tomorrow, time="10:00")
    response = book(client, hospital.doctors["house"], tomorrow, time="10:00", name="Other Person")
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "was just taken" in html
    assert 'value="Other Person"' in html


def test_unknown_reference_is_404(client, hospital):
    assert client.get("/appointments/AAAA-BBBB-CCCC").status_code == 404


def test_api_doctors_lists_bookable_doctors(client, hospital):
    doctors = client.get("/api/doctors").get_json()
    assert {d["name"] for d in doctors} == {"Dr. Gregory House", "Dr. Hema Heart", "Dr. Mona Day"}
    assert all(set(d) >= {"id", "name", "department"} for d in doctors)
