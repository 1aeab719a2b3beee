"""Figures of the admin console's home page, every one aggregated by the database."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from hms.models import Admission, Appointment, CustomerQuery, Payment
from hms.services import front_desk
from hms.services.clock import local_day_bounds

DAYS = 30


def day_bounds(days: list[date], timezone: str) -> list[datetime]:
    """The instants the hospital-local days start, plus the end of the last one."""
    return [local_day_bounds(day, timezone)[0] for day in days] + [
        local_day_bounds(days[-1], timezone)[1]
    ]


def bucket_by_day(column, bounds: list[datetime]):
    """A SQL expression giving the index of the local day a timestamp falls in.

    Built from the day boundaries, so it is exact across daylight-saving changes and the
    same on SQLite and PostgreSQL.
    """
    return sa.case(
        *((column < bounds[i + 1], i) for i in range(len(bounds) - 1)),
        else_=None,
    )


def per_day(session: Session, column, bounds: list[datetime], value=None) -> list:
    """Count (or sum `value`) rows per local day with `column` inside the bounds."""
    bucket = bucket_by_day(column, bounds).label("day")
    aggregate = sa.func.count() if value is None else sa.func.sum(value)
    rows = session.execute(
        sa.select(bucket, aggregate)
        .where(column >= bounds[0], column < bounds[-1])
        .group_by(bucket)
    ).all()
    figures = [0] * (len(bounds) - 1)
    for day, figure in rows:
        figures[day] = figure or 0
    return figures


STATUSES = ("pending", "confirmed", "completed", "canceled")


def dashboard_figures(session: Session, today: date, timezone: str, horizon_days: int = 60) -> dict:
    """Counters and chart series for the admin home page, as JSON-ready values.

    Appointments by status cover the working window: the last 30 days and everything
    booked ahead (up to the booking horizon).
    """
    days = [today - timedelta(days=DAYS - 1 - i) for i in range(DAYS)]
    bounds = day_bounds(days, timezone)
    today_start, today_end = bounds[-2], bounds[-1]

    occupancy = [(row.department, row.beds, row.occupied) for row in front_desk.occupancy(session)]
    statuses = dict(
        session.execute(
            sa.select(Appointment.status, sa.func.count())
            .where(
                Appointment.status.in_(STATUSES),  # lets the (status, date) index serve it
                Appointment.scheduled_date >= days[0],
                Appointment.scheduled_date <= today + timedelta(days=horizon_days),
            )
            .group_by(Appointment.status)
        ).all()
    )
    admitted_now = sum(occupied for _, _, occupied in occupancy)
    revenue = per_day(session, Payment.taken_at, bounds, Payment.amount)

    def count(model, *conditions) -> int:
        return session.scalar(sa.select(sa.func.count()).select_from(model).where(*conditions))

    return {
        "counters": {
            "admitted_now": admitted_now,
            "admissions_today": count(
                Admission, Admission.admitted_at >= today_start, Admission.admitted_at < today_end
            ),
            "discharges_today": count(
                Admission,
                Admission.discharged_at >= today_start,
                Admission.discharged_at < today_end,
            ),
            "pending_appointments": count(Appointment, Appointment.status == "pending"),
            "open_queries": count(CustomerQuery, CustomerQuery.status == "open"),
        },
        "days": [day.isoformat() for day in days],
        "admissions_per_day": per_day(session, Admission.admitted_at, bounds),
        "discharges_per_day": per_day(session, Admission.discharged_at, bounds),
        "revenue_per_day": [f"{Decimal(amount):.2f}" for amount in revenue],
        "occupancy": [
            {"department": name, "beds": beds, "occupied": taken, "free": max(beds - taken, 0)}
            for name, beds, taken in occupancy
        ],
        "appointments_by_status": {status: statuses.get(status, 0) for status in STATUSES},
    }
