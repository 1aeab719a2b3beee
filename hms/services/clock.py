"""The hospital's local time, which patient IDs and booking windows are based on."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def hospital_now(timezone: str) -> datetime:
    """Return the current aware datetime in the hospital's time zone."""
    return datetime.now(ZoneInfo(timezone))


def local_day_bounds(day: date, timezone: str) -> tuple[datetime, datetime]:
    """The instants a hospital-local day starts and ends (aware, so UTC columns compare)."""
    zone = ZoneInfo(timezone)
    return datetime.combine(day, time(), zone), datetime.combine(day + timedelta(1), time(), zone)
