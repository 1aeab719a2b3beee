"""Staff accounts in the admin console: create with a role, reset password, deactivate."""

import sqlalchemy as sa

from hms.extensions import db
from hms.models import AuditEvent, Doctor, User
from tests.helpers import csrf_token, sign_in


def user_id(app, username):
    with app.app_context():
        return db.session.scalar(sa.select(User.id).where(User.username == username))


def create_account(client, **fields):
    """Submit the console's new-account form."""
    data = {"csrf_token": csrf_token(client, "/admin/admin_staff/new/"), "department": ""}
    data.update(fields)
    return client.post("/admin/admin_staff/new/", data=data)


def edit_account(client, uid, **fields):
    """Submit the console's edit form of an account."""
    url = f"/admin/admin_staff/edit/?id={uid}"
    data = {"csrf_token": csrf_token(client, url), "full_name": "Dr. Nia New", "is_active": "y"}
    data.update(fields)
    return client.post(url, data={k: v for k, v in data.items() if v is not None})


def test_admin_creates_a_doctor_who_can_sign_in(app, client, staff):
    sign_in(client, staff["admin"])
    response = create_account(
        client,
        username="dr.nia",
        full_name="Dr. Nia New",
        role="doctor",
        department="Cardiology",
        password="stethoscope-42",
    )
    assert response.status_code == 302
    with app.app_context():
        doctor = db.session.scalar(
            sa.select(Doctor).join(Doctor.user).where(User.username == "dr.nia")
        )
        assert doctor.department.name == "Cardiology" and doctor.user.role == "doctor"
    newcomer = app.test_client()
    landed = sign_in(newcomer, "dr.nia", "stethoscope-42")
    assert landed.headers["Location"] == "/doctor/"
    assert newcomer.get("/doctor/").status_code == 200


def test_console_refuses_weak_passwords_and_duplicates(app, client, staff):
    sign_in(client, staff["admin"])
    with app.app_context():
        before = db.session.scalar(sa.select(sa.func.count()).select_from(User))
    for fields in (
        {"username": "weak", "password": "short"},
        {"username": "common", "password": "password123"},
        {"username": "desk", "password": "a-fine-passphrase"},
        {"username": "dr.nodept", "role": "doctor", "password": "a-fine-passphrase"},
    ):
        page = create_account(client, full_name="Someone", **{"role": "register", **fields})
        assert page.status_code == 200, fields  # the form comes back with the reason
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == before


def test_admin_resets_a_password(app, client, staff):
    sign_in(client, staff["admin"])
    uid = user_id(app, staff["register"])
    other = app.test_client()
    sign_in(other, staff["register"])
    response = edit_account(client, uid, full_name="Ravi Register", new_password="fresh-start-2026")
    assert response.status_code == 302
    assert other.get("/register/").status_code == 302  # the reset ended its sessions
    assert sign_in(app.test_client(), staff["register"]).status_code == 401
    assert sign_in(app.test_client(), staff["register"], "fresh-start-2026").status_code == 303


def test_admin_deactivates_an_account(app, client, staff):
    sign_in(client, staff["admin"])
    uid = user_id(app, staff["register"])
    response = edit_account(client, uid, full_name="Ravi Register", is_active=None)
    assert response.status_code == 302
    assert sign_in(app.test_client(), staff["register"]).status_code == 401
    with app.app_context():
        assert db.session.get(User, uid).is_active is False
        actions = list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))
    assert "account_deactivated" in actions


def test_staff_cannot_be_deleted(client, staff, app):
    sign_in(client, staff["admin"])
    uid = user_id(app, staff["register"])
    token = csrf_token(client, "/admin/")
    client.post("/admin/admin_staff/delete/", data={"id": uid, "csrf_token": token})
    assert user_id(app, staff["register"]) == uid


def test_account_changes_are_audited(app, client, staff):
    sign_in(client, staff["admin"])
    create_account(
        client,
        username="new.desk",
        full_name="New Desk",
        role="register",
        password="front-desk-2026",
    )
    uid = user_id(app, "new.desk")
    edit_account(client, uid, full_name="New Front Desk", new_password="front-desk-2027")
    with app.app_context():
        events = db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.record_type == "user").order_by(AuditEvent.id)
        ).all()
        assert [e.action for e in events] == [
            "account_created",
            "password_reset",
            "account_renamed",
        ]
        assert all(e.username == staff["admin"] and e.record_id == str(uid) for e in events)
