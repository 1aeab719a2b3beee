"""Pages that only read run their statements outside a transaction (no BEGIN and ROLLBACK
round trips), the signed-in user's included; a write they make is still a real transaction."""

import re

import pytest
from sqlalchemy import event

from hms.database import READ_OPTION, WRITE_OPTION
from hms.extensions import db
from tests.helpers import sign_in


@pytest.fixture
def statements(app):
    """(first word, how it ran, execution options, SQL) of each statement sent."""
    seen = []

    def record(conn, _cursor, statement, _params, _context, _executemany):
        options = conn.get_execution_options()
        alone = bool(options.get(READ_OPTION)) or options.get("isolation_level") == "AUTOCOMMIT"
        how = "alone" if alone else "in transaction"
        seen.append((statement.split()[0].upper(), how, options, statement))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    yield seen
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


def test_a_search_reads_alone_and_writes_its_audit_entry_in_a_transaction(
    client, staff, statements
):
    sign_in(client, staff["register"])
    statements.clear()

    assert client.get("/register/patients?q=asha").status_code == 200

    reads = [how for word, how, *_ in statements if word == "SELECT"]
    writes = [(how, options) for word, how, options, _ in statements if word == "INSERT"]
    assert reads and set(reads) == {"alone"}
    assert len(writes) == 1
    how, options = writes[0]
    assert how == "in transaction" and options.get(WRITE_OPTION)
    # The audit entry's commit leaves the signed-in user loaded: read once, not again.
    assert sum("FROM users" in statement for *_, statement in statements) == 1


def test_a_doctor_page_reads_the_enrolment_with_the_user(client, staff, statements):
    sign_in(client, staff["doctor"])
    statements.clear()

    page = client.get("/doctor/")

    assert page.status_code == 200 and "Gregory House" in page.get_data(as_text=True)
    sql = [statement for *_, statement in statements]
    assert sum("FROM users" in statement for statement in sql) == 1
    assert not [statement for statement in sql if re.search(r"\bFROM doctors\b", statement)]
