"""A doctor never sees, opens or changes another doctor's appointments: every route of
the doctor's workspace is tried by Dr. House on Dr. Heart's records."""

from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from hms.extensions import db
from hms.models import Admission, Appointment, AuditEvent, BillItem, Doctor, ProgressNote
from tests.doctor.builders import admit
from tests.doctor.pages import form_token, listed
from tests.helpers import table_counts

SECRET = "Dr. Heart's note on Bina"


@dataclass
class Hearts:
    """Dr. Heart's records, by what a route takes."""

    appointment: int
    reference: str
    patient_number: str
    phone: str
    admission: int  # open: any doctor may charge to its bill
    past_admission: int  # discharged
    item: int  # a charge Dr. Heart added


@pytest.fixture
def hearts(app, ward, hospital) -> Hearts:
    with app.app_context():
        s = db.session
        visit = s.get(Appointment, ward.heart_visit)
        heart_user = s.get(Doctor, hospital.doctors["heart"]).user
        admission = s.get(Admission, ward.bina_admission)
        item = BillItem(
            bill=admission.bill, description="ECG", quantity=1, unit_price=350, added_by=heart_user
        )
        s.add_all([item, ProgressNote(admission=admission, author=heart_user, text=SECRET)])
        past = admit(s, visit.patient_id, hospital.doctors["heart"], discharged=True)
        s.commit()
        return Hearts(
            appointment=visit.id,
            reference=visit.reference,
            patient_number=visit.patient.patient_number,
            phone=visit.patient.phone,
            admission=admission.id,
            past_admission=past.id,
            item=item.id,
        )


def probes(h: Hearts) -> dict[str, list[tuple[str, str, dict]]]:
    """For each doctor route: the requests that aim at Dr. Heart's records."""
    note = {"complaint": "Cough", "diagnosis": "Flu"}
    return {
        "doctor.index": [
            ("GET", "/doctor/?view=" + view, {})
            for view in ("pending", "today", "upcoming", "history")
        ]
        + [("GET", "/doctor/?q=" + q, {}) for q in ("bina", h.phone, h.patient_number)],
        "doctor.appointment": [("GET", f"/doctor/appointments/{h.appointment}", {})],
        "doctor.move": [
            ("POST", f"/doctor/appointments/{h.appointment}/move", {"status": s})
            for s in ("confirmed", "canceled", "completed")
        ],
        "doctor.save_note": [("POST", f"/doctor/appointments/{h.appointment}/note", note)],
        "doctor.chart": [("GET", f"/doctor/patients/{h.patient_number}", {})],
        "doctor.admissions": [("GET", "/doctor/admissions", {})],
        "doctor.admission": [
            ("GET", f"/doctor/admissions/{h.admission}", {}),
            ("GET", f"/doctor/admissions/{h.past_admission}", {}),
        ],
        "doctor.charge_from_list": [
            ("POST", f"/doctor/admissions/{h.past_admission}/charges/price-list", {})
        ],
        "doctor.charge_other": [
            ("POST", f"/doctor/admissions/{h.past_admission}/charges/other", {})
        ],
        "doctor.remove_charge": [
            ("POST", f"/doctor/admissions/{h.admission}/charges/{h.item}/remove", {}),
            ("POST", f"/doctor/admissions/{h.past_admission}/charges/{h.item}/remove", {}),
        ],
        "doctor.add_progress_note": [
            ("POST", f"/doctor/admissions/{h.admission}/progress-notes", {"text": "Hello"}),
            ("POST", f"/doctor/admissions/{h.past_admission}/progress-notes", {"text": "Hi"}),
        ],
    }


def test_every_doctor_route_is_probed(app, ward, hearts):
    routes = {
        rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint.startswith("doctor.")
    }
    assert routes == set(probes(hearts))


def test_no_doctor_route_shows_or_changes_another_doctors_records(app, doctor, hearts):
    token = form_token(doctor)
    before = table_counts(app)
    for endpoint, requests in probes(hearts).items():
        for method, url, data in requests:
            response = doctor.open(url, method=method, data={"csrf_token": token, **data})
            html = response.get_data(as_text=True)
            if response.status_code == 200:
                # A page open to every doctor: it shows nothing of Dr. Heart's appointments
                # (nor, on an admission, Dr. Heart's progress notes).
                assert hearts.appointment not in listed(html), url
                assert hearts.reference not in html and SECRET not in html, url
                assert method == "GET", url
            else:
                assert response.status_code in (403, 404), (endpoint, url, response.status_code)
    after = table_counts(app)
    # Only the audit log grew: by the refused chart and the open admission's bill viewed.
    assert after.pop("audit_events") == before.pop("audit_events") + 2
    assert after == before
    with app.app_context():
        actions = db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)).all()
        assert actions[-2:] == ["chart_refused", "admission_opened"]
        visit = db.session.get(Appointment, hearts.appointment)
        assert (visit.status, db.session.get(BillItem, hearts.item) is not None) == (
            "pending",
            True,
        )


def test_search_and_lists_do_find_the_doctors_own_patient(doctor, ward):
    """The probes above are not empty by accident: the same searches find Asha."""
    html = doctor.get("/doctor/?q=asha").get_data(as_text=True)
    assert listed(html) == [ward.house_visit]
    assert doctor.get(f"/doctor/patients/{ward.asha}").status_code == 200


def test_audit_shows_the_refused_chart_opening(app, doctor, hearts, hospital):
    assert doctor.get(f"/doctor/patients/{hearts.patient_number}").status_code == 404
    with app.app_context():
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "chart_refused"))
        assert (event.username, event.record_id) == ("dr.house", hearts.patient_number)
