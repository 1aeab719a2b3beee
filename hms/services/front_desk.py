"""What the front desk's dashboard shows, every figure aggregated by the database."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from math import ceil
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from hms.database import reading
from hms.driver_read import DriverRead
from hms.models import Admission, Bill, BillItem, Department, Doctor, Patient, Payment, User
from hms.services.billing import CENT
from hms.services.clock import local_day_bounds

PER_PAGE = 20


@dataclass(frozen=True)
class Occupancy:
    """Beds of one department and how many are taken."""

    department_id: int
    department: str
    beds: int
    occupied: int

    @property
    def free(self) -> int:
        """Beds still free (never negative, even if beds were cut below occupancy)."""
        return max(self.beds - self.occupied, 0)

    @property
    def percent(self) -> int:
        """Occupancy in whole percent."""
        return round(100 * self.occupied / self.beds) if self.beds else 100


@dataclass(frozen=True)
class OpenBill:
    """An admitted patient's bill with its running total, paid amount and balance."""

    admission_id: int
    patient_name: str
    patient_number: str
    department: str
    doctor: str
    admitted_at: datetime
    bill_id: int
    total: Decimal
    paid: Decimal

    @property
    def balance(self) -> Decimal:
        """Total minus paid."""
        return self.total - self.paid


@dataclass(frozen=True)
class Page:
    """One page of a list."""

    items: list
    page: int
    total: int
    per_page: int = PER_PAGE

    @property
    def pages(self) -> int:
        return max(ceil(self.total / self.per_page), 1)

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


# The dashboard's statements are built once (building and caching a statement cost more
# than running it) and run straight on the driver (DriverRead): they read plain columns.
OCCUPANCY = DriverRead(
    sa.select(Department.id, Department.name, Department.beds, sa.func.count(Admission.id))
    .outerjoin(
        Admission,
        sa.and_(Admission.department_id == Department.id, Admission.discharged_at.is_(None)),
    )
    .group_by(Department.id, Department.name, Department.beds)
    .order_by(Department.name)
)


def _connection(reader: Session | Connection) -> Connection:
    """The connection to read on: `reader` itself, or the session's."""
    return reader if isinstance(reader, Connection) else reader.connection()


def occupancy(reader: Session | Connection) -> list[Occupancy]:
    """Beds and open admissions per department, counted in one grouped query."""
    return [Occupancy(*row) for row in OCCUPANCY.rows(_connection(reader), {})]


@dataclass(frozen=True)
class DayCounts:
    """Today's movements at the front desk."""

    registered: int
    admitted: int
    discharged: int


def _on_day(model, column):
    """Count of `model` rows whose `column` falls between the :start and :end parameters."""
    return (
        sa.select(sa.func.count())
        .select_from(model)
        .where(column >= sa.bindparam("start"), column < sa.bindparam("end"))
        .scalar_subquery()
    )


DAY_COUNTS = DriverRead(
    sa.select(
        _on_day(Patient, Patient.created_at),
        _on_day(Admission, Admission.admitted_at),
        _on_day(Admission, Admission.discharged_at),
    )
)


def day_counts(reader: Session | Connection, day: date, timezone: str) -> DayCounts:
    """Patients registered, admitted and discharged on `day`, counted in one statement."""
    start, end = local_day_bounds(day, timezone)
    (row,) = DAY_COUNTS.rows(_connection(reader), {"start": start, "end": end})
    return DayCounts(*row)


def _latest(kind: str, column) -> sa.Select:
    """One part of LATEST: the latest :limit admissions whose `column` falls between :start
    and :end, each row marked with `kind`."""
    chosen = (
        sa.select(
            Admission.id,
            Patient.full_name.label("patient"),
            Department.name.label("department"),
            column.label("at"),
        )
        .join(Admission.patient)
        .join(Admission.department)
        .where(column >= sa.bindparam("start"), column < sa.bindparam("end"))
        .order_by(column.desc())
        .limit(sa.bindparam("limit"))
        .subquery(kind)
    )
    return sa.select(sa.literal_column(f"'{kind}'").label("kind"), *chosen.c)


# Both of the day's lists in one round trip.
LATEST = DriverRead(
    sa.union_all(
        _latest("admitted", Admission.admitted_at), _latest("discharged", Admission.discharged_at)
    )
)


class Movement(NamedTuple):
    """One admission or discharge of the day."""

    kind: str  # "admitted" or "discharged"
    id: int  # the admission's
    patient: str
    department: str
    at: datetime


