"""HMS benchmark: gunicorn (production settings) driven by wrk, against a hello-world baseline.

    .venv/bin/python bench/run.py --database sqlite --patients 1000000 --appointments 2000000 \\
        --admissions 200000

Builds (or reuses) a generated dataset, serves HMS and bench/hello.py under the same gunicorn
settings, runs wrk at 16 connections on each endpoint (the baseline just before each, the ratio
taken to that run), times PDF bills, and appends one table to bench/results.md. `make bench`
runs it for both databases and both sizes.
"""

import argparse
import os
import platform
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from datetime import time as dt_time
from decimal import Decimal
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
RESULTS = ROOT / "bench" / "results.md"
sys.path.insert(0, str(ROOT))

WORKERS = os.cpu_count() or 2  # one sync worker per core; see README
PASSWORD = "benchmark-password-2026"
WARM_UP_SECONDS = 2
SOCKET_ERRORS = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")


def gunicorn_command(module: str, port: int, workers: int) -> list[str]:
    """The same gunicorn settings for HMS and the baseline."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--bind",
        f"127.0.0.1:{port}",
        "--no-control-socket",
        "--log-level",
        "warning",
        module,
    ]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(module: str, env: dict, cwd: Path, workers: int) -> tuple[subprocess.Popen, str]:
    """Start gunicorn and wait until it answers."""
    port = free_port()
    process = subprocess.Popen(
        gunicorn_command(module, port, workers),
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            requests.get(url + "/", timeout=1)
            return process, url
        except requests.RequestException:
            if process.poll() is not None:
                raise RuntimeError(process.stderr.read().decode()) from None
            time.sleep(0.1)
    raise RuntimeError(f"{module} did not start")


def stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(15)
    except subprocess.TimeoutExpired:
        process.kill()


def wrk(
    url: str,
    args,
    script: str | None = None,
    env: dict | None = None,
    cookie: str | None = None,
    seconds: int | None = None,
) -> dict:
    """Run wrk on one URL; return requests/s, p50 and p99 in ms and the failed answers."""
    duration = f"{seconds or args.seconds}s"
    # A request slower than wrk's timeout is left out of its latencies: the timeout is long
    # enough that none is, and any that still are count as failed (socket errors).
    command = ["wrk", "-t", "2", "-c", str(args.connections), "-d", duration, "--latency"]
    command += ["--timeout", "10s"]
    if script:
        command += ["-s", str(ROOT / "bench" / script)]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(
        command + [url],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **(env or {})},
    ).stdout

    def latency(percent: str) -> float:
        value, unit = re.search(rf"\s{percent}%\s+([\d.]+)(us|ms|s)", output).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    failed = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = SOCKET_ERRORS.search(output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": latency("50"),
        "p99": latency("99"),
        "failed": (int(failed.group(1)) if failed else 0)
        + (sum(map(int, errors.groups())) if errors else 0),
    }


def cpu_times() -> list[int] | None:
    """The host's CPU time counters (/proc/stat: user, nice, system, idle, iowait, irq,
    softirq, steal), or None where there is no /proc/stat."""
    try:
        return [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    except (OSError, ValueError):
        return None


def host_waits(before: list[int] | None, after: list[int] | None) -> str:
    """Between two readings of cpu_times(), the shares of CPU time the hypervisor gave to
    other machines (a virtual machine's "steal") and spent waiting for the disk (iowait):
    what the host took from a run, as "steal, iowait"; "–" where unknown."""
    if not before or not after or len(before) < 8 or len(after) < 8:
        return "–"
    spent = [b - a for a, b in zip(before, after, strict=True)]
    total = sum(spent) or 1
    return f"{spent[7] / total:.0%}, {spent[4] / total:.0%}"


def session_cookie(response: requests.Response) -> str:
    """The session cookie from Set-Cookie (Secure cookies are not replayed over http)."""
    match = re.search(r"session=([^;]+)", response.headers.get("Set-Cookie", ""))
    return f"session={match.group(1)}"


def csrf(url: str, cookie: str | None = None) -> tuple[str, str]:
    """A page's CSRF token and the session cookie it belongs to."""
    response = requests.get(url, headers={"Cookie": cookie} if cookie else {}, timeout=10)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', response.text).group(1)
    return token, (session_cookie(response) if "Set-Cookie" in response.headers else cookie)


def sign_in(base: str, username: str) -> str:
    """A signed-in session cookie for the staff account."""
    token, cookie = csrf(base + "/login")
    response = requests.post(
        base + "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": token},
        headers={"Cookie": cookie},
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 303, f"{username} could not sign in ({response.status_code})"
    return session_cookie(response)


def database_url(kind: str, label: str, postgres_server: str) -> str:
    """The benchmark database of this kind and size (PostgreSQL: its own database)."""
    if kind == "sqlite":
        OUT.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{OUT / f'{label}.sqlite'}"
    import sqlalchemy as sa

    name = f"hms_bench_{label}"
    admin = sa.create_engine(postgres_server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.exec_driver_sql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'").first():
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return sa.engine.make_url(postgres_server).set(database=name).render_as_string(False)


def prepare(url: str, args) -> dict:
    """Migrate, seed and generate the dataset unless it is there; set staff passwords;
    return what the endpoints need (free slots, a real patient, the dataset's size)."""
    os.environ["DATABASE_URL"] = url
    import flask_migrate
    import sqlalchemy as sa

    from hms import create_app
    from hms.extensions import db
    from hms.models import Appointment, Doctor, Patient, User
    from hms.services.clock import hospital_now
    from hms.services.scheduling import BookingPolicy, free_slots

    app = create_app("development", {"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        flask_migrate.upgrade()
        if db.session.scalar(sa.select(sa.func.count()).select_from(Patient)) == 0:
            runner = app.test_cli_runner()
            runner.invoke(args=["hms", "seed-demo"])
            started = time.perf_counter()
            result = runner.invoke(
                args=[
                    "hms",
                    "generate",
                    "--patients",
                    str(args.patients),
                    "--appointments",
                    str(args.appointments),
                    "--admissions",
                    str(args.admissions),
                ]
            )
            print(
                result.output.strip().splitlines()[-1], f"({time.perf_counter() - started:.0f} s)"
            )
        add_booking_capacity(db.session)
        for username in ("admin", "register", "dr.sharma"):
            user = db.session.scalar(sa.select(User).where(User.username == username))
            user.set_password(PASSWORD)
        db.session.commit()
        policy = BookingPolicy.from_config(app.config)
        now = hospital_now(policy.timezone)
        slots = []
        for doctor in db.session.scalars(sa.select(Doctor).where(Doctor.is_bookable)):
            for offset in range(1, policy.horizon_days + 1):
                day = (now + timedelta(days=offset)).date()
                slots += [
                    f"{doctor.id} {day} {t:%H:%M}"
                    for t in free_slots(db.session, doctor, day, now, policy)
                ]
        patient = db.session.execute(
            sa.select(Patient.full_name, Patient.phone).join(Appointment).limit(1)
        ).one()
        doctor_id = db.session.scalar(sa.select(Doctor.id).order_by(Doctor.id).limit(1))
        counts = {
            t: db.session.scalar(sa.text(f"SELECT count(*) FROM {t}"))
            for t in ("patients", "appointments", "admissions")
        }
        db.engine.dispose()
    (OUT / "slots.txt").write_text("\n".join(slots) + "\n")
    return {
        "slots": len(slots),
        "patient": patient,
        "doctor_id": doctor_id,
        "counts": counts,
        "tomorrow": (now + timedelta(days=1)).date().isoformat(),
    }


BENCH_DEPARTMENT = "Outpatient Clinic"
BENCH_DOCTORS = 24
BENCH_EMAIL = "bench@example.com"  # what book.lua books with; removed after each run


def add_booking_capacity(session) -> None:
    """Give the booking run free slots to fill, however full the generated data is: a
    clinic of BENCH_DOCTORS doctors consulting 08:00-20:00 every day in 10-minute slots
    (about 100,000 slots over the booking horizon)."""
    import sqlalchemy as sa

    from hms.models import Department, Doctor, ScheduleBlock, User

    if session.scalar(sa.select(Department.id).where(Department.name == BENCH_DEPARTMENT)):
        return
    clinic = Department(name=BENCH_DEPARTMENT, description="Walk-in and booked outpatients")
    session.add(clinic)
    for number in range(1, BENCH_DOCTORS + 1):
        user = User(
            username=f"dr.clinic{number:02d}",
            full_name=f"Dr. Clinic {number:02d}",
            role="doctor",
        )
        user.set_password(secrets.token_hex(16))
        doctor = Doctor(user=user, department=clinic, slot_minutes=10)
        doctor.schedule = [
            ScheduleBlock(weekday=day, start_time=dt_time(8), end_time=dt_time(20))
            for day in range(7)
        ]
        session.add(doctor)
    session.commit()


def remove_bench_bookings(url: str) -> int:
    """Delete what the booking run made (its appointments, then its patients who have no
    other appointment), so that every run starts from the same data. On PostgreSQL the two
    tables are vacuumed too: without autovacuum (off on some servers) every run would leave
    its rows behind as dead tuples for the next run's queries to step over."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.begin() as conn:
        removed = conn.execute(
            sa.text("DELETE FROM appointments WHERE contact_email = :email"),
            {"email": BENCH_EMAIL},
        ).rowcount
        conn.execute(
            sa.text(
                "DELETE FROM patients WHERE email = :email AND NOT EXISTS "
                "(SELECT 1 FROM appointments a WHERE a.patient_id = patients.id)"
            ),
            {"email": BENCH_EMAIL},
        )
    engine.dispose()
    vacuum_booked_tables(url)
    return removed


def vacuum_booked_tables(url: str) -> None:
    """On PostgreSQL, vacuum and analyse the tables the booking run writes to, as autovacuum
    would; on a server where it is off (this project's machine), this is all the vacuuming
    they get. Unvacuumed, the thousands of patients a booking run registers "today" cost the
    register dashboard's count of the day's registrations a heap visit each: 3.5 ms of the
    server's CPU a page against 1.2-2.0 ms vacuumed (PostgreSQL 10k, 8,796 bookings)."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM (ANALYZE) appointments, patients")
    engine.dispose()


def pdf_timings() -> dict[int, float]:
    """Median milliseconds to render a final bill with 10, 100 and 1,000 items (of 25
    renders each; 5 of the longest)."""
    from hms.services.bill_pdf import render_final_bill
    from hms.services.documents import BillLine, FinalBill, Letterhead, PaymentLine

    now = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
    timings = {}
    for items in (10, 100, 1000):
        lines = [
            BillLine(
                added_at=now,
                description=f"Item {i} — ward care",
                quantity=2,
                unit_price=Decimal("123.45"),
                amount=Decimal("246.90"),
            )
            for i in range(items)
        ]
        total = Decimal("246.90") * items
        bill = FinalBill(
            letterhead=Letterhead(
                name="City General Hospital",
                address="12 Hospital Road",
                currency="INR",
                timezone="Asia/Kolkata",
            ),
            bill_number="B0000001",
            patient_number="20261125001",
            patient_name="Zoë Ñúñez-Łukasz",
            phone="+91 98765 43210",
            address="5 Church Street",
            department="Cardiology",
            doctor="Dr. Lakshmi Iyer",
            admitted_at=now - timedelta(days=3),
            discharged_at=now,
            length_of_stay_days=3,
            discharged_by="Front Desk",
            lines=lines,
            payments=[
                PaymentLine(
                    receipt="R00000001",
                    taken_at=now,
                    method="cash",
                    reference="",
                    taken_by="Front Desk",
                    amount=total,
                )
            ],
            total=total,
            paid=total,
            override_reason=None,
        )
        runs = []
        # Enough renders that a second or so of the shared host stalling moves the median
        # little (a 100-item bill takes some 30 ms).
        for _ in range(25 if items < 1000 else 5):
            started = time.perf_counter()
            render_final_bill(bill)
            runs.append((time.perf_counter() - started) * 1000)
        timings[items] = statistics.median(runs)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--patients", type=int, default=1_000_000)
    parser.add_argument("--appointments", type=int, default=2_000_000)
    parser.add_argument("--admissions", type=int, default=200_000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=WORKERS, help="gunicorn sync workers")
    parser.add_argument(
        "--postgres",
        default=os.environ.get(
            "BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
        ),
    )
    args = parser.parse_args()
    label = f"{args.patients}p"
    url = database_url(args.database, label, args.postgres)
    info = prepare(url, args)
    print(f"dataset {info['counts']}, {info['slots']} free slots")

    env = {
        **os.environ,
        "HMS_ENV": "production",
        "SECRET_KEY": secrets.token_hex(32),
        "DATABASE_URL": url,
        "RATELIMIT_ENABLED": "false",
    }
    rows = []
    # Both servers stay up (an idle one costs nothing) and the baseline runs again just
    # before each endpoint: a shared host's speed drifts within minutes, and each ratio is
    # taken to the baseline measured beside it.
    hello, hello_url = serve("hello:app", env, ROOT / "bench", args.workers)
    try:
        hms, base = serve("wsgi:app", env, ROOT, args.workers)
    except BaseException:
        stop(hello)
        raise
    try:
        wrk(hello_url + "/", args, seconds=WARM_UP_SECONDS)
        name, phone = info["patient"]
        token, anonymous = csrf(base + "/status")
        status_body = requests.models.RequestEncodingMixin._encode_params(
            {"name": name, "phone": phone, "csrf_token": token}
        )
        book_token, book_cookie = csrf(base + "/")
        staff = {
            role: sign_in(base, user)
            for role, user in (
                ("register", "register"),
                ("doctor", "dr.sharma"),
                ("admin", "admin"),
            )
        }
        prefix = name.split()[0][:4]
        endpoints = [  # title, URL, wrk script, its environment, signed-in role
            ("GET /", base + "/", None, None, None),
            (
                "GET slots JSON",
                f"{base}/api/doctors/{info['doctor_id']}/slots?date={info['tomorrow']}",
                None,
                None,
                None,
            ),
            (
                "POST /status",
                base + "/status",
                "form.lua",
                {"BENCH_BODY": status_body, "BENCH_COOKIE": anonymous},
                None,
            ),
            (
                "POST /appointments",
                base + "/appointments",
                "book.lua",
                {
                    "BENCH_SLOTS": str(OUT / "slots.txt"),
                    "BENCH_COOKIE": book_cookie,
                    "BENCH_CSRF": book_token,
                    "BENCH_THREADS": "2",
                },
                None,
            ),
            (
                "staff patient search",
                f"{base}/register/patients?q={prefix}",
                None,
                None,
                "register",
            ),
            ("doctor dashboard", base + "/doctor/", None, None, "doctor"),
            ("register dashboard", base + "/register/", None, None, "register"),
            ("admin dashboard JSON", base + "/admin/stats.json", None, None, "admin"),
        ]
        for title, target, script, extra, role in endpoints:
            # A short unrecorded run first: every worker has its connection, its caches
            # and the database pages it reads, as in a server that has been up a while.
            warm_up = {**(extra or {}), "BENCH_START": str(info["slots"] // 4)}
            baseline = wrk(hello_url + "/", args)
            wrk(target, args, script, warm_up, staff.get(role), seconds=WARM_UP_SECONDS)
            before = cpu_times()
            measured = wrk(target, args, script, extra, staff.get(role))
            waits = host_waits(before, cpu_times())
            rows.append((title, {**measured, "baseline": baseline, "waits": waits}))
            if script == "book.lua":
                vacuum_booked_tables(url)  # before the staff pages read what it wrote
    finally:
        stop(hms)
        stop(hello)
        print(f"removed {remove_bench_bookings(url)} benchmark bookings")
    before = cpu_times()
    pdf = pdf_timings()
    report(args, info, rows, pdf, host_waits(before, cpu_times()))


def report(args, info, rows, pdf, pdf_waits: str) -> None:
    """Print the table and append it to bench/results.md."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    counts = info["counts"]
    baselines = [r["baseline"] for _, r in rows]
    lines = [
        f"### {args.database}, {counts['patients']:,} patients, "
        f"{counts['appointments']:,} appointments, {counts['admissions']:,} admissions",
        "",
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC · {os.cpu_count()} × {cpu} · "
        f"Python {platform.python_version()} · gunicorn {args.workers} sync workers · "
        f"wrk 2 threads, {args.connections} connections, {args.seconds} s "
        f"(after {WARM_UP_SECONDS} s of warm-up) · the baseline run just before each endpoint",
        "",
        "| endpoint | requests/s | p50 ms | p99 ms | baseline requests/s | vs baseline | failed "
        "| host steal, iowait |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
        "| hello world (baseline, median of its runs) | "
        f"{statistics.median(b['rps'] for b in baselines):.0f} | "
        f"{statistics.median(b['p50'] for b in baselines):.1f} | "
        f"{statistics.median(b['p99'] for b in baselines):.1f} | "
        f"{min(b['rps'] for b in baselines):.0f}–{max(b['rps'] for b in baselines):.0f} | "
        f"100.0% | {sum(b['failed'] for b in baselines)} | |",
    ]
    for title, r in rows:
        lines.append(
            f"| {title} | {r['rps']:.0f} | {r['p50']:.1f} | {r['p99']:.1f} | "
            f"{r['baseline']['rps']:.0f} | {r['rps'] / r['baseline']['rps']:.1%} | {r['failed']} | "
            f"{r['waits']} |"
        )
    lines += [
        "",
        "PDF final bill: "
        + ", ".join(f"{n} items {ms:.0f} ms" for n, ms in pdf.items())
        + f" (host steal, iowait: {pdf_waits})",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    with RESULTS.open("a") as out:
        out.write(text + "\n")


if __name__ == "__main__":
    main()
