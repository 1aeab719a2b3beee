"""Staff patient search at a million patients: load them, time the search, show the plans.

    .venv/bin/python bench/patient_search.py                 # SQLite file in /tmp
    .venv/bin/python bench/patient_search.py \\
        --server postgresql+psycopg://postgres@127.0.0.1:5432/postgres   # PostgreSQL

Loads --patients rows with SQLAlchemy Core executemany in batches into a database of its
own (SQLite: --sqlite-path; PostgreSQL: a database named hms_bench_search on --server),
reusing it when it is already loaded (--fresh rebuilds it). Then it times the search by
patient ID, by phone and by name prefix, --repeat times each with different patients:
the service function `search_patients` and the route GET /register/patients (signed in as
a register, template and audit write included). Prints median and p95, and the query plan
of each search (SQLite EXPLAIN QUERY PLAN, PostgreSQL EXPLAIN ANALYZE). Exits 1 if a
median reaches the 50 ms budget. A measurement, not a test (not in the default suite).
"""

import argparse
import random
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import flask_migrate  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from hms import create_app  # noqa: E402
from hms.extensions import db  # noqa: E402
from hms.models import Patient, User  # noqa: E402
from hms.services.patient_search import search_patients, search_statement  # noqa: E402
from hms.services.patients import fold_name  # noqa: E402

BUDGET_MS = 50.0
BATCH = 10_000
DATABASE = "hms_bench_search"
FIRST = (
    "Aarav Aditi Arjun Ananya Asha Bhavna Chetan Deepa Divya Farhan Gauri Harish Isha Jaya "
    "Kavya Kiran Lakshmi Manoj Meena Mira Nikhil Neha Nisha Omkar Pooja Rahul Raj Ravi Ritu "
    "Rohan Sanjay Sneha Tarun Uma Varun Vidya Yash Zara Zoë Ñúria Łukasz Imran Maria Arun"
).split()
LAST = (
    "Verma Iyer Reddy Khan Das Sharma Nair Mehta Banerjee D'Souza Gupta Patel Singh Rao "
    "Pillai Menon Joshi Kulkarni Chatterjee Bose Ghosh Mukherjee Agarwal Jain Shah Desai "
    "Kapoor Malhotra Chopra Bhat Hegde Shetty Kamath Naidu Chowdhury Sen Dutta Roy Ñúñez-Łukasz"
).split()
INITIALS = "ABCDEFGHIJKLMNOPRSTUVWY"


def person(i: int) -> str:
    """The i-th generated name: first name, middle initial, surname (~40k distinct names)."""
    first, rest = FIRST[i % len(FIRST)], i // len(FIRST)
    initial, rest = INITIALS[rest % len(INITIALS)], rest // len(INITIALS)
    return f"{first} {initial}. {LAST[(rest + i) % len(LAST)]}"


