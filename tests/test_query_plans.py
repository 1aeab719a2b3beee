"""The hot queries use indexes: every SELECT the busy pages send is explained by the
database itself (SQLite EXPLAIN QUERY PLAN, PostgreSQL EXPLAIN), and none may read a large
table from end to end."""

import functools
import re
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from hms.database import reading_engine
from hms.driver_read import DriverRead
from hms.extensions import db
from hms.services import front_desk, patient_search
from hms.services.lookup import LOOKUP
from tests.doctor.builders import admit, make_appointment
from tests.helpers import booking_form, csrf_token, sign_in

LARGE_TABLES = (
    "patients",
    "appointments",
    "admissions",
    "bills",
    "bill_items",
    "payments",
    "audit_events",
    "visit_notes",
    "progress_notes",
)


@contextmanager
def captured_selects(engine, monkeypatch):
    """Collect the SELECT statements (with their parameters) sent while the block runs,
    through the engine and through the pool reading() lends from, and those DriverRead
    hands to the driver itself (which pass no SQLAlchemy event; `reads` lists those)."""
    statements, reads = [], []

    def before(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT") and not executemany:
            statements.append((statement, parameters))

    driver_rows = DriverRead.rows

    def recorded_rows(read, connection, params):
        reads.append(read)
        statements.append(read.driver_sql(engine.dialect, params))
        return driver_rows(read, connection, params)

    monkeypatch.setattr(DriverRead, "rows", recorded_rows)
    engines = {engine, reading_engine(engine)}
    for watched in engines:
        event.listen(watched, "before_cursor_execute", before)
    try:
        yield statements, reads
    finally:
        for watched in engines:
            event.remove(watched, "before_cursor_execute", before)


def full_scans(conn, statement: str, parameters) -> list[str]:
    """The large tables the database would read in full for this statement: a scan of the
    table, or a walk of a whole index of it (an index gives an order, not a range)."""
    if conn.dialect.name == "sqlite":
        rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
        return [
            table
            for row in rows
            if (m := SQLITE_SCAN.match(row[-1]))
            and (table := m.group(1)) in LARGE_TABLES
            and m.group(2) not in partial_indexes()
        ]
    # PostgreSQL picks sequential scans on tiny test tables; ask whether an index *can* serve.
    conn.exec_driver_sql("SET enable_seqscan = off")
    try:
        lines = [line for (line,) in conn.exec_driver_sql(f"EXPLAIN {statement}", parameters)]
    finally:
        conn.exec_driver_sql("SET enable_seqscan = on")
    return [table for table in postgres_scans(lines) if table in LARGE_TABLES]


@functools.cache
def partial_indexes() -> frozenset[str]:
    """The indexes of only some rows (a WHERE of their own): walking one whole reads just
    those rows (the open stays, say), which is what a statement wants of it."""
    return frozenset(
        index.name
        for table in db.metadata.tables.values()
        for index in table.indexes
        if index.dialect_options["postgresql"]["where"] is not None
        or index.dialect_options["sqlite"]["where"] is not None
    )


# "SCAN patients", "SCAN patients USING INDEX ix_patients_name_key" (no range: the whole index)
SQLITE_SCAN = re.compile(r"SCAN (\w+)(?: AS \w+)?(?: USING (?:COVERING )?INDEX (\w+))?$")
POSTGRES_NODE = re.compile(
    r"(Seq Scan|Index Scan|Index Only Scan)(?: Backward)?(?: using (\w+))? on (\w+)"
)


def postgres_scans(lines: list[str]) -> list[str]:
    """Tables of an EXPLAIN's sequential scans and of its index scans with no Index Cond
    (a walk of the whole index, unless a partial one) in the plan's lines."""
    tables = []
    for number, line in enumerate(lines):
        node = POSTGRES_NODE.search(line)
        if not node:
            continue
        kind, index, table = node.groups()
        if kind == "Seq Scan":
            tables.append(table)
            continue
        if index in partial_indexes():
            continue
        depth = len(line) - len(line.lstrip())
        details = []
        for following in lines[number + 1 :]:
            if "->" in following or len(following) - len(following.lstrip()) <= depth:
                break
            details.append(following)
        if not any("Index Cond:" in detail for detail in details):
            tables.append(table)
    return tables


@pytest.fixture
def busy_pages(client, staff, hospital, tomorrow):
    """The requests the benchmark drives, as (client, method, url, data) to replay."""
    client.post("/appointments", data=booking_form(client, hospital.doctors["house"], tomorrow))
    staff_clients = {}
    for role in ("doctor", "register", "admin"):
        staff_clients[role] = client.application.test_client()
        sign_in(staff_clients[role], staff[role])
    status_token = csrf_token(client, "/status")
    return [
        (client, "get", "/", None),
        (client, "get", f"/api/doctors/{hospital.doctors['house']}/slots?date={tomorrow}", None),
        (
            client,
            "post",
            "/status",
            {"name": "Asha Verma", "phone": "9876543210", "csrf_token": status_token},
        ),
        (
            client,
            "post",
            "/appointments",
            booking_form(
                client, hospital.doctors["house"], tomorrow, time="11:00", name="Ravi Rao"
            ),
        ),
        (staff_clients["doctor"], "get", "/doctor/", None),
        (staff_clients["register"], "get", "/register/", None),
        (staff_clients["register"], "get", "/register/patients?q=Asha", None),
        (staff_clients["register"], "get", "/register/patients?q=9876543210", None),
        (staff_clients["admin"], "get", "/admin/stats.json", None),
    ]


def test_hot_queries_use_indexes(app, busy_pages, monkeypatch):
    with app.app_context():
        engine = db.engine
    with captured_selects(engine, monkeypatch) as (statements, reads):
        for client, method, url, data in busy_pages:
            response = getattr(client, method)(url, data=data)
            assert response.status_code in (200, 303), (url, response.status_code)
    touching = [(s, p) for s, p in statements if any(t in s for t in LARGE_TABLES)]
    assert len(touching) >= 10, "the pages should have queried the large tables"
    # Among them, those run on the driver: the status lookup, the front desk's figures and
    # the staff search by name and by phone.
    searches = patient_search.SEARCHES
    on_driver = {LOOKUP, front_desk.OCCUPANCY, front_desk.DAY_COUNTS, front_desk.LATEST}
    assert on_driver | {searches["name",], searches["phone",]} <= set(reads)
    with engine.connect() as conn:
        scans = {
            statement: tables
            for statement, parameters in touching
            if (tables := full_scans(conn, statement, parameters))
        }
    assert scans == {}, "\n\n".join(f"{tables}: {s}" for s, tables in scans.items())


def test_patient_records_use_indexes(app, client, staff, hospital, tomorrow, monkeypatch):
    """The pages of one patient's record read the patient's stays by an index: the front
    desk's patient page and the doctor's chart, for a patient with an open stay and a past
    one (the partial index of open stays cannot give the past ones)."""
    with app.app_context():
        visit = make_appointment(db.session, hospital.doctors["house"], tomorrow)
        patient_id, number = visit.patient_id, visit.patient.patient_number
        admit(db.session, patient_id, hospital.doctors["house"], discharged=True)
        admit(db.session, patient_id, hospital.doctors["house"])
        db.session.commit()
        engine = db.engine
    desk, doctor = client.application.test_client(), client.application.test_client()
    sign_in(desk, staff["register"])
    sign_in(doctor, staff["doctor"])
    pages = (
        (desk, f"/register/patients/{patient_id}", 'data-label="Discharged"'),
        (doctor, f"/doctor/patients/{number}", 'aria-labelledby="admission-'),
    )
    with captured_selects(engine, monkeypatch) as (statements, _reads):
        for viewer, url, one_a_stay in pages:
            response = viewer.get(url)
            assert response.status_code == 200, (url, response.status_code)
            assert response.text.count(one_a_stay) == 2, f"{url} should list both stays"
    stays = [(s, p) for s, p in statements if "FROM admissions" in s and "patient_id" in s]
    assert len(stays) >= 2, "both pages should have read the patient's stays"
    with engine.connect() as conn:
        scans = {s: tables for s, p in stays if (tables := full_scans(conn, s, p))}
    assert scans == {}, "\n\n".join(f"{tables}: {s}" for s, tables in scans.items())


def test_console_searches_use_indexes(app, client, staff, hospital, tomorrow, monkeypatch):
    """The console's patient and appointment searches seek an index (Flask-Admin's own
    search, ILIKE '%term%', read the whole table)."""
    with app.app_context():
        reference = make_appointment(db.session, hospital.doctors["house"], tomorrow).reference
        db.session.commit()
        engine = db.engine
    sign_in(client, staff["admin"])
    searches = [
        "/admin/admin_patients/?search=asha",
        "/admin/admin_patients/?search=9876543210",
        f"/admin/admin_appointments/?search={reference[:6]}",
    ]
    with captured_selects(engine, monkeypatch) as (statements, _reads):
        for url in searches:
            response = client.get(url)
            assert response.status_code == 200 and "Asha Verma" in response.text, url
    searched = [(s, p) for s, p in statements if "FROM patients" in s or "FROM appointments" in s]
    assert len(searched) >= 6, "each search should have read a page and a count"
    with engine.connect() as conn:
        scans = {s: tables for s, p in searched if (tables := full_scans(conn, s, p))}
    assert scans == {}, "\n\n".join(f"{tables}: {s}" for s, tables in scans.items())
