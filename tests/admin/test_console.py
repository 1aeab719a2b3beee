"""The admin console's records: beds, queries, appointments, audit, CSV export."""

import sqlalchemy as sa

from hms.extensions import db
from hms.models import Admission, AuditEvent, Bill, CustomerQuery, Department, Patient, User
from tests.helpers import csrf_token, sign_in


def admit_patients(app, department_name: str, count: int) -> None:
    """Put `count` patients in the department's beds (rows made directly)."""
    with app.app_context():
        department = db.session.scalar(
            sa.select(Department).where(Department.name == department_name)
        )
        desk = db.session.scalar(sa.select(User).where(User.username == "desk"))
        doctor_id = department.doctors[0].id
        for i in range(count):
            patient = Patient(
                patient_number=f"X{i}",
                full_name=f"In Patient {i}",
                name_key=f"in patient {i}",
                phone=f"+91987650{i:04d}",
            )
            admission = Admission(
                patient=patient, department=department, doctor_id=doctor_id, admitted_by_id=desk.id
            )
            db.session.add_all([patient, admission, Bill(admission=admission)])
        db.session.commit()


def edit_department(client, department_id: int, beds: int):
    url = f"/admin/admin_departments/edit/?id={department_id}"
    return client.post(
        url,
        data={
            "csrf_token": csrf_token(client, url),
            "name": "Cardiology",
            "beds": str(beds),
            "description": "",
        },
    )


def beds_of(app, name: str) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(Department.beds).where(Department.name == name))


def test_beds_cannot_go_below_current_admissions(app, client, staff, hospital):
    admit_patients(app, "Cardiology", 3)
    sign_in(client, staff["admin"])
    cardiology = hospital.departments["cardiology"]
    refused = edit_department(client, cardiology, 2)
    assert refused.status_code == 200
    assert "3 patients are admitted" in refused.get_data(as_text=True)
    assert beds_of(app, "Cardiology") == 4
    accepted = edit_department(client, cardiology, 3)
    assert accepted.status_code == 302
    assert beds_of(app, "Cardiology") == 3
    with app.app_context():
        actions = db.session.scalars(sa.select(AuditEvent.action)).all()
    assert "admin_departments_updated" in actions


def test_queries_from_the_contact_form_are_answered_and_resolved(app, client, staff):
    page = client.post(
        "/contact",
        data={
            "name": "Meena",
            "email": "meena@example.com",
            "message": "Is parking free?",
            "csrf_token": csrf_token(client, "/contact"),
        },
    )
    assert page.status_code == 303
    sign_in(client, staff["admin"])
    assert client.get("/admin/stats.json").get_json()["counters"]["open_queries"] == 1
    listing = client.get("/admin/admin_queries/").get_data(as_text=True)
    assert "Is parking free?" in listing
    with app.app_context():
        query_id = db.session.scalar(sa.select(CustomerQuery.id))
    url = f"/admin/admin_queries/edit/?id={query_id}"
    answered = client.post(
        url,
        data={
            "csrf_token": csrf_token(client, url),
            "answer": "Yes, for patients.",
            "status": "resolved",
        },
    )
    assert answered.status_code == 302
    with app.app_context():
        query = db.session.get(CustomerQuery, query_id)
        assert (query.status, query.answer) == ("resolved", "Yes, for patients.")
        assert query.resolved_at is not None and query.resolved_by_id is not None
    assert client.get("/admin/stats.json").get_json()["counters"]["open_queries"] == 0


def test_admin_moves_appointments_only_along_the_state_machine(
    app, client, staff, hospital, tomorrow
):
    from tests.helpers import booking_form

    client.post("/appointments", data=booking_form(client, hospital.doctors["house"], tomorrow))
    sign_in(client, staff["admin"])
    with app.app_context():
        appointment_id = db.session.scalar(sa.text("SELECT id FROM appointments"))
    token = csrf_token(client, "/admin/admin_appointments/")
    move = f"/admin/admin_appointments/move/{appointment_id}"
    assert client.post(move, data={"csrf_token": token, "status": "completed"}).status_code == 303
    assert "cannot be marked completed" in client.get("/admin/admin_appointments/").get_data(
        as_text=True
    )
    client.post(move, data={"csrf_token": token, "status": "confirmed"})
    with app.app_context():
        assert db.session.scalar(sa.text("SELECT status FROM appointments")) == "confirmed"


