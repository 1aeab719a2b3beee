"""The public catalogue: departments, bookable doctors and their weekly hours.

Every public page shows it and it changes a few times a year, so each process keeps it in
memory for `HMS_CATALOG_SECONDS` (default 30) together with pages rendered from it. A
commit that touches a department, doctor, schedule or staff account drops the copy of the
process that made it at once; other processes see the change when their copy expires.
Bookings are always checked against the database, never against this copy.
"""

import time as clock
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import time
from functools import cached_property

import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from hms.database import reading
from hms.models import WEEKDAYS, Department, Doctor, ScheduleBlock, User
from hms.services.recent import Recent

EXTENSION = "hms_catalog"


@dataclass(frozen=True)
class DepartmentCard:
    id: int
    name: str
    description: str


@dataclass(frozen=True)
class HoursCard:
    """One weekly block of consulting hours."""

    weekday: int
    start_time: time
    end_time: time

    @property
    def weekday_name(self) -> str:
        return WEEKDAYS[self.weekday]


@dataclass(frozen=True)
class DoctorCard:
    """What the public sees of a bookable doctor (the shape `slot_grid` reads)."""

    id: int
    name: str
    title: str
    department_id: int
    department: DepartmentCard
    slot_minutes: int | None
    schedule: tuple[HoursCard, ...]


@dataclass(frozen=True)
class Catalog:
    departments: tuple[DepartmentCard, ...]
    doctors: tuple[DoctorCard, ...]  # by department name, then doctor name
    # Every doctor, bookable or not: id -> (name, department name), for labelling records.
    directory: dict[int, tuple[str, str]]

    @cached_property
    def _doctors_by_id(self) -> dict[int, DoctorCard]:
        return {doctor.id: doctor for doctor in self.doctors}

    def doctor(self, doctor_id: int) -> DoctorCard | None:
        """The bookable doctor with that id, or None."""
        return self._doctors_by_id.get(doctor_id)


def load_catalog(session: Session | Connection) -> Catalog:
    """Read the catalogue from the database: four queries, whatever its size. Each query
    stands on its own (each row carries its department), so the copy holds together even
    when the queries see the database at slightly different moments (reads outside a
    transaction)."""
    departments = tuple(
        DepartmentCard(row.id, row.name, row.description)
        for row in session.execute(
            sa.select(Department.id, Department.name, Department.description).order_by(
                Department.name
            )
        )
    )
    hours: dict[int, list[HoursCard]] = {}
    for row in session.execute(
        sa.select(
            ScheduleBlock.doctor_id,
            ScheduleBlock.weekday,
            ScheduleBlock.start_time,
            ScheduleBlock.end_time,
        ).order_by(ScheduleBlock.doctor_id, ScheduleBlock.weekday, ScheduleBlock.start_time)
    ):
        hours.setdefault(row.doctor_id, []).append(
            HoursCard(row.weekday, row.start_time, row.end_time)
        )
    cards = {department.id: department for department in departments}
    doctors = tuple(
        DoctorCard(
            id=row.id,
            name=row.full_name,
            title=row.title,
            department_id=row.department_id,
            department=cards.get(row.department_id)
            or DepartmentCard(row.department_id, row.department, row.description),
            slot_minutes=row.slot_minutes,
            schedule=tuple(hours.get(row.id, ())),
        )
        for row in session.execute(
            sa.select(
                Doctor.id,
                Doctor.title,
                Doctor.department_id,
                Doctor.slot_minutes,
                User.full_name,
                Department.name.label("department"),
                Department.description,
            )
            .join(Doctor.user)
            .join(Doctor.department)
            .where(Doctor.is_bookable, User.is_active)
            .order_by(Department.name, User.full_name)
        )
    )
    directory = {
        row.id: (row.full_name, row.department)
        for row in session.execute(
            sa.select(Doctor.id, User.full_name, Department.name.label("department"))
            .join(Doctor.user)
            .join(Doctor.department)
        )
    }
    return Catalog(departments, doctors, directory)


class CatalogCache:
    """A process's copy of the catalogue and of the pages drawn from it, for `seconds`."""

    def __init__(self, seconds: float, now: Callable[[], float] = clock.monotonic):
        self._copy: Recent[tuple[Catalog, dict[Hashable, str]]] = Recent(seconds, now)

    def _read(self, session: Session) -> tuple[Catalog, dict[Hashable, str]]:
        return self._copy.get(None, lambda: (self._load(session), {}))

    @staticmethod
    def _load(session: Session) -> Catalog:
        with reading(session) as connection:
            return load_catalog(connection)

    def catalog(self, session: Session) -> Catalog:
        """The catalogue, read again from the database when the copy is older than allowed."""
        return self._read(session)[0]

    def page(self, session: Session, key: Hashable, render: Callable[[Catalog], str]) -> str:
        """A page drawn from the catalogue, drawn again when the catalogue is read again."""
        known, pages = self._read(session)
        if key not in pages:
            pages[key] = render(known)
        return pages[key]

    def clear(self) -> None:
        """Forget the copy; the next request reads the database."""
        self._copy.clear()


def init_catalog(app) -> None:
    app.extensions[EXTENSION] = CatalogCache(app.config["HMS_CATALOG_SECONDS"])


def cache() -> CatalogCache:
    """This app's catalogue cache."""
    return current_app.extensions[EXTENSION]


def current(session: Session) -> Catalog:
    """The catalogue as this process knows it."""
    return cache().catalog(session)


CATALOG_MODELS = (Department, Doctor, ScheduleBlock, User)


@event.listens_for(Session, "after_flush")
def _note_catalog_changes(session: Session, _context) -> None:
    changed = (*session.new, *session.dirty, *session.deleted)
    if any(isinstance(obj, CATALOG_MODELS) for obj in changed):
        session.info["catalog_changed"] = True


@event.listens_for(Session, "after_commit")
def _drop_stale_catalog(session: Session) -> None:
    if session.info.pop("catalog_changed", False) and has_app_context():
        extension = current_app.extensions.get(EXTENSION)
        if extension is not None:
            extension.clear()


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back_changes(session: Session) -> None:
    session.info.pop("catalog_changed", None)
