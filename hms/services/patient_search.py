"""Staff patient search: by patient ID (exact), phone (canonical, exact) or name prefix.

Each form of the query is answered from an index (patients.patient_number,
uq_patients_phone_name_key, ix_patients_name_key), so it stays fast at millions of patients.
"""

import re
from contextlib import suppress
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from hms.models import Patient
from hms.services.patients import InvalidPhone, fold_name, normalize_phone

PER_PAGE = 20
QUERY_MAX = 100
PATIENT_ID = re.compile(r"\d{11,12}")
# Above every character a name can hold (names refuse private-use characters), so
# [prefix, prefix + TOP) holds exactly the keys that start with the prefix.
TOP = "\U0010ffff"
FOUND_COLUMNS = (
    Patient.id,
    Patient.full_name,
    Patient.patient_number,
    Patient.phone,
    Patient.date_of_birth,
)


@dataclass(frozen=True)
class SearchResult:
    """One page of patients found; `kind` says how the query was read."""

    query: str
    kind: str  # "id or phone", "name", or "" when the query cannot match anyone
    patients: list[sa.Row]  # FOUND_COLUMNS: plain rows, they outlive the audit's commit
    page: int
    has_next: bool

    @property
    def has_prev(self) -> bool:
        return self.page > 1


def name_prefix(prefix: str):
    """Names starting with the folded `prefix`, as a range the b-tree index answers.

    A LIKE 'prefix%' would need text_pattern_ops (PostgreSQL) or a NOCASE column (SQLite)
    to use an index; the range works with the plain index on both, and is exact wherever
    text compares by code point (SQLite always; PostgreSQL with the C or C.UTF-8 collation).
    """
    return sa.and_(Patient.name_key >= prefix, Patient.name_key < prefix + TOP)


def search_conditions(query: str, region: str) -> tuple[str, list]:
    """How to read the query, and the WHERE conditions that find it."""
    if any(char.isalpha() for char in query):
        key = fold_name(query)
        return ("name", [name_prefix(key)]) if key else ("", [])
    conditions = []
    digits = query.replace(" ", "")
    if PATIENT_ID.fullmatch(digits):
        conditions.append(Patient.patient_number == digits)
    with suppress(InvalidPhone):
        conditions.append(Patient.phone == normalize_phone(query, region))
    return ("id or phone" if conditions else ""), conditions


def search_statement(query: str, region: str, page: int = 1, per_page: int = PER_PAGE):
    """How the query was read and the SELECT that answers it (None: it cannot match)."""
    kind, conditions = search_conditions(query, region) if query else ("", [])
    if not conditions:
        return kind, None
    statement = (
        sa.select(*FOUND_COLUMNS)
        .where(sa.or_(*conditions))
        .order_by(Patient.name_key, Patient.id)
        .limit(per_page + 1)  # one more tells whether a next page exists, without a count
        .offset((page - 1) * per_page)
    )
    return kind, statement


def search_patients(
    session: Session, query: str, region: str, page: int = 1, per_page: int = PER_PAGE
) -> SearchResult:
    """Find patients by ID, phone or the start of their name, ordered by name."""
    query = " ".join((query or "").split())[:QUERY_MAX]
    page = max(page, 1)
    kind, statement = search_statement(query, region, page, per_page)
    if statement is None:
        return SearchResult(query, "", [], page, False)
    found = session.execute(statement).all()
    return SearchResult(query, kind, found[:per_page], page, len(found) > per_page)
