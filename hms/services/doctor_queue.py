"""A doctor's own appointments: the dashboard's lists, their counts and the patient search.

Every query starts from `Appointment.doctor_id`, so a doctor only ever sees their own.
Lists are ordered along the (doctor_id, status, scheduled_date) and (doctor_id,
scheduled_date) indexes and paged with LIMIT/OFFSET.
"""

import contextlib
import re
from dataclasses import dataclass
from datetime import date, time
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import Session

from hms.database import reading
from hms.driver_read import DriverRead
from hms.models import Appointment, Doctor, Patient, User
from hms.services.patients import InvalidPhone, fold_name, normalize_phone

PER_PAGE = 20
VIEWS = {
    "pending": "New requests",
    "today": "Today",
    "upcoming": "Upcoming",
    "history": "History",
}
HISTORY_STATUSES = ("completed", "canceled")
TODAY_STATUSES = ("pending", "confirmed", "completed")
SEARCH_MAX = 100
# A phone number or a patient ID as typed: digits with the usual separators.
NUMBER_LIKE = re.compile(r"[\d\s()+.-]+")
PATIENT_NUMBER = re.compile(r"\d{11,12}")
OLDEST_FIRST = (Appointment.scheduled_date, Appointment.scheduled_time, Appointment.id)
NEWEST_FIRST = tuple(column.desc() for column in OLDEST_FIRST)
# A search reads at most this many matching patients' ids; with more, it walks the doctor's
# own appointments instead.
MAX_PATIENT_IDS = 5000
# Lists are counted up to this many ("999+" beyond): a count reads every index entry it
# counts, and a long-serving doctor's history holds hundreds of thousands.
COUNT_CAP = 999


class SearchError(ValueError):
    """The search text is neither a name, a phone number nor a patient ID."""


@dataclass(frozen=True)
class Counts:
    """How many appointments each list of the dashboard holds."""

    pending: int
    today: int
    upcoming: int
    history: int

    def of(self, view: str) -> int:
        """The count of one list (COUNT_CAP + 1 stands for "more than COUNT_CAP")."""
        return getattr(self, view)

    def label(self, view: str) -> str:
        """The count of one list as shown: 12, or 999+."""
        count = self.of(view)
        return f"{COUNT_CAP}+" if count > COUNT_CAP else str(count)


class Item(NamedTuple):
    """An appointment as the dashboard lists it, with its patient's name and ID."""

    id: int
    scheduled_date: date
    scheduled_time: time
    status: str
    reason: str | None
    patient_name: str
    patient_number: str


ITEM_COLUMNS = (
    Appointment.id,
    Appointment.scheduled_date,
    Appointment.scheduled_time,
    Appointment.status,
    Appointment.reason,
    Patient.full_name,
    Patient.patient_number,
)


@dataclass(frozen=True)
class Page:
    """One page of appointments; `pages` is None when the total is not counted (search)."""

    items: list[Item]
    number: int
    has_next: bool
    pages: int | None = None

    @property
    def has_previous(self) -> bool:
        """Not the first page."""
        return self.number > 1


@dataclass(frozen=True)
class Dashboard:
    """What the dashboard shows: the counts and one page of one list (or of a search)."""

    counts: Counts
    view: str
    page: Page
    query: str = ""


def doctor_of(user: User) -> Doctor | None:
    """The doctor enrolment of a signed-in user (with the department every page names),
    None if not enrolled. The user loader reads it with the user (no query of its own)."""
    return user.doctor


def _capped_count(*conditions):
    """Count of the doctor's (:doctor_id) appointments meeting `conditions`, up to
    COUNT_CAP + 1."""
    capped = (
        sa.select(sa.literal(1))
        .select_from(Appointment)
        .where(Appointment.doctor_id == sa.bindparam("doctor_id"), *conditions)
        .limit(COUNT_CAP + 1)
        .subquery()
    )
    return sa.select(sa.func.count()).select_from(capped).scalar_subquery()


def _status_in(statuses: tuple[str, ...]) -> sa.ColumnElement[bool]:
    """The appointment's status is one of the fixed `statuses`, named in the SQL itself:
    DriverRead sends a statement as compiled, with no IN list to expand at each execution."""
    return Appointment.status.in_([sa.literal_column(f"'{status}'") for status in statuses])


