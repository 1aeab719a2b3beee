"""The hospital's local time, which patient IDs and booking windows are based on."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# How staff pages, the console and printed bills show a moment: 05 Mar 2026, 14:30.
MOMENT_FORMAT = "%d %b %Y, %H:%M"


def local_time(moment: datetime | None, zone: ZoneInfo, fmt: str = MOMENT_FORMAT) -> str:
    """A stored (UTC) moment in the hospital's time zone, as pages show it; "" for none."""
    return moment.astimezone(zone).strftime(fmt) if moment else ""


def hospital_now(timezone: str) -> datetime:
    """Return the current aware datetime in the hospital's time zone."""
    return datetime.now(ZoneInfo(timezone))


def local_day_bounds(day: date, timezone: str) -> tuple[datetime, datetime]:
    """The instants a hospital-local day starts and ends (aware, so UTC columns compare)."""
    zone = ZoneInfo(timezone)
    return datetime.combine(day, time(), zone), datetime.combine(day + timedelta(1), time(), zone)
