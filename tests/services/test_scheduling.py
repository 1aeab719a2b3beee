"""Slots from weekly schedules, and the database's guard against double booking."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from hms.models import Appointment, Doctor, Patient
from hms.services.booking import BookingError, check_slot
from hms.services.scheduling import BookingPolicy, free_slots, slot_grid

POLICY = BookingPolicy(timezone="Asia/Kolkata", horizon_days=60, default_slot_minutes=15)
MONDAY = date(2026, 11, 30)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """A hospital-local moment."""
    return datetime.combine(day, time(hour, minute), ZoneInfo(POLICY.timezone))


def test_slot_grid_follows_schedule_and_slot_length(session, hospital):
    monday_doctor = session.get(Doctor, hospital.doctors["monday"])
    assert slot_grid(monday_doctor, MONDAY, 15) == [
        time(9),
        time(9, 20),
        time(9, 40),
        time(10),
        time(10, 20),
        time(10, 40),
        time(11),
        time(11, 20),
        time(11, 40),
    ]
    assert slot_grid(monday_doctor, MONDAY + timedelta(days=1), 15) == []


def test_default_slot_length_applies_when_doctor_has_none(session, hospital):
    doctor = session.get(Doctor, hospital.doctors["house"])
    doctor.slot_minutes = None
    assert len(slot_grid(doctor, MONDAY, 30)) == 16  # 09:00-17:00 in half hours


def test_free_slots_drop_past_times_today_and_days_outside_window(session, hospital):
    doctor = session.get(Doctor, hospital.doctors["house"])
    today = MONDAY
    slots = free_slots(session, doctor, today, at(today, 16, 10), POLICY)
    assert slots == [time(16, 15), time(16, 30), time(16, 45)]
    assert free_slots(session, doctor, today - timedelta(days=1), at(today, 8), POLICY) == []
    assert free_slots(session, doctor, today + timedelta(days=61), at(today, 8), POLICY) == []
    assert len(free_slots(session, doctor, today + timedelta(days=60), at(today, 8), POLICY)) == 32


@pytest.mark.parametrize(
    ("day_offset", "slot", "field"),
    [
        (-1, time(10), "date"),
        (61, time(10), "date"),
        (0, time(8, 45), "time"),
        (0, time(17), "time"),
        (0, time(10, 7), "time"),
        (0, time(12), "time"),  # already past at noon-fifteen
    ],
)
def test_check_slot_names_the_field_at_fault(session, hospital, day_offset, slot, field):
    doctor = session.get(Doctor, hospital.doctors["house"])
    with pytest.raises(BookingError) as error:
        check_slot(doctor, MONDAY + timedelta(days=day_offset), slot, at(MONDAY, 12, 15), POLICY)
    assert error.value.field == field


def _appointment(session, patient, doctor_id, status, reference):
    session.add(
        Appointment(
            reference=reference,
            patient=patient,
            doctor_id=doctor_id,
            scheduled_date=MONDAY,
            scheduled_time=time(10),
            status=status,
            contact_email="a@example.com",
        )
    )
    session.flush()


def test_database_refuses_two_active_appointments_in_one_slot(session, hospital):
    patient = Patient(patient_number="1", full_name="A", name_key="a", phone="+919876543210")
    _appointment(session, patient, hospital.doctors["house"], "pending", "R1")
    with pytest.raises(sa.exc.IntegrityError):
        _appointment(session, patient, hospital.doctors["house"], "confirmed", "R2")


def test_canceled_and_completed_appointments_do_not_hold_the_slot(session, hospital):
    patient = Patient(patient_number="1", full_name="A", name_key="a", phone="+919876543210")
    _appointment(session, patient, hospital.doctors["house"], "canceled", "R1")
    _appointment(session, patient, hospital.doctors["house"], "completed", "R2")
    _appointment(session, patient, hospital.doctors["house"], "pending", "R3")
    session.commit()
    doctor = session.get(Doctor, hospital.doctors["house"])
    assert time(10) not in free_slots(session, doctor, MONDAY, at(MONDAY, 8), POLICY)
