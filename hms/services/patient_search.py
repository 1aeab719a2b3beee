"""Staff patient search: by patient ID (exact), phone (canonical, exact) or name prefix.

Each form of the query is answered from an index (patients.patient_number,
uq_patients_phone_name_key, ix_patients_name_key), so it stays fast at millions of patients.
"""

import re
from contextlib import suppress
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import Session

from hms.database import reading
from hms.driver_read import DriverRead
from hms.models import Patient
from hms.services.patients import TOP, InvalidPhone, fold_name, normalize_phone

PER_PAGE = 20
QUERY_MAX = 100
PATIENT_ID = re.compile(r"\d{11,12}")


class Found(NamedTuple):
    """A patient found, as the results list shows them."""

    id: int
    full_name: str
    patient_number: str
    phone: str
    date_of_birth: date | None


@dataclass(frozen=True)
class SearchResult:
    """One page of patients found; `kind` says how the query was read."""

    query: str
    kind: str  # "id or phone", "name", or "" when the query cannot match anyone
    patients: list[Found]
    page: int
    has_next: bool

    @property
    def has_prev(self) -> bool:
        return self.page > 1


def name_prefix(low, high):
    """Names from `low` up to (not including) `high`: with low the folded prefix and high the
    prefix + TOP, the names that start with it, as a range the b-tree index answers.

    A LIKE 'prefix%' would need text_pattern_ops (PostgreSQL) or a NOCASE column (SQLite)
    to use an index; the range works with the plain index on both, and is exact wherever
    text compares by code point (SQLite always; PostgreSQL with the C or C.UTF-8 collation).
    """
    return sa.and_(Patient.name_key >= low, Patient.name_key < high)


def _found(condition) -> DriverRead:
    """A page (:limit rows from :offset) of the patients meeting `condition`, by name."""
    return DriverRead(
        sa.select(*(getattr(Patient, column) for column in Found._fields))
        .where(condition)
        .order_by(Patient.name_key, Patient.id)
        .limit(sa.bindparam("limit"))
        .offset(sa.bindparam("offset"))
    )


# One fixed statement per form of the query, run on the driver: a statement built for each
# search and run through the session took about a fifth of the search page's worker time
# (7.0-7.3 ms against 5.6-5.9, PostgreSQL 10k, in-process). Each has one plan for all
# values on PostgreSQL (see hms.database.READER_SETTINGS), a walk of one index.
NUMBER = Patient.patient_number == sa.bindparam("number")
PHONE = Patient.phone == sa.bindparam("phone")
SEARCHES = {
    ("name",): _found(name_prefix(sa.bindparam("low"), sa.bindparam("high"))),
    ("number",): _found(NUMBER),
    ("phone",): _found(PHONE),
    ("number", "phone"): _found(sa.or_(NUMBER, PHONE)),
}


def tidy_query(query: str | None) -> str:
    """The search text as read: single spaces, at most QUERY_MAX characters."""
    return " ".join((query or "").split())[:QUERY_MAX]


def search_statement(
    query: str, region: str, page: int = 1, per_page: int = PER_PAGE
) -> tuple[str, DriverRead | None, dict]:
    """How the query was read ("name", "id or phone", or "" when it cannot match anyone),
    the statement that answers it (None: it cannot match) and its values for the page."""
    values = {"limit": per_page + 1, "offset": (page - 1) * per_page}
    if any(char.isalpha() for char in query):
        key = fold_name(query)
        if not key:
            return "", None, {}
        return "name", SEARCHES[("name",)], {**values, "low": key, "high": key + TOP}
    digits = query.replace(" ", "")
    if PATIENT_ID.fullmatch(digits):
        values["number"] = digits
    with suppress(InvalidPhone):
        values["phone"] = normalize_phone(query, region)
    forms = tuple(form for form in ("number", "phone") if values.get(form))
    if not forms:
        return "", None, {}
    return "id or phone", SEARCHES[forms], values


def patient_condition(query: str, region: str) -> sa.ColumnElement[bool]:
    """The staff search's reading of `query` as a condition on Patient, for lists built
    elsewhere (the console's): the start of the name as a range of the name_key index, or
    an exact patient ID or phone number; false when it cannot match anyone."""
    kind, _statement, values = search_statement(tidy_query(query), region)
    if kind == "name":
        return name_prefix(values["low"], values["high"])
    matches = [
        column == values[form]
        for form, column in (("number", Patient.patient_number), ("phone", Patient.phone))
        if form in values
    ]
    return sa.or_(*matches) if matches else sa.false()


def search_patients(
    session: Session, query: str, region: str, page: int = 1, per_page: int = PER_PAGE
) -> SearchResult:
    """Find patients by ID, phone or the start of their name, ordered by name (one more row
    than the page tells whether a next page exists, without a count)."""
    query = tidy_query(query)
    page = max(page, 1)
    kind, statement, values = search_statement(query, region, page, per_page)
    if statement is None:
        return SearchResult(query, kind, [], page, False)
    with reading(session) as connection:
        found = [Found(*row) for row in statement.rows(connection, values)]
    return SearchResult(query, kind, found[:per_page], page, len(found) > per_page)
