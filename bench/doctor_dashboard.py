"""Measure the doctor's dashboard and its patient search with 100,000 appointments.

Loads one doctor's 100,000 appointments (and another doctor's, so the indexes have to
tell them apart) with SQLAlchemy core bulk inserts into a fresh database, signs in as
that doctor through the Flask test client and reports the median time of each page.
Not part of the test suite, and it asserts no timings: it prints them.

    .venv/bin/python bench/doctor_dashboard.py                       # SQLite file
    .venv/bin/python bench/doctor_dashboard.py \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres
"""

import argparse
import random
import re
import statistics
import sys
import tempfile
import time as clock
import uuid
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import flask_migrate
import sqlalchemy as sa
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hms import create_app  # noqa: E402
from hms.extensions import db  # noqa: E402
from hms.models import Appointment, Department, Doctor, Patient, ScheduleBlock, User  # noqa: E402
from hms.services.clock import hospital_now  # noqa: E402
from hms.services.patients import fold_name  # noqa: E402

PASSWORD = "bench password 1"
FIRST = (
    "Aarav Aditi Akash Ananya Arjun Asha Bina Chetan Deepa Dev Divya Farah Gaurav Gita Harish "
    "Isha Jaya Kabir Kavya Kiran Lakshmi Manoj Meera Mohan Nandini Neha Nikhil Pooja Priya "
    "Rahul Ravi Rekha Rohan Sanjay Sara Shreya Suresh Tara Uma Varun Vikram Yash Zoya"
).split()
LAST = (
    "Agarwal Bose Chopra Das Desai Gupta Iyer Jain Joshi Kapoor Khan Kumar Menon Mehta Nair "
    "Patel Pillai Rao Reddy Roy Saxena Shah Sharma Singh Sinha Thomas Varma Verma Yadav"
).split()
SLOTS = [time(9 + m // 60, m % 60) for m in range(0, 8 * 60, 15)]  # 09:00-16:45
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def fresh_database(url: str | None):
    """A new empty database: a temporary SQLite file, or a new PostgreSQL database."""
    if not url:
        path = Path(tempfile.mkdtemp(prefix="hms-bench-")) / "bench.sqlite"
        return f"sqlite:///{path}", lambda: None
    server = make_url(url)
    name = f"hms_bench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')

    def drop():
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()

    return server.set(database=name).render_as_string(hide_password=False), drop


def bulk(session, table, rows, chunk=10_000):
    """Insert many rows with executemany batches."""
    for start in range(0, len(rows), chunk):
        session.execute(sa.insert(table), rows[start : start + chunk])


def load(session, today: date, appointments: int, patients: int, rng: random.Random):
    """The hospital, the patients and both doctors' appointments; returns the bench doctor."""
    dept = Department(name="General Medicine", beds=50)
    users = [
        User(username=f"dr.{n}", role="doctor", full_name=f"Dr. {n.title()}")
        for n in ("bench", "other")
    ]
    for user in users:
        user.set_password(PASSWORD)
    doctors = [Doctor(user=u, department=dept, slot_minutes=15) for u in users]
    for doctor in doctors:
        doctor.schedule = [
            ScheduleBlock(weekday=d, start_time=time(9), end_time=time(17)) for d in range(7)
        ]
    session.add_all(doctors)
    session.flush()

    created = datetime.now(UTC)
    patient_rows = []
    for n in range(patients):
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        registered = date(2020, 1, 1) + timedelta(days=n // 999)  # 999 patients a day
        patient_rows.append(
            {
                "patient_number": f"{registered:%Y%m%d}{n % 999 + 1:03d}",
                "full_name": name,
                "name_key": fold_name(name),
                "phone": f"+919{n:09d}",
                "created_at": created,
            }
        )
    bulk(session, Patient.__table__, patient_rows)
    first_id = session.scalar(sa.select(sa.func.min(Patient.id)))

    serial = 0
    for doctor in doctors:
        rows = []
        # Today and the next 60 days: every slot held by a pending or confirmed request.
        for offset in range(0, 61):
            for at in SLOTS:
                status = rng.choices(
                    ["pending", "confirmed", "completed"], [3, 6, 1 if offset == 0 else 0]
                )[0]
                rows.append((today + timedelta(days=offset), at, status))
        # The past: mostly completed, some canceled, a few requests never answered.
        day = today
        while len(rows) < appointments:
            day -= timedelta(days=1)
            for at in SLOTS:
                rows.append(
                    (day, at, rng.choices(["completed", "canceled", "pending"], [85, 14, 1])[0])
                )
        table_rows = []
        for scheduled_date, scheduled_time, status in rows[:appointments]:
            serial += 1
            table_rows.append(
                {
                    "reference": f"BENCH{serial:010d}",
                    "patient_id": first_id + rng.randrange(patients),
                    "doctor_id": doctor.id,
                    "scheduled_date": scheduled_date,
                    "scheduled_time": scheduled_time,
                    "status": status,
                    "contact_email": "patient@example.com",
                    "reason": "Follow-up",
                    "created_at": created,
                }
            )
        bulk(session, Appointment.__table__, table_rows)
    session.commit()
    return doctors[0]


def measure(client, url: str, runs: int) -> tuple[float, float, int, str]:
    """Median and worst time in ms of GET url (after a warm-up), its status and body."""
    response = client.get(url)
    times = []
    for _ in range(runs):
        start = clock.perf_counter()
        response = client.get(url)
        times.append((clock.perf_counter() - start) * 1000)
    return (
        statistics.median(times),
        max(times),
        response.status_code,
        response.get_data(as_text=True),
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="a PostgreSQL server URL; default: SQLite file")
    parser.add_argument("--appointments", type=int, default=100_000, help="per doctor")
    parser.add_argument("--patients", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=15, help="timed requests per page")
    parser.add_argument("--analyze", action="store_true", help="ANALYZE after loading (SQLite)")
    args = parser.parse_args()

    url, drop = fresh_database(args.database_url)
    try:
        app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False})
        with app.app_context():
            flask_migrate.upgrade()
            today = hospital_now(app.config["HMS_TIMEZONE"]).date()
            started = clock.perf_counter()
            doctor = load(db.session, today, args.appointments, args.patients, random.Random(7))
            loaded = clock.perf_counter() - started
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                if db.engine.dialect.name == "postgresql":
                    # What autovacuum does after a bulk insert: statistics for the planner and
                    # the visibility map that lets counts read the index alone.
                    conn.exec_driver_sql("VACUUM ANALYZE")
                elif args.analyze:
                    conn.exec_driver_sql("ANALYZE")
            sample = db.session.scalar(
                sa.select(Patient)
                .join(Appointment)
                .where(Appointment.doctor_id == doctor.id)
                .limit(1)
            )
            counts = dict(
                db.session.execute(
                    sa.select(Appointment.status, sa.func.count())
                    .where(Appointment.doctor_id == doctor.id)
                    .group_by(Appointment.status)
                ).all()
            )
            history_pages = -(-(counts.get("completed", 0) + counts.get("canceled", 0)) // 20)
            sample_number, sample_phone, sample_name = (
                sample.patient_number,
                sample.phone,
                sample.full_name,
            )
            db.session.remove()

        client = app.test_client()
        token = CSRF.search(client.get("/login").get_data(as_text=True)).group(1)
        signed_in = client.post(
            "/login", data={"username": "dr.bench", "password": PASSWORD, "csrf_token": token}
        )
        assert signed_in.status_code == 303, signed_in.status_code

        print(
            f"{url.split(':')[0]}: loaded 2 x {args.appointments:,} "
            f"appointments, {args.patients:,} patients in {loaded:.1f} s; dr.bench has {counts}"
        )
        pages = [
            ("dashboard (new requests)", "/doctor/"),
            ("today", "/doctor/?view=today"),
            ("upcoming", "/doctor/?view=upcoming"),
            ("history, page 1", "/doctor/?view=history"),
            ("history, page 50", "/doctor/?view=history&page=50"),
            ("history, middle page", f"/doctor/?view=history&page={history_pages // 2}"),
            (
                f"history, last page ({history_pages:,})",
                f"/doctor/?view=history&page={history_pages}",
            ),
            ("search: name prefix 'a'", "/doctor/?q=a"),
            ("search: name prefix 'asha'", "/doctor/?q=asha"),
            (f"search: full name '{sample_name}'", f"/doctor/?q={sample_name}"),
            ("search: phone", f"/doctor/?q={sample_phone}"),
            ("search: patient ID", f"/doctor/?q={sample_number}"),
            ("search: no match 'zzz'", "/doctor/?q=zzz"),
            ("search: 'a', page 20", "/doctor/?q=a&page=20"),
        ]
        print(f"{'page':48} {'median ms':>10} {'max ms':>8}  status")
        for label, path in pages:
            median, worst, status, body = measure(client, path, args.runs)
            assert status == 200, (path, status)
            assert 'id="appointments"' in body or "No appointments" in body, path
            print(f"{label:48} {median:10.1f} {worst:8.1f}  {status}")
        with app.app_context():
            db.engine.dispose()
    finally:
        drop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
