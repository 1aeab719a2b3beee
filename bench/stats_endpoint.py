"""Time the admin dashboard's JSON endpoint on a generated dataset.

    DATABASE_URL=sqlite:////tmp/big.sqlite .venv/bin/python bench/stats_endpoint.py \\
        --patients 1000000 --appointments 1000000 --admissions 200000

Builds the database if it is empty (migrate, seed-demo, generate), signs in as an admin
through the test client and prints the median and p95 of repeated requests. A measurement,
not a test: the figures go into bench/results.md.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import flask_migrate  # noqa: E402
import sqlalchemy as sa  # noqa: E402

from hms import create_app  # noqa: E402
from hms.extensions import db  # noqa: E402
from hms.models import Patient, User  # noqa: E402


def prepared_app(patients: int, appointments: int, admissions: int):
    """The app on DATABASE_URL, loaded with the dataset if the database is empty."""
    app = create_app("development", {"RATELIMIT_ENABLED": False})
    with app.app_context():
        flask_migrate.upgrade()
        if db.session.scalar(sa.select(sa.func.count()).select_from(Patient)) == 0:
            runner = app.test_cli_runner()
            print(runner.invoke(args=["hms", "seed-demo"]).output.splitlines()[0])
            result = runner.invoke(
                args=[
                    "hms",
                    "generate",
                    "--patients",
                    str(patients),
                    "--appointments",
                    str(appointments),
                    "--admissions",
                    str(admissions),
                ]
            )
            print(result.output.strip().splitlines()[-1])
        admin = db.session.scalar(sa.select(User).where(User.role == "admin"))
        admin.set_password("benchmark-password")
        db.session.commit()
        return app, admin.username


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--appointments", type=int, default=10_000)
    parser.add_argument("--admissions", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    app, username = prepared_app(args.patients, args.appointments, args.admissions)
    client = app.test_client()
    login = client.get("/login").get_data(as_text=True)
    token = login.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    client.post(
        "/login", data={"username": username, "password": "benchmark-password", "csrf_token": token}
    )
    timings = []
    for _ in range(args.repeat + 3):
        started = time.perf_counter()
        response = client.get("/admin/stats.json")
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    timings = sorted(timings[3:])  # the first requests warm caches
    with app.app_context():
        counts = {
            t: db.session.scalar(sa.text(f"SELECT count(*) FROM {t}"))
            for t in ("patients", "appointments", "admissions")
        }
        dialect = db.engine.dialect.name
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(
        f"{dialect} {counts}: /admin/stats.json median {statistics.median(timings):.1f} ms, "
        f"p95 {p95:.1f} ms over {len(timings)} requests"
    )


if __name__ == "__main__":
    main()
