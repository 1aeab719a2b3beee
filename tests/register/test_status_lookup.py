"""The public status lookup tells an admitted patient where and since when, nothing more."""

from hms.extensions import db
from tests.helpers import csrf_token
from tests.register import support


def look_up(client, name: str = "asha verma", phone: str = "98765 43210") -> str:
    data = {"name": name, "phone": phone, "csrf_token": csrf_token(client, "/status")}
    response = client.post("/status", data=data)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_an_admitted_patient_sees_department_and_since_when(app, client, stay):
    with app.app_context():
        support.charge(db.session, stay.admission_id, "Secret diagnosis test", 1, "4321.00")
    page = look_up(client)
    section = page[page.index('id="patient-id"') :]
    assert 'id="admitted">Admitted to General Medicine since ' in section
    # Nothing financial, clinical or personal beyond that.
    for private in ["₹", "4,321", "Secret diagnosis", "Lake View Road", "Dr. Gregory House"]:
        assert private not in section, private


def test_after_discharge_the_lookup_no_longer_says_admitted(app, client, discharged):
    assert 'id="admitted"' not in look_up(client)
    assert 'id="no-booking"' in look_up(client, name="someone else")
