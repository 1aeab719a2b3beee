"""Doctors' weekly schedules turned into bookable slots."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy.orm import Session

from hms.database import reading
from hms.models import Appointment, holds_slot
from hms.services.catalog import DoctorCard


@dataclass(frozen=True)
class BookingPolicy:
    """The hospital's booking settings (from config)."""

    timezone: str
    horizon_days: int = 60
    default_slot_minutes: int = 15
    phone_region: str = "IN"

    @classmethod
    def from_config(cls, config) -> "BookingPolicy":
        """Build the policy from a Flask config mapping."""
        return cls(
            timezone=config["HMS_TIMEZONE"],
            horizon_days=config["HMS_BOOKING_HORIZON_DAYS"],
            default_slot_minutes=config["HMS_SLOT_MINUTES"],
            phone_region=config["HMS_PHONE_REGION"],
        )

    def last_bookable_day(self, today: date) -> date:
        """The last day the public may book, counting from today."""
        return today + timedelta(days=self.horizon_days)


class Consulting(Protocol):
    """What a slot grid is drawn from: a doctor, a catalogue card or one consulting day."""

    slot_minutes: int | None
    schedule: Sequence  # blocks with weekday, start_time and end_time


def slot_grid(doctor: Consulting, day: date, default_minutes: int) -> list[time]:
    """All slot start times of the doctor's schedule on that day, booked or not."""
    step = timedelta(minutes=doctor.slot_minutes or default_minutes)
    slots = []
    for block in doctor.schedule:
        if block.weekday != day.weekday():
            continue
        start = datetime.combine(day, block.start_time)
        end = datetime.combine(day, block.end_time)
        while start + step <= end:
            slots.append(start.time())
            start += step
    return sorted(set(slots))


# Built once: the slot lookups run on every slots request and every booking.
TAKEN_TIMES = sa.select(Appointment.scheduled_time).where(
    Appointment.doctor_id == sa.bindparam("doctor_id"),
    Appointment.scheduled_date == sa.bindparam("day"),
    holds_slot(),
)


def taken_times(session: Session, doctor_id: int, day: date) -> set[time]:
    """Start times already held by an active appointment with the doctor that day."""
    # Straight on a connection (the ORM adds only overhead to a plain column read), all
    # rows fetched at once.
    with reading(session) as connection:
        rows = connection.execute(TAKEN_TIMES, {"doctor_id": doctor_id, "day": day})
        return set(rows.scalars().all())


def free_slots(
    session: Session, doctor: DoctorCard, day: date, now: datetime, policy: BookingPolicy
) -> list[time]:
    """Slots of that day that can still be booked: inside the window, not past, not taken."""
    today = now.date()
    if day < today or day > policy.last_bookable_day(today):
        return []
    grid = slot_grid(doctor, day, policy.default_slot_minutes)
    if day == today:
        grid = [slot for slot in grid if slot > now.time().replace(tzinfo=None)]
    if not grid:
        return []
    taken = taken_times(session, doctor.id, day)
    return [slot for slot in grid if slot not in taken]
