"""Walk-in registration and admission through the front desk's forms."""

import re

import pytest
import sqlalchemy as sa

from hms.extensions import db
from hms.models import Admission, AuditEvent, Patient
from hms.services import admissions
from hms.services.clock import hospital_now
from tests.helpers import csrf_token, table_counts
from tests.register import support


def patient_form(client, **overrides) -> dict:
    form = {
        "name": "Kavya  Reddy",
        "phone": "098450 12345",
        "email": "",
        "gender": "female",
        "date_of_birth": "1991-07-23",
        "address": "22 Temple Street\nMysuru 570001",
        "csrf_token": csrf_token(client, "/register/"),
    }
    form.update(overrides)
    return {k: v for k, v in form.items() if v is not None}


def admit_form(client, hospital, **overrides) -> dict:
    form = patient_form(client)
    form.update(
        patient_number="",
        department_id=str(hospital.departments["medicine"]),
        doctor_id=str(hospital.doctors["house"]),
    )
    form.update(overrides)
    return {k: v for k, v in form.items() if v is not None}


def test_a_walk_in_gets_a_patient_id(app, desk):
    response = desk.post("/register/patients/new", data=patient_form(desk))
    assert response.status_code == 303
    page = desk.get(response.headers["Location"]).get_data(as_text=True)
    number = re.search(r'id="patient-id">(\d{11})<', page).group(1)
    assert f"Registered Kavya Reddy: patient ID {number}." in page
    with app.app_context():
        patient = db.session.scalar(sa.select(Patient))
        assert (patient.full_name, patient.phone, patient.gender) == (
            "Kavya Reddy",
            "+919845012345",
            "female",
        )
        assert patient.address == "22 Temple Street, Mysuru 570001"
        assert db.session.scalar(
            sa.select(AuditEvent.action).where(AuditEvent.patient_id == patient.id).limit(1)
        )

    again = desk.post("/register/patients/new", data=patient_form(desk, name="kavya reddy"))
    assert again.status_code == 303
    assert "was registered already" in desk.get(again.headers["Location"]).get_data(as_text=True)
    assert table_counts(app)["patients"] == 1


@pytest.mark.parametrize(
    "change, message",
    [
        ({"name": ""}, "Enter the patient&#39;s full name."),
        ({"name": "1234"}, "Enter a name with letters."),
        ({"name": "x" * 101}, "Field cannot be longer than 100 characters."),
        ({"phone": "12"}, "Enter a valid phone number"),
        ({"gender": "unknown"}, "Choose the gender."),
        ({"date_of_birth": "2999-01-01"}, "between 1900 and today"),
        ({"date_of_birth": "01/02/1990"}, "Not a valid date value."),
        ({"address": ""}, "Enter the address."),
        ({"address": "x" * 301}, "Field cannot be longer than 300 characters."),
        ({"email": "not-an-email"}, "Enter a valid email address."),
        ({"name": "Asha\x00Verma"}, "Remove the special characters"),
    ],
)
def test_bad_walk_in_details_are_refused_and_nothing_is_stored(app, desk, change, message):
    before = table_counts(app)
    response = desk.post("/register/patients/new", data=patient_form(desk, **change))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert table_counts(app) == before


def test_admitting_a_new_patient_in_one_form(app, desk, hospital):
    response = desk.post("/register/admissions/new", data=admit_form(desk, hospital))
    assert response.status_code == 303
    page = desk.get(response.headers["Location"]).get_data(as_text=True)
    assert "Admitted Kavya Reddy to General Medicine." in page
    assert "Admission fee" in page and 'id="bill-balance">₹500.00<' in page
    with app.app_context():
        admission = db.session.scalar(sa.select(Admission))
        assert admission.patient.full_name == "Kavya Reddy"
        assert admission.admitted_by.username == "desk"


def test_admitting_a_registered_patient_by_id(app, desk, hospital):
    with app.app_context():
        patient = admissions.register_patient(
            db.session,
            support.new_patient("Arjun Khan", "+919700000001"),
            day=hospital_now(app.config["HMS_TIMEZONE"]).date(),
            by=support.user(db.session, "desk"),
        )[0]
        number, patient_id = patient.patient_number, patient.id
    form_page = desk.get(f"/register/admissions/new?patient={patient_id}").get_data(as_text=True)
    assert 'id="admit-patient-name">Arjun Khan<' in form_page
    # The new-patient fields are ignored (even if filled in badly) when an ID is given.
    form = admit_form(desk, hospital, patient_number=number, name="", phone="bad")
    form["department_id"] = str(hospital.departments["cardiology"])
    response = desk.post("/register/admissions/new", data=form)
    assert response.status_code == 303
    assert table_counts(app)["patients"] == 1
    second = desk.post("/register/admissions/new", data=form)
    assert second.status_code == 409
    assert "Arjun Khan is already admitted to Cardiology." in second.get_data(as_text=True)


@pytest.mark.parametrize(
    "change, message",
    [
        ({"department_id": ""}, "Choose a department."),
        ({"department_id": "999999"}, "Choose a department."),
        ({"department_id": "9" * 400}, "Choose a department."),
        ({"department_id": "abc"}, "Choose a department."),
        ({"doctor_id": "999999"}, "Choose an attending doctor."),
        ({"patient_number": "2026"}, "A patient ID has 11 or 12 digits."),
        ({"patient_number": "20000101999"}, "There is no patient with this ID."),
        ({"name": ""}, "Enter the patient&#39;s full name."),
        ({"phone": ""}, "Enter a phone number."),
    ],
)
def test_bad_admissions_are_refused_and_nothing_is_stored(app, desk, hospital, change, message):
    before = table_counts(app)
    response = desk.post("/register/admissions/new", data=admit_form(desk, hospital, **change))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert table_counts(app) == before


def test_a_retired_doctor_is_not_offered_nor_accepted(app, desk, hospital):
    page = desk.get("/register/admissions/new").get_data(as_text=True)
    assert "Dr. Gregory House" in page and ">Dr.Retired<" not in page
    form = admit_form(desk, hospital, doctor_id=str(hospital.doctors["retired"]))
    assert desk.post("/register/admissions/new", data=form).status_code == 422


def test_no_free_bed_is_a_clear_409(app, desk, hospital):
    with app.app_context():
        for i in range(4):
            support.admit(
                db.session,
                app,
                support.new_patient(f"Bed {i}", f"+91970000001{i}"),
                department="Cardiology",
                doctor="dr.heart",
            )
    page = desk.get("/register/admissions/new").get_data(as_text=True)
    assert "Cardiology (0 of 4 beds free)" in page
    before = table_counts(app)
    form = admit_form(desk, hospital, department_id=str(hospital.departments["cardiology"]))
    response = desk.post("/register/admissions/new", data=form)
    assert response.status_code == 409
    assert "No free bed in Cardiology: all 4 beds are taken." in response.get_data(as_text=True)
    assert table_counts(app) == before


def test_the_patient_page_links_to_admit_or_to_the_open_admission(app, desk, stay):
    page = desk.get(f"/register/patients/{stay.patient_id}").get_data(as_text=True)
    assert f"/register/admissions/{stay.admission_id}" in page
    assert 'id="admit-patient"' not in page
    with app.app_context():
        viewed = db.session.scalar(
            sa.select(AuditEvent).where(AuditEvent.action == "patient_viewed")
        )
        assert viewed.patient_id == stay.patient_id and viewed.username == "desk"
