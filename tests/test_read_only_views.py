"""Pages that only read run their statements outside a transaction (no BEGIN and ROLLBACK
round trips), the signed-in user's included; a write they make is still a real transaction."""

import re
from contextlib import contextmanager

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from hms.database import READ_OPTION, WRITE_OPTION, reading_engine
from hms.driver_read import DriverRead
from hms.extensions import db
from hms.kept_connections import KeptConnections
from tests.helpers import booking_form, csrf_token, sign_in


@pytest.fixture
def statements(app):
    """(first word, how it ran, execution options, SQL) of each statement sent."""
    seen = []

    with app.app_context():
        engines = {db.engine, reading_engine(db.engine)}
        autocommit_pool = reading_engine(db.engine) if len(engines) == 2 else None

    def record(conn, _cursor, statement, _params, _context, _executemany):
        options = conn.get_execution_options()
        alone = (
            bool(options.get(READ_OPTION))
            or options.get("isolation_level") == "AUTOCOMMIT"
            or conn.engine is autocommit_pool
        )
        how = "alone" if alone else "in transaction"
        seen.append((statement.split()[0].upper(), how, options, statement))

    for engine in engines:
        event.listen(engine, "before_cursor_execute", record)
    yield seen
    for engine in engines:
        event.remove(engine, "before_cursor_execute", record)


@pytest.mark.parametrize(
    ("role", "path"),
    [
        ("register", "/register/"),
        ("doctor", "/doctor/"),
        ("admin", "/admin/stats.json"),
        (None, "/api/doctors/1/slots?date=2030-01-07"),
    ],
)
def test_reading_pages_read_outside_a_transaction(client, staff, statements, role, path):
    if role:
        sign_in(client, staff[role])
    statements.clear()

    assert client.get(path).status_code == 200

    assert statements, "the page read nothing"
    assert {(word, how) for word, how, *_ in statements} == {("SELECT", "alone")}


def test_a_search_reads_alone_and_writes_its_audit_entry_on_its_own(app, client, staff, statements):
    sign_in(client, staff["register"])
    statements.clear()

    assert client.get("/register/patients?q=asha").status_code == 200

    reads = [how for word, how, *_ in statements if word == "SELECT"]
    writes = [(how, options, sql) for _, how, options, sql in statements if "INSERT INTO" in sql]
    assert reads and set(reads) == {"alone"}
    assert len(writes) == 1
    how, options, sql = writes[0]
    with app.app_context():
        server = db.engine.dialect.name == "postgresql"
    if server:  # one INSERT, which the server commits by itself, not waiting for the disk
        assert how == "alone"
        assert "set_config('synchronous_commit', 'off', true)" in sql
    else:  # SQLite: a writing transaction that takes its turn (WriterQueue)
        assert how == "in transaction" and options.get(WRITE_OPTION)
    # Writing the audit entry leaves the signed-in user loaded: read once, not again.
    assert sum("FROM users" in statement for *_, statement in statements) == 1


def test_a_doctor_page_reads_the_enrolment_with_the_user(client, staff, statements):
    sign_in(client, staff["doctor"])
    statements.clear()

    page = client.get("/doctor/")

    assert page.status_code == 200 and "Gregory House" in page.get_data(as_text=True)
    sql = [statement for *_, statement in statements]
    assert sum("FROM users" in statement for statement in sql) == 1
    assert not [statement for statement in sql if re.search(r"\bFROM doctors\b", statement)]


def test_the_public_lookups_read_alone_on_the_connection_the_thread_keeps(
    app, client, hospital, tomorrow, statements, monkeypatch
):
    token = csrf_token(client, "/status")
    slots_url = f"/api/doctors/{hospital.doctors['house']}/slots?date={tomorrow}"
    client.get(slots_url)  # the catalogue is read
    statements.clear()
    sessions_begun = []

    def begun(*_):
        sessions_begun.append(1)

    sessions_made = []
    make_session = db.session.registry.createfunc

    def made(**kwargs):
        sessions_made.append(1)
        return make_session(**kwargs)

    lent = []  # (pool, autocommit) of each connection reading() lent
    lend = KeptConnections.lend

    @contextmanager
    def recorded_lend(kept):
        with lend(kept) as connection:
            driver = connection.connection.dbapi_connection
            lent.append((kept.engine.pool, getattr(driver, "autocommit", None)))
            yield connection

    monkeypatch.setattr(KeptConnections, "lend", recorded_lend)
    checkouts = []

    def checkout(*_):
        checkouts.append(1)

    with app.app_context():
        readers = reading_engine(db.engine).pool
    event.listen(Session, "after_begin", begun)
    event.listen(readers, "checkout", checkout)
    db.session.registry.createfunc = made
    try:
        slots = client.get(slots_url)
        lent_for_slots = len(lent)
        lookup = {"name": "Asha", "phone": "98765 43210", "csrf_token": token}
        found = client.post("/status", data=lookup)
    finally:
        db.session.registry.createfunc = make_session
        event.remove(Session, "after_begin", begun)
        event.remove(readers, "checkout", checkout)

    assert slots.status_code == 200 and "10:00" in slots.get_json()
    assert found.status_code == 200 and 'id="no-booking"' in found.get_data(as_text=True)
    assert [(word, how) for word, how, *_ in statements] == [("SELECT", "alone")]
    # The lookup runs on the driver's cursor (no SQLAlchemy event): one more loan of the
    # reading pool's connection, in autocommit on PostgreSQL (sqlite3 has no such attribute).
    assert lent_for_slots == 1 and len(lent) == 2
    postgresql = app_dialect(app) == "postgresql"
    assert lent == [(readers, True if postgresql else None)] * 2
    # The thread kept the connection the catalogue was read on: the pool lent nothing more.
    assert not checkouts
    # The session was never used, nor made.
    assert not sessions_begun and not sessions_made