# The lists and their counts are built once (building a statement cost more than running
# it); :doctor_id and :today are bound at each request.
LIST_CONDITIONS = {
    "pending": (Appointment.status == "pending",),
    "today": (
        Appointment.scheduled_date == sa.bindparam("today"),
        _status_in(TODAY_STATUSES),
    ),
    "upcoming": (
        Appointment.status == "confirmed",
        Appointment.scheduled_date > sa.bindparam("today"),
    ),
    "history": (_status_in(HISTORY_STATUSES),),
}
COUNT_LISTS = DriverRead(sa.select(*(_capped_count(*LIST_CONDITIONS[view]) for view in VIEWS)))
# Each list runs oldest first but the history, newest first.
LIST_OLDEST_FIRST = {"pending": True, "today": True, "upcoming": True, "history": False}


def _ordered(conditions, order) -> sa.Select:
    """Appointments meeting `conditions` with their patients' names and IDs (ITEM_COLUMNS),
    in `order`, a page (:limit rows from :offset)."""
    return (
        sa.select(*ITEM_COLUMNS)
        .join_from(Appointment, Patient, Patient.id == Appointment.patient_id)
        .where(*conditions)
        .order_by(*order)
        .limit(sa.bindparam("limit"))
        .offset(sa.bindparam("offset"))
    )


LISTS = {
    (view, order): _ordered(
        (Appointment.doctor_id == sa.bindparam("doctor_id"), *LIST_CONDITIONS[view]),
        OLDEST_FIRST if order == "oldest" else NEWEST_FIRST,
    )
    for view in VIEWS
    for order in ("oldest", "newest")
}


def count_lists(session: Session, doctor_id: int, today: date) -> Counts:
    """Count the four lists, each an index range of the doctor's appointments, up to
    COUNT_CAP + 1 entries each."""
    with reading(session) as connection:  # one plan for every doctor: see READER_SETTINGS
        (row,) = COUNT_LISTS.rows(connection, {"doctor_id": doctor_id, "today": today})
    return Counts(*row)


def _fetch(session: Session, query: sa.Select, params: dict) -> list[Item]:
    """Rows of an ordered, paged query (see _ordered), on the session's connection: the
    best plan of a list depends on its values (see hms.database.READER_SETTINGS)."""
    return [Item(*row) for row in session.connection().execute(query, params)]


