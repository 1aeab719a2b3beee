"""The hospital's local time, which patient IDs and booking windows are based on."""

from datetime import datetime
from zoneinfo import ZoneInfo


def hospital_now(timezone: str) -> datetime:
    """Return the current aware datetime in the hospital's time zone."""
    return datetime.now(ZoneInfo(timezone))
