"""`flask hms generate`: reproducible data that keeps the app's rules."""

from datetime import timedelta

import sqlalchemy as sa

from hms.extensions import db
from hms.models import Admission, Appointment, Counter, Department, Patient, Payment
from tests.helpers import booking_form


def test_generate_keeps_ids_slots_beds_and_receipts_consistent(app, runner, client, tomorrow):
    assert runner.invoke(args=["hms", "seed-demo"]).exit_code == 0
    result = runner.invoke(
        args=["hms", "generate", "--patients", "400", "--appointments", "900", "--admissions", "60"]
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        session = db.session
        assert session.scalar(sa.select(sa.func.count()).select_from(Patient)) == 400
        assert session.scalar(sa.select(sa.func.count()).select_from(Appointment)) == 900
        assert session.scalar(sa.select(sa.func.count()).select_from(Admission)) == 60
        numbers = session.scalars(sa.select(Patient.patient_number)).all()
        assert len(set(numbers)) == 400 and all(len(n) == 11 for n in numbers)
        for department in session.scalars(sa.select(Department)):
            open_count = session.scalar(
                sa.select(sa.func.count())
                .select_from(Admission)
                .where(Admission.department_id == department.id, Admission.discharged_at.is_(None))
            )
            assert open_count <= department.beds
        receipts = session.scalars(
            sa.select(Payment.receipt_number).order_by(Payment.receipt_number)
        ).all()
        assert receipts == list(range(1, len(receipts) + 1))
        assert session.scalar(
            sa.select(Counter.last_value).where(Counter.name == "receipt")
        ) == len(receipts)
        doctor_id = session.scalar(sa.select(Appointment.doctor_id).limit(1))

    # The live app carries on after the generated rows: a booking gets a fresh patient ID.
    day, slots = next(
        (d, s)
        for d in (tomorrow + timedelta(days=n) for n in range(14))
        if (s := client.get(f"/api/doctors/{doctor_id}/slots?date={d.isoformat()}").get_json())
    )
    response = client.post(
        "/appointments", data=booking_form(client, doctor_id, day, time=slots[0])
    )
    assert response.status_code == 303
    with app.app_context():
        newest = db.session.scalar(sa.select(Patient).order_by(Patient.id.desc()).limit(1))
        assert newest.patient_number not in numbers


def test_generate_is_reproducible(app, runner):
    """The same seed draws the same names (ids aside) in the same order."""
    runner.invoke(args=["hms", "seed-demo"])
    args = ["hms", "generate", "--patients", "50", "--appointments", "80", "--admissions", "5"]
    runner.invoke(args=[*args, "--seed", "7"])
    runner.invoke(args=[*args, "--seed", "7"])
    runner.invoke(args=[*args, "--seed", "8"])
    with app.app_context():
        names = db.session.scalars(sa.select(Patient.full_name).order_by(Patient.id)).all()
    drawn = [name.rsplit(" ", 1)[0] for name in names]
    assert len(names) == 150 and len(set(names)) == 150
    assert drawn[:50] == drawn[50:100]
    assert drawn[100:] != drawn[:50]


def test_generate_leaves_recent_stays_in_the_beds(app, runner):
    """Three years of admissions: those of the last month fill the free beds."""
    assert runner.invoke(args=["hms", "seed-demo"]).exit_code == 0
    result = runner.invoke(
        args=[
            "hms",
            "generate",
            "--patients",
            "3000",
            "--appointments",
            "10",
            "--admissions",
            "3000",
        ]
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        beds = db.session.scalar(sa.select(sa.func.sum(Department.beds)))
        still_in = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Admission)
            .where(Admission.discharged_at.is_(None))
        )
    assert beds // 4 <= still_in <= beds