@dataclass(frozen=True)
class DayMovements:
    """The latest admissions and discharges of a day, newest first."""

    admitted: list
    discharged: list


def latest_movements(
    reader: Session | Connection, day: date, timezone: str, limit: int = 10
) -> DayMovements:
    """The latest `limit` admissions and the latest `limit` discharges on `day`."""
    start, end = local_day_bounds(day, timezone)
    params = {"start": start, "end": end, "limit": limit}
    rows = [Movement(*row) for row in LATEST.rows(_connection(reader), params)]
    rows.sort(key=lambda row: row.at, reverse=True)
    return DayMovements(
        admitted=[row for row in rows if row.kind == "admitted"],
        discharged=[row for row in rows if row.kind == "discharged"],
    )


def _open_bills(by_department: bool) -> tuple[sa.Select, sa.Select]:
    """The statements of a page of open bills and of their count (one department's, or all).

    The page is chosen from the open admissions alone (counting them all on the way); only
    its rows are joined to the patient, doctor and bill.
    """
    where = [Admission.discharged_at.is_(None)]
    if by_department:
        where.append(Admission.department_id == sa.bindparam("department_id"))
    chosen = (
        sa.select(
            Admission.id,
            Admission.patient_id,
            Admission.doctor_id,
            Admission.admitted_at,
            Department.name.label("department"),
            sa.func.count().over().label("open_stays"),
        )
        .join(Department, Department.id == Admission.department_id)
        .where(*where)
        .order_by(Department.name, Admission.admitted_at, Admission.id)
        .limit(PER_PAGE)
        .offset(sa.bindparam("offset"))
        .subquery()
    )
    total = (
        sa.select(sa.func.coalesce(sa.func.sum(BillItem.quantity * BillItem.unit_price), 0))
        .where(BillItem.bill_id == Bill.id)
        .scalar_subquery()
    )
    paid = (
        sa.select(sa.func.coalesce(sa.func.sum(Payment.amount), 0))
        .where(Payment.bill_id == Bill.id)
        .scalar_subquery()
    )
    page = (
        sa.select(
            chosen.c.id,
            Patient.full_name,
            Patient.patient_number,
            chosen.c.department,
            User.full_name,
            chosen.c.admitted_at,
            Bill.id,
            total,
            paid,
            chosen.c.open_stays,
        )
        .select_from(chosen)
        .join(Bill, Bill.admission_id == chosen.c.id)
        .join(Patient, Patient.id == chosen.c.patient_id)
        .join(Doctor, Doctor.id == chosen.c.doctor_id)
        .join(User, User.id == Doctor.user_id)
        .order_by(chosen.c.department, chosen.c.admitted_at, chosen.c.id)
    )
    return page, sa.select(sa.func.count()).select_from(Admission).where(*where)


OPEN_BILLS = {
    by_department: tuple(map(DriverRead, _open_bills(by_department)))
    for by_department in (False, True)
}


def open_bills(
    reader: Session | Connection, page: int = 1, department_id: int | None = None
) -> Page:
    """Bills of the patients admitted now, by department, with totals summed in SQL."""
    page = max(page, 1)
    statement, count_statement = OPEN_BILLS[department_id is not None]
    params = {"offset": (page - 1) * PER_PAGE, "department_id": department_id}
    connection = _connection(reader)
    rows = statement.rows(connection, params)
    items = [
        OpenBill(*row[:7], Decimal(row[7]).quantize(CENT), Decimal(row[8]).quantize(CENT))
        for row in rows
    ]
    # No rows: past the last page, or nobody admitted. Else each row counts the open stays.
    count = rows[0][9] if rows else count_statement.rows(connection, params)[0][0]
    return Page(items=items, page=page, total=count)


@dataclass(frozen=True)
class Dashboard:
    """What the front desk's dashboard shows."""

    counts: DayCounts
    occupancy: list[Occupancy]
    movements: DayMovements
    bills: Page


def dashboard(
    session: Session, day: date, timezone: str, page: int = 1, department_id: int | None = None
) -> Dashboard:
    """The day's counts and movements, the beds and a page of open bills, read on one
    connection that reading() lends (one plan per statement on PostgreSQL)."""
    with reading(session) as connection:
        return Dashboard(
            counts=day_counts(connection, day, timezone),
            occupancy=occupancy(connection),
            movements=latest_movements(connection, day, timezone),
            bills=open_bills(connection, page, department_id),
        )