def test_audit_log_is_readable_but_not_editable(client, staff):
    sign_in(client, staff["admin"])
    listing = client.get("/admin/admin_audit/?flt0_0=boss")
    assert listing.status_code == 200 and "login" in listing.get_data(as_text=True)
    assert client.get("/admin/admin_audit/edit/?id=1").status_code == 302
    assert client.get("/admin/admin_audit/new/").status_code == 302


def test_csv_exports_of_patients_and_appointments(client, staff, hospital, tomorrow):
    from tests.helpers import booking_form

    client.post("/appointments", data=booking_form(client, hospital.doctors["house"], tomorrow))
    sign_in(client, staff["admin"])
    for path, needle in [
        ("/admin/admin_patients/export/csv/", "Asha Verma"),
        ("/admin/admin_appointments/export/csv/", "pending"),
    ]:
        response = client.get(path)
        assert response.status_code == 200 and "text/csv" in response.content_type
        assert needle in response.get_data(as_text=True)


def test_console_search_finds_patients_by_id_phone_or_start_of_name(
    app, client, staff, hospital, tomorrow
):
    from datetime import time

    from tests.doctor.builders import make_appointment

    with app.app_context():
        asha = make_appointment(db.session, hospital.doctors["house"], tomorrow)
        ravi = make_appointment(
            db.session,
            hospital.doctors["house"],
            tomorrow,
            time(11),
            name="Ravi Rao",
            phone="91234 56789",
        )
        numbers = asha.patient.patient_number, ravi.patient.patient_number
        references = asha.reference, ravi.reference
        db.session.commit()
    sign_in(client, staff["admin"])

    def patients_found(search: str) -> set[str]:
        page = client.get("/admin/admin_patients/", query_string={"search": search})
        assert page.status_code == 200
        return {name for name in ("Asha Verma", "Ravi Rao") if name in page.text}

    assert "Patient ID, phone or start of name" in client.get("/admin/admin_patients/").text
    assert patients_found("asha") == {"Asha Verma"}
    assert patients_found("  RAVI   r ") == {"Ravi Rao"}
    assert patients_found("98765 43210") == {"Asha Verma"}
    assert patients_found(numbers[1]) == {"Ravi Rao"}
    assert patients_found("verma") == set()  # the start of the name, as at the front desk
    assert patients_found("12345") == set()  # neither a whole ID nor a phone number
    assert patients_found("") == {"Asha Verma", "Ravi Rao"}

    def references_found(search: str) -> set[str]:
        page = client.get("/admin/admin_appointments/", query_string={"search": search})
        assert page.status_code == 200
        return {reference for reference in references if reference in page.text}

    assert references_found(references[0]) == {references[0]}
    assert references_found(f" {references[1][:6].lower()} ") == {references[1]}
    assert references_found("NOT-A-REF") == set()


def test_console_shows_times_in_the_hospitals_time_zone(app, client, staff, hospital, tomorrow):
    from datetime import UTC, datetime

    from tests.doctor.builders import make_appointment

    with app.app_context():
        patient = make_appointment(db.session, hospital.doctors["house"], tomorrow).patient
        patient.created_at = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
        patient_id = patient.id
        db.session.commit()
        assert app.config["HMS_TIMEZONE"] == "Asia/Kolkata"
    sign_in(client, staff["admin"])
    for path in ("/admin/admin_patients/", f"/admin/admin_patients/details/?id={patient_id}"):
        page = client.get(path).text
        assert "27 Nov 2026, 14:30" in page, path  # 09:00 UTC is 14:30 in Kolkata
        assert "+00:00" not in page, path
    export = client.get("/admin/admin_patients/export/csv/").text
    assert "2026-11-27 09:00:00+00:00" in export  # the CSV keeps the exact UTC moment
