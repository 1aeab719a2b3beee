"""The `flask hms` commands."""

import sqlalchemy as sa

from hms.extensions import db
from hms.models import Department, Doctor, PriceItem, ScheduleBlock, User
from tests.helpers import sign_in


def counts(app):
    """Rows of the tables the demo seed fills."""
    with app.app_context():
        return {
            model.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
            for model in (Department, Doctor, ScheduleBlock, PriceItem, User)
        }


def test_seed_demo_builds_a_hospital_and_is_safe_twice(app, runner):
    first = runner.invoke(args=["hms", "seed-demo"])
    assert first.exit_code == 0, first.output
    assert "admin" in first.output and "Oversight#2026" in first.output
    for username, password in [("admin", "Oversight#2026"), ("dr.sharma", "Stethoscope#2026")]:
        client = app.test_client()
        assert sign_in(client, username, password).status_code == 303, username
    seeded = counts(app)
    assert seeded["Department"] >= 5 and seeded["Doctor"] >= 5 and seeded["PriceItem"] >= 10
    assert seeded["ScheduleBlock"] > seeded["Doctor"]

    again = runner.invoke(args=["hms", "seed-demo"])
    assert again.exit_code == 0
    assert "password unchanged" in again.output
    assert counts(app) == seeded

    skipped = runner.invoke(args=["hms", "seed-demo", "--if-empty"])
    assert "skipped" in skipped.output
    assert counts(app) == seeded


def test_seeded_doctors_are_bookable_on_the_public_site(app, runner, client):
    runner.invoke(args=["hms", "seed-demo"])
    doctors = client.get("/api/doctors").get_json()
    assert len(doctors) == counts(app)["Doctor"]


def test_create_user_makes_a_doctor_in_a_department(app, runner, hospital):
    result = runner.invoke(
        args=[
            "hms",
            "create-user",
            "dr.new",
            "--role",
            "doctor",
            "--password",
            "a-long-passphrase",
            "--department",
            "Cardiology",
            "--full-name",
            "Dr. Nia New",
        ]
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == "dr.new"))
        doctor = db.session.scalar(sa.select(Doctor).where(Doctor.user_id == user.id))
        assert user.role == "doctor" and user.full_name == "Dr. Nia New"
        assert user.check_password("a-long-passphrase") and user.password_hash.startswith("scrypt:")
        assert doctor.department.name == "Cardiology"


def test_create_user_refuses_bad_requests_and_stores_nothing(app, runner, hospital):
    before = counts(app)
    cases = [
        (["newbie", "--role", "admin", "--password", "short"], "at least"),
        (["dr.x", "--role", "doctor", "--password", "a-long-passphrase"], "department"),
        (
            ["dr.x", "--role", "doctor", "--password", "a-long-passphrase", "--department", "Nope"],
            "Nope",
        ),
        (["dr.house", "--role", "admin", "--password", "a-long-passphrase"], "taken"),
        (["someone", "--role", "janitor", "--password", "a-long-passphrase"], "janitor"),
    ]
    for args, message in cases:
        result = runner.invoke(args=["hms", "create-user", *args])
        assert result.exit_code != 0 and message in result.output, (args, result.output)
    assert counts(app) == before
