"""Registers admitting at the same instant through real gunicorn workers.

SPEC: a department's bed count caps its current admissions; a patient has at most one
open admission. Both must hold when several registers press "Admit" together.
"""

from itertools import count

import pytest
import sqlalchemy as sa

from hms.extensions import db
from hms.models import Admission, Bill, Patient
from hms.services import admissions, front_desk
from hms.services.clock import hospital_now
from tests import factories
from tests.concurrency.staff_burst import post_together, sign_in
from tests.register import support

pytestmark = pytest.mark.concurrency

ROUNDS = 4
PHONES = count(1)


@pytest.fixture
def registers(app, server, staff):
    """Two registers, each signed in on their own HTTP session."""
    with app.app_context():
        factories.make_user(db.session, "desk2", "register", "Rina Register")
        db.session.commit()
    return [sign_in(server.url, "desk"), sign_in(server.url, "desk2")]


def registered(app, count: int, prefix: str) -> list[str]:
    """Patient IDs of `count` newly registered patients."""
    with app.app_context():
        desk = support.user(db.session, "desk")
        day = hospital_now(app.config["HMS_TIMEZONE"]).date()
        return [
            admissions.register_patient(
                db.session,
                support.new_patient(f"{prefix} {i}", f"+91990000{next(PHONES):04d}"),
                day=day,
                by=desk,
            )[0].patient_number
            for i in range(count)
        ]


def admit_form(hospital, patient_number: str, department: str = "cardiology") -> dict:
    return {
        "patient_number": patient_number,
        "department_id": str(hospital.departments[department]),
        "doctor_id": str(hospital.doctors["heart"]),
    }


def fill_cardiology_but_one(app) -> None:
    """Three of Cardiology's four beds taken."""
    with app.app_context():
        for i in range(3):
            patient = support.new_patient(f"Resident {i}", f"+91970000{i:04d}")
            support.admit(db.session, app, patient, department="Cardiology", doctor="dr.heart")


def cardiology(app) -> front_desk.Occupancy:
    with app.app_context():
        return next(o for o in front_desk.occupancy(db.session) if o.department == "Cardiology")


def test_two_registers_racing_for_the_last_bed_one_wins(app, server, hospital, registers):
    """Cardiology (4 beds) has one bed free; two registers admit two patients into it."""
    fill_cardiology_but_one(app)
    for round_number in range(ROUNDS):
        assert cardiology(app).free == 1
        first, second = registered(app, 2, f"Round{round_number}")
        posts = [
            (registers[0], "/register/admissions/new", admit_form(hospital, first)),
            (registers[1], "/register/admissions/new", admit_form(hospital, second)),
        ]
        burst, bodies = post_together(server.url, posts)
        burst.report(f"last bed, round {round_number + 1}")
        assert sorted(burst.statuses.items()) == [(303, 1), (409, 1)], (
            burst.errors(),
            server.log_text()[-3000:],
        )
        loser = bodies[[o.status for o in burst.outcomes].index(409)]
        assert "No free bed in Cardiology: all 4 beds are taken." in loser
        occupancy = cardiology(app)
        assert (occupancy.occupied, occupancy.free) == (4, 0)
        with app.app_context():
            admitted = db.session.scalars(
                sa.select(Patient.patient_number)
                .join(Admission, Admission.patient_id == Patient.id)
                .where(
                    Admission.discharged_at.is_(None), Patient.patient_number.in_([first, second])
                )
            ).all()
            assert len(admitted) == 1
            # Nothing half-written by the loser: one bill and one fee line per admission.
            assert (
                db.session.scalar(sa.select(sa.func.count()).select_from(Bill))
                == 3 + round_number + 1
            )
            # Free one bed again for the next round: discharge the winner.
            winner = db.session.scalar(
                sa.select(Admission.id).join(Patient).where(Patient.patient_number == admitted[0])
            )
            support.discharge(db.session, app, winner, override_reason="test round over")


def test_eight_registers_racing_for_the_last_bed(app, server, hospital, registers):
    fill_cardiology_but_one(app)
    numbers = registered(app, 8, "Crowd")
    posts = [
        (registers[i % 2], "/register/admissions/new", admit_form(hospital, number))
        for i, number in enumerate(numbers)
    ]
    burst, bodies = post_together(server.url, posts)
    burst.report("8 registers, 1 bed")
    assert sorted(burst.statuses.items()) == [(303, 1), (409, 7)], burst.errors()
    losers = [body for body, o in zip(bodies, burst.outcomes, strict=True) if o.status == 409]
    assert all("No free bed in Cardiology" in body for body in losers)
    assert (cardiology(app).occupied, cardiology(app).free) == (4, 0)


def test_one_patient_admitted_by_two_registers_at_once_is_admitted_once(
    app, server, hospital, registers
):
    [number] = registered(app, 1, "Twice")
    posts = [
        (registers[0], "/register/admissions/new", admit_form(hospital, number, "cardiology")),
        (registers[1], "/register/admissions/new", admit_form(hospital, number, "medicine")),
    ]
    burst, bodies = post_together(server.url, posts)
    burst.report("same patient, two departments")
    assert sorted(burst.statuses.items()) == [(303, 1), (409, 1)], burst.errors()
    loser = bodies[[o.status for o in burst.outcomes].index(409)]
    assert "Twice 0 is already admitted" in loser or "was admitted a moment ago" in loser
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Admission)) == 1
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Bill)) == 1