def _list_page(session: Session, view: str, params: dict, number: int, total: int) -> Page:
    """One page of a counted list; the last pages are read from the list's other end,
    so that OFFSET walks at most half of the index. A list past COUNT_CAP is paged
    forward only, one extra row telling whether a next page exists."""
    forward, backward = ("oldest", "newest") if LIST_OLDEST_FIRST[view] else ("newest", "oldest")
    if total > COUNT_CAP:
        number = max(number, 1)
        page = {**params, "limit": PER_PAGE + 1, "offset": (number - 1) * PER_PAGE}
        rows = _fetch(session, LISTS[view, forward], page)
        return Page(items=rows[:PER_PAGE], number=number, has_next=len(rows) > PER_PAGE)
    pages = max(1, -(-total // PER_PAGE))
    number = min(number, pages)
    offset = (number - 1) * PER_PAGE
    if offset <= total // 2:
        page = {**params, "limit": PER_PAGE, "offset": offset}
        items = _fetch(session, LISTS[view, forward], page)
    else:
        size = min(PER_PAGE, total - offset)
        page = {**params, "limit": size, "offset": total - offset - size}
        items = _fetch(session, LISTS[view, backward], page)[::-1]
    return Page(items=items, number=number, has_next=number < pages, pages=pages)


def _search_page(
    session: Session, doctor_id: int, text: str, phone_region: str, number: int
) -> Page:
    """One page of the doctor's appointments with the patients matching `text`, newest
    first; whether a next page exists is told by one extra row (no count)."""
    match = patient_match(text, phone_region, code_point_order=sorts_by_code_point(session))
    ids = session.scalars(sa.select(Patient.id).where(match.seek).limit(MAX_PATIENT_IDS + 1)).all()
    if not ids:
        return Page(items=[], number=1, has_next=False)
    if len(ids) <= MAX_PATIENT_IDS and patients_first(session, len(ids), number):
        # Through the (patient_id, scheduled_date) index; "+ 0" stops SQLite from walking
        # the doctor's whole date index instead, which it would pick for the ORDER BY.
        conditions = (Appointment.patient_id.in_(ids), Appointment.doctor_id + 0 == doctor_id)
    else:
        # Walk the doctor's appointments newest first, testing each one's patient, until
        # the page is full.
        if session.get_bind().dialect.name == "postgresql":
            # Parallel workers would read far past the few rows that fill a page.
            session.execute(sa.text("SET LOCAL max_parallel_workers_per_gather = 0"))
        conditions = (Appointment.doctor_id == doctor_id, match.test)
    page = {"limit": PER_PAGE + 1, "offset": (number - 1) * PER_PAGE}
    rows = _fetch(session, _ordered(conditions, NEWEST_FIRST), page)
    return Page(items=rows[:PER_PAGE], number=number, has_next=len(rows) > PER_PAGE)


def patients_first(session: Session, matching: int, page: int) -> bool:
    """Whether reading all the matching patients' appointments takes fewer rows than
    walking the doctor's appointments until the page is full.

    A rough model from two reads of a primary key's end: a patient has about
    appointments/patients appointments, and one in patients/matching appointments is
    of a matching patient.
    """
    patients = session.scalar(sa.select(sa.func.max(Patient.id))) or 1
    appointments = session.scalar(sa.select(sa.func.max(Appointment.id))) or 0
    rows_by_patient = matching * appointments / patients
    rows_by_doctor = page * PER_PAGE * patients / matching
    return rows_by_patient <= rows_by_doctor


def dashboard(
    session: Session,
    doctor_id: int,
    today: date,
    *,
    view: str = "pending",
    page: int = 1,
    query: str = "",
    phone_region: str = "IN",
) -> Dashboard:
    """The dashboard of one doctor: counts, and a page of a list or of the search results.

    Raises SearchError for search text that cannot match any patient.
    """
    if view not in VIEWS:
        raise ValueError(f"unknown list {view!r}")
    counts = count_lists(session, doctor_id, today)
    query = " ".join((query or "").split())
    if query:
        results = _search_page(session, doctor_id, query, phone_region, page)
        return Dashboard(counts=counts, view=view, page=results, query=query)
    params = {"doctor_id": doctor_id, "today": today}
    listed = _list_page(session, view, params, page, counts.of(view))
    return Dashboard(counts=counts, view=view, page=listed)


@dataclass(frozen=True)
class PatientMatch:
    """The patients a search means: `seek` finds them through an index, `test` checks
    one patient row (and gives a planner no index to start from)."""

    seek: sa.ColumnElement[bool]
    test: sa.ColumnElement[bool]


def patient_match(text: str, phone_region: str, *, code_point_order: bool = True) -> PatientMatch:
    """Patients whose patient ID or phone is `text`, or whose name starts with it.

    `code_point_order` tells that the database compares text code point by code point,
    so that a name prefix is a range of the name_key index.
    Raises SearchError for digits that are neither a phone number nor a patient ID.
    """
    text = " ".join(text.split())
    if NUMBER_LIKE.fullmatch(text):
        matches = []
        if PATIENT_NUMBER.fullmatch(text):
            matches.append(Patient.patient_number == text)
        with contextlib.suppress(InvalidPhone):
            matches.append(Patient.phone == normalize_phone(text, phone_region))
        if not matches:
            raise SearchError("Enter a whole phone number, a patient ID or a name.")
        return PatientMatch(seek=sa.or_(*matches), test=sa.or_(*matches))
    key = fold_name(text)
    # substr, not LIKE: no wildcards to escape, and exact under any collation.
    starts = sa.func.substr(Patient.name_key, 1, len(key)) == key
    bounds = prefix_range(key) if code_point_order else None
    if not bounds:
        return PatientMatch(seek=starts, test=starts)
    # The range is what the name_key index can seek (LIKE 'x%' is not, on SQLite without
    # NOCASE nor on PostgreSQL without a C collation); `starts` keeps the answer exact.
    in_range = sa.and_(Patient.name_key >= bounds[0], Patient.name_key < bounds[1])
    return PatientMatch(seek=sa.and_(in_range, starts), test=starts)


def prefix_range(key: str) -> tuple[str, str] | None:
    """Bounds [low, high) of the texts that start with `key`, in code point order."""
    if not key:
        return None
    following = ord(key[-1]) + 1
    if following > 0x10FFFF or 0xD800 <= following <= 0xDFFF:
        return None  # no character follows: no range (never for a letter or a digit)
    return key, key[:-1] + chr(following)


CODE_POINT_COLLATIONS = {"C", "POSIX", "C.UTF-8", "C.utf8", "ucs_basic"}


def sorts_by_code_point(session: Session) -> bool:
    """Whether the database orders text by code point: always SQLite (BINARY); PostgreSQL
    when the database's collation is C. Asked once per connection."""
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        return True
    if "hms_code_point_order" not in connection.info:
        collation = connection.scalar(
            sa.text("SELECT datcollate FROM pg_database WHERE datname = current_database()")
        )
        connection.info["hms_code_point_order"] = collation in CODE_POINT_COLLATIONS
    return connection.info["hms_code_point_order"]
