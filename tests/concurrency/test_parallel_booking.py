"""Parallel bookings through real gunicorn worker processes sharing one database.

SPEC: patient IDs are allocated safely under concurrency (no collision, no error, no
reuse), and the database makes double-booking a slot impossible under concurrent requests.
"""

import re
from datetime import time, timedelta
from itertools import product

import pytest
import requests
import sqlalchemy as sa

from hms.extensions import db
from hms.models import ACTIVE_STATUSES, Appointment, Patient, PatientIdCounter
from hms.services.clock import hospital_now
from tests.concurrency.harness import book_at_once, run_gunicorn

pytestmark = pytest.mark.concurrency

FIRST_NAMES = ["Asha", "Ravi", "Mira", "Arjun", "Kavya", "Rohan", "Divya", "Karan", "Nisha", "Raj"]
SURNAMES = ["Verma", "Iyer", "Reddy", "Khan", "Das"]
PEOPLE = [f"{first} {last}" for last, first in product(SURNAMES, FIRST_NAMES)]  # 50 names


def booking(name: str, index: int, doctor_id: int, day, at: str) -> dict:
    """A valid booking form (without its CSRF token) for person number `index`."""
    return {
        "name": name,
        "phone": f"98765 {index:05d}",
        "email": f"patient{index}@example.com",
        "doctor_id": str(doctor_id),
        "date": day.isoformat(),
        "time": at,
        "reason": "Check-up",
    }


def slot_times(count: int) -> list[str]:
    """The first `count` 15-minute slot start times from 09:00."""
    return [f"{9 + m // 60:02d}:{m % 60:02d}" for m in range(0, 15 * count, 15)]


def today_stamp(app) -> str:
    return hospital_now(app.config["HMS_TIMEZONE"]).strftime("%Y%m%d")


def count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def counter_value(app) -> int | None:
    with app.app_context():
        day = hospital_now(app.config["HMS_TIMEZONE"]).date()
        return db.session.scalar(
            sa.select(PatientIdCounter.last_number).where(PatientIdCounter.day == day)
        )


def dialect(app) -> str:
    with app.app_context():
        return db.engine.dialect.name


def test_fifty_people_booking_at_once_get_consecutive_patient_ids(app, server, hospital, tomorrow):
    doctors = [hospital.doctors["house"], hospital.doctors["heart"]]
    days = [tomorrow, tomorrow + timedelta(days=1)]
    # 13 times x 2 days x 2 doctors = 52 distinct slots; the first 50 spread over all four.
    slots = [(doctor, day, at) for at, day, doctor in product(slot_times(13), days, doctors)]
    slots = slots[: len(PEOPLE)]
    assert len(set(slots)) == len(PEOPLE) == 50
    forms = [
        booking(name, i + 1, doctor, day, at)
        for i, (name, (doctor, day, at)) in enumerate(zip(PEOPLE, slots, strict=True))
    ]
    today = today_stamp(app)

    with book_at_once(server.url, forms) as burst:
        ids = [burst.patient_id(o) for o in burst.outcomes if o.status == 303]
    burst.report(f"{dialect(app)} 50 people / 50 slots", distinct_ids=len(set(ids)))

    assert burst.statuses == {303: 50}, (burst.errors(), server.log_text()[-4000:])
    assert len(set(ids)) == 50, sorted(ids)
    for patient_id in ids:
        assert re.fullmatch(today + r"\d{3}", patient_id), patient_id
    assert sorted(int(i[-3:]) for i in ids) == list(range(1, 51))
    assert count(app, Appointment) == 50
    assert count(app, Patient) == 50
    assert counter_value(app) == 50


def test_twenty_people_racing_for_one_slot_leave_one_booking(app, server, hospital, tomorrow):
    doctor = hospital.doctors["house"]
    forms = [booking(name, i + 1, doctor, tomorrow, "10:00") for i, name in enumerate(PEOPLE[:20])]

    with book_at_once(server.url, forms) as burst:
        winners = [o for o in burst.outcomes if o.status == 303]
        ids = [burst.patient_id(o) for o in winners]
    burst.report(f"{dialect(app)} 20 people / 1 slot", distinct_ids=len(set(ids)))

    assert burst.statuses == {303: 1, 409: 19}, (burst.errors(), server.log_text()[-4000:])
    assert ids == [today_stamp(app) + "001"]
    slot = (
        Appointment.doctor_id == doctor,
        Appointment.scheduled_date == tomorrow,
        Appointment.scheduled_time == time(10),
    )
    assert count(app, Appointment, *slot, Appointment.status.in_(ACTIVE_STATUSES)) == 1
    # Nothing half-written by the 19 losers: no patient, no appointment, no ID used up.
    assert count(app, Appointment) == 1
    assert count(app, Patient) == 1
    assert counter_value(app) == 1
    winner = forms[burst.outcomes.index(winners[0])]
    with app.app_context():
        patient = db.session.scalar(sa.select(Patient))
        assert patient.full_name == winner["name"]
        assert patient.phone == "+91" + winner["phone"].replace(" ", "")


def test_one_new_person_booking_twenty_slots_at_once_is_one_patient(
    app, server, hospital, tomorrow
):
    forms = [
        booking("Asha Verma", 1, hospital.doctors["house"], tomorrow, at) for at in slot_times(20)
    ]

    with book_at_once(server.url, forms) as burst:
        ids = [burst.patient_id(o) for o in burst.outcomes if o.status == 303]
    burst.report(f"{dialect(app)} 1 person / 20 slots", distinct_ids=len(set(ids)))

    assert burst.statuses == {303: 20}, (burst.errors(), server.log_text()[-4000:])
    assert len(ids) == 20 and set(ids) == {today_stamp(app) + "001"}
    assert count(app, Patient) == 1
    # The requests that lost the race to register the person gave their number back.
    assert counter_value(app) == 1
    assert count(app, Appointment) == 20


def test_an_unhandled_error_reaches_the_client_as_500(tmp_path):
    """The harness sees server errors: with the testing config's exception propagation,
    gunicorn still answers 500 (here: a database without the schema)."""
    with run_gunicorn(f"sqlite:///{tmp_path / 'no-schema.sqlite'}", tmp_path, workers=1) as bare:
        response = requests.get(f"{bare.url}/", timeout=10)
    assert response.status_code == 500