def patient_row(i: int, start: date, created: datetime) -> dict:
    """Patient number i: 900 registrations a day from `start`, a unique mobile number."""
    day, number = start + timedelta(days=i // 900), i % 900 + 1
    name = person(i)
    return {
        "patient_number": f"{day:%Y%m%d}{number:03d}",
        "full_name": name,
        "name_key": fold_name(name),
        "phone": f"+9198{i:08d}",
        "created_at": created,
    }


def database_url(args) -> str:
    """This run's database: a SQLite file, or a database of its own on the server."""
    if not args.server:
        path = Path(args.sqlite_path)
        if args.fresh:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    server = make_url(args.server)
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.scalar(
            sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": DATABASE}
        )
        if exists and args.fresh:
            conn.exec_driver_sql(f'DROP DATABASE "{DATABASE}" WITH (FORCE)')
        if not exists or args.fresh:
            conn.exec_driver_sql(f'CREATE DATABASE "{DATABASE}"')
    admin.dispose()
    return server.set(database=DATABASE).render_as_string(hide_password=False)


def load(count: int) -> None:
    """Insert the patients that are missing, in batches of BATCH rows per executemany."""
    have = db.session.scalar(sa.select(sa.func.count()).select_from(Patient))
    db.session.commit()
    if have >= count:
        print(f"{have:,} patients already loaded")
        return
    started, start, created = time.perf_counter(), date(2023, 1, 1), datetime.now(UTC)
    table = Patient.__table__
    with db.engine.begin() as conn:
        for first in range(have, count, BATCH):
            rows = [patient_row(i, start, created) for i in range(first, min(first + BATCH, count))]
            conn.execute(sa.insert(table), rows)
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("ANALYZE patients")  # what autovacuum does after a bulk load
    print(f"loaded {count - have:,} patients in {time.perf_counter() - started:.1f} s")


def samples(count: int, repeat: int, seed: int = 5) -> dict[str, list[str]]:
    """Queries as a register types them, for patients spread over the whole table."""
    rng = random.Random(seed)
    picks = [rng.randrange(count) for _ in range(repeat)]
    start, now = date(2023, 1, 1), datetime.now(UTC)
    rows = [patient_row(i, start, now) for i in picks]
    return {
        "patient ID": [row["patient_number"] for row in rows],
        "phone": [f"{row['phone'][3:8]} {row['phone'][8:]}" for row in rows],  # 98000 12345
        "name prefix": [row["full_name"][: len(row["full_name"].split()[0]) + 3] for row in rows],
        "short prefix": [row["full_name"][:2] for row in rows],
    }


def timed(call, queries: list[str]) -> list[float]:
    """Milliseconds per call, each with its own query and a fresh session (as a request)."""
    times = []
    for query in queries:
        db.session.remove()
        started = time.perf_counter()
        call(query)
        times.append((time.perf_counter() - started) * 1000)
    return times


def signed_in_client(app):
    """A test client signed in as a register created for the benchmark."""
    user = db.session.scalar(sa.select(User).where(User.username == "bench.desk"))
    if user is None:
        user = User(username="bench.desk", full_name="Bench Register", role="register")
        db.session.add(user)
    user.set_password("benchmark-password")
    db.session.commit()
    client = app.test_client()
    response = client.post(
        "/login", data={"username": "bench.desk", "password": "benchmark-password"}
    )
    assert response.status_code == 303, response.status_code
    return client


def plan(kind: str, query: str) -> str:
    """The database's plan for the search statement of `query`."""
    _, statement, values = search_statement(query, "IN")
    sql, parameters = statement.driver_sql(db.engine.dialect, values)
    with db.engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", parameters).all()
            lines = [f"  {row[-1]}" for row in rows]
        else:
            explain = f"EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) {sql}"
            rows = conn.exec_driver_sql(explain, parameters).all()
            lines = [f"  {row[0]}" for row in rows]
    return f"{kind} ({query!r}):\n" + "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--server", help="PostgreSQL server URL; SQLite when absent")
    parser.add_argument("--sqlite-path", default="/tmp/hms-bench-search.sqlite")
    parser.add_argument("--fresh", action="store_true", help="rebuild the database")
    args = parser.parse_args()

    url = database_url(args)
    overrides = {
        "SQLALCHEMY_DATABASE_URI": url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
    }
    app = create_app("testing", overrides)
    with app.app_context():
        flask_migrate.upgrade()
        load(args.patients)
        total = db.session.scalar(sa.select(sa.func.count()).select_from(Patient))
        client = signed_in_client(app)
        print(f"\n{db.engine.dialect.name}, {total:,} patients, {args.repeat} queries each")
        print(f"{'search':<14}{'service median':>16}{'p95':>13}{'route median':>16}{'p95':>13}")
        failed = False
        for kind, queries in samples(args.patients, args.repeat).items():
            service = timed(lambda q: search_patients(db.session, q, "IN"), queries)
            found = search_patients(db.session, queries[0], "IN").patients
            assert found, f"{kind}: nothing found for {queries[0]!r}"
            route = timed(
                lambda q: client.get("/register/patients", query_string={"q": q}), queries
            )
            figures = [
                statistics.median(service),
                p95(service),
                statistics.median(route),
                p95(route),
            ]
            failed |= max(figures[0], figures[2]) >= BUDGET_MS
            print(f"{kind:<14}" + "".join(f"{value:>13.2f} ms" for value in figures))
        print()
        for kind, queries in samples(args.patients, 1, seed=11).items():
            print(plan(kind, queries[0]))
    return 1 if failed else 0


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


if __name__ == "__main__":
    sys.exit(main())
