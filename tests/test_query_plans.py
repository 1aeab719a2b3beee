"""The hot queries use indexes: every SELECT the busy pages send is explained by the
database itself (SQLite EXPLAIN QUERY PLAN, PostgreSQL EXPLAIN), and none may read a large
table from end to end."""

import re
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from hms.database import reading_engine
from hms.extensions import db
from hms.services.lookup import LOOKUP
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
def captured_selects(engine):
    """Collect the SELECT statements (with their parameters) sent while the block runs,
    through the engine and through the pool reading() lends from."""
    statements = []

    def before(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT") and not executemany:
            statements.append((statement, parameters))

    engines = {engine, reading_engine(engine)}
    for watched in engines:
        event.listen(watched, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        for watched in engines:
            event.remove(watched, "before_cursor_execute", before)


def full_scans(conn, statement: str, parameters) -> list[str]:
    """The large tables the database would read in full for this statement."""
    if conn.dialect.name == "sqlite":
        rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
        return [
            table
            for row in rows
            if (m := re.match(r"SCAN (\w+)(?: AS \w+)?$", row[-1]))
            and (table := m.group(1)) in LARGE_TABLES
        ]
    # PostgreSQL picks sequential scans on tiny test tables; ask whether an index *can* serve.
    conn.exec_driver_sql("SET enable_seqscan = off")
    try:
        rows = conn.exec_driver_sql(f"EXPLAIN {statement}", parameters).all()
    finally:
        conn.exec_driver_sql("SET enable_seqscan = on")
    return [
        table
        for (line,) in rows
        for table in re.findall(r"Seq Scan on (\w+)", line)
        if table in LARGE_TABLES
    ]


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


def test_hot_queries_use_indexes(app, busy_pages):
    with app.app_context():
        engine = db.engine
    with captured_selects(engine) as statements:
        for client, method, url, data in busy_pages:
            response = getattr(client, method)(url, data=data)
            assert response.status_code in (200, 303), (url, response.status_code)
    touching = [(s, p) for s, p in statements if any(t in s for t in LARGE_TABLES)]
    assert len(touching) >= 10, "the pages should have queried the large tables"
    # What runs straight on the driver's cursor (DriverRead) passes no SQLAlchemy event.
    lookup = {"phone": "+919876543210", "name_key": "asha verma"}
    touching.append(LOOKUP.driver_sql(engine.dialect, lookup))
    with engine.connect() as conn:
        scans = {
            statement: tables
            for statement, parameters in touching
            if (tables := full_scans(conn, statement, parameters))
        }
    assert scans == {}, "\n\n".join(f"{tables}: {s}" for s, tables in scans.items())