def app_dialect(app) -> str:
    with app.app_context():
        return db.engine.dialect.name


def test_a_booking_borrows_connections_for_its_checks_and_its_write_only(
    app, client, hospital, tomorrow, monkeypatch
):
    form = booking_form(client, hospital.doctors["house"], tomorrow, time="11:00")
    client.get("/")  # the catalogue is read
    borrowed = []  # "app": the app's pool lent one; "reading": reading() lent its own
    lend = KeptConnections.lend

    def counted_lend(kept):
        borrowed.append("reading")
        return lend(kept)

    def checkout(*_):
        borrowed.append("app")

    monkeypatch.setattr(KeptConnections, "lend", counted_lend)
    with app.app_context():
        pool = db.engine.pool
        sqlite = db.engine.dialect.name == "sqlite"
    event.listen(pool, "checkout", checkout)
    try:
        response = client.post("/appointments", data=form)
    finally:
        event.remove(pool, "checkout", checkout)
    assert response.status_code == 303
    # SQLite: one for the checks, one for the write, none after it (the request redirects);
    # PostgreSQL books in one statement on the checks' connection, in autocommit from the
    # reading pool: the session is not used at all.
    assert borrowed == (["app", "app"] if sqlite else ["reading"])


def test_the_day_figures_are_read_on_the_reading_pool_and_the_doctors_list_is_not(
    app, client, staff, monkeypatch
):
    """The front desk's figures and the counts of the doctor's lists go through reading(),
    whose connections plan a statement once for all its values on PostgreSQL; the doctor's
    list itself, whose best plan depends on the status asked for, stays on the app's pool."""
    with app.app_context():
        reader = reading_engine(db.engine)
        engines = {"reading": reader, "app": db.engine}
    assert reader is not engines["app"]
    sent = []

    def recorder(name):
        def record(_conn, _cursor, statement, *_):
            sent.append((name, " ".join(statement.split())))

        return record

    listeners = [(engine, recorder(name)) for name, engine in engines.items()]
    for engine, listener in listeners:
        event.listen(engine, "before_cursor_execute", listener)
    loans = []  # the loans of reading()
    lend = KeptConnections.lend

    def counted_lend(kept):
        loans.append(kept.engine)
        return lend(kept)

    monkeypatch.setattr(KeptConnections, "lend", counted_lend)
    driver_rows = DriverRead.rows  # which reaches the driver without the events above

    def recorded_rows(read, connection, params):
        name = next(name for name, engine in engines.items() if connection.engine is engine)
        sent.append((name, " ".join(str(read.statement.compile(connection.engine)).split())))
        return driver_rows(read, connection, params)

    monkeypatch.setattr(DriverRead, "rows", recorded_rows)
    try:
        sign_in(client, staff["register"])
        sent.clear()
        loans.clear()
        assert client.get("/register/").status_code == 200
        front_desk = list(sent)
        assert loans == [reader]  # one loan of that pool for all the figures
        doctor_client = app.test_client()
        sign_in(doctor_client, staff["doctor"])
        sent.clear()
        assert doctor_client.get("/doctor/").status_code == 200
        doctor = list(sent)
    finally:
        for engine, listener in listeners:
            event.remove(engine, "before_cursor_execute", listener)

    def pool_of(statements, marker):
        found = {name for name, sql in statements if marker in sql}
        assert len(found) == 1, f"{marker!r} was sent by {found or 'no pool'}"
        return found.pop()

    for marker in (
        "'admitted' AS kind",  # the day's latest admissions and discharges
        "count(admissions.id)",  # beds by department
        "patients.created_at >=",  # the day's counts
        "open_stays",  # the open bills
    ):
        assert pool_of(front_desk, marker) == "reading"
    assert pool_of(doctor, "count(*)") == "reading"
    assert pool_of(doctor, "ORDER BY appointments.scheduled_date") == "app"
