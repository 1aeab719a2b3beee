"""The admin home page's JSON: every figure checked against an independent count."""

import random
import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from hms.extensions import db
from hms.models import (
    Admission,
    Appointment,
    Bill,
    CustomerQuery,
    Department,
    Doctor,
    Patient,
    Payment,
    User,
)
from hms.services.clock import hospital_now
from hms.services.recent import Recent
from tests.helpers import sign_in

STATUSES = ("pending", "confirmed", "completed", "canceled")


@pytest.fixture
def dataset(app, staff, hospital):
    """Random admissions, discharges, payments, appointments and queries over 40 days."""
    rng = random.Random(20261125)
    tz = ZoneInfo(app.config["HMS_TIMEZONE"])
    now = datetime.now(UTC)
    expected = {
        "admitted": Counter(),
        "discharged": Counter(),
        "revenue": Counter(),
        "open_by_dept": Counter(),
        "statuses": Counter(),
        "all_statuses": Counter(),
        "open_queries": 0,
    }
    with app.app_context():
        session = db.session
        desk = session.scalar(sa.select(User).where(User.username == staff["register"]))
        doctors = session.scalars(sa.select(Doctor).where(Doctor.is_bookable)).all()
        departments = session.scalars(sa.select(Department)).all()
        for i in range(120):
            patient = Patient(
                patient_number=f"P{i:05d}",
                full_name=f"Patient {i}",
                name_key=f"patient {i}",
                phone=f"+9198765{i:05d}",
            )
            session.add(patient)
            for k in range(rng.randint(0, 3)):
                status = rng.choice(STATUSES)
                day = (now + timedelta(days=rng.randint(-45, 20))).astimezone(tz).date()
                session.add(
                    Appointment(
                        reference=f"R{i:05d}-{k}",
                        patient=patient,
                        doctor=rng.choice(doctors),
                        scheduled_date=day,
                        scheduled_time=datetime.min.time().replace(
                            hour=8 + 4 * k + i // 60, minute=i % 60
                        ),
                        status=status,
                        contact_email="p@example.com",
                    )
                )
                expected["all_statuses"][status] += 1
                if day > now.astimezone(tz).date() - timedelta(days=30):  # the chart's window
                    expected["statuses"][status] += 1
            if rng.random() < 0.7:
                department = rng.choice(departments)
                admitted = now - timedelta(hours=rng.uniform(0, 40 * 24))
                discharged = None
                if rng.random() < 0.5:
                    discharged = min(admitted + timedelta(hours=rng.uniform(1, 200)), now)
                admission = Admission(
                    patient=patient,
                    department=department,
                    doctor=rng.choice(doctors),
                    admitted_by_id=desk.id,
                    admitted_at=admitted,
                    discharged_at=discharged,
                )
                bill = Bill(admission=admission)
                session.add_all([admission, bill])
                expected["admitted"][admitted.astimezone(tz).date()] += 1
                if discharged:
                    expected["discharged"][discharged.astimezone(tz).date()] += 1
                else:
                    expected["open_by_dept"][department.name] += 1
                for p in range(rng.randint(0, 2)):
                    taken = admitted + timedelta(hours=rng.uniform(0, 48))
                    amount = Decimal(rng.randint(100, 500000)) / 100
                    session.add(
                        Payment(
                            bill=bill,
                            amount=amount,
                            method="cash",
                            receipt_number=i * 10 + p,
                            request_key=f"k{i}-{p}",
                            taken_by_id=desk.id,
                            taken_at=taken,
                        )
                    )
                    expected["revenue"][taken.astimezone(tz).date()] += amount
        for q in range(9):
            status = "open" if q % 3 else "resolved"
            session.add(CustomerQuery(name="Q", email="q@example.com", message="m", status=status))
            expected["open_queries"] += status == "open"
        session.commit()
        expected["beds"] = {d.name: d.beds for d in departments}
    return expected


def test_every_figure_matches_an_independent_count(app, client, staff, dataset):
    sign_in(client, staff["admin"])
    response = client.get("/admin/stats.json")
    assert response.status_code == 200
    stats = response.get_json()
    today = hospital_now(app.config["HMS_TIMEZONE"]).date()
    days = [today - timedelta(days=29 - i) for i in range(30)]

    assert stats["days"] == [d.isoformat() for d in days]
    assert stats["admissions_per_day"] == [dataset["admitted"][d] for d in days]
    assert stats["discharges_per_day"] == [dataset["discharged"][d] for d in days]
    assert [Decimal(v) for v in stats["revenue_per_day"]] == [dataset["revenue"][d] for d in days]
    assert stats["occupancy"] == [
        {
            "department": name,
            "beds": beds,
            "occupied": dataset["open_by_dept"][name],
            "free": max(beds - dataset["open_by_dept"][name], 0),
        }
        for name, beds in sorted(dataset["beds"].items())
    ]
    assert stats["appointments_by_status"] == {s: dataset["statuses"][s] for s in STATUSES}
    assert stats["counters"] == {
        "admitted_now": sum(dataset["open_by_dept"].values()),
        "admissions_today": dataset["admitted"][today],
        "discharges_today": dataset["discharged"][today],
        "pending_appointments": dataset["all_statuses"]["pending"],
        "open_queries": dataset["open_queries"],
    }
    assert sum(stats["admissions_per_day"]) > 30  # the dataset really spans the window
    assert sum(dataset["statuses"].values()) < sum(dataset["all_statuses"].values())


@pytest.mark.parametrize(("role", "status"), [("doctor", 403), ("register", 403)])
def test_stats_json_is_for_admins_only(client, staff, role, status):
    sign_in(client, staff[role])
    assert client.get("/admin/stats.json").status_code == status


def test_stats_json_sends_anonymous_users_to_login(client):
    response = client.get("/admin/stats.json")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def open_queries(client) -> int:
    return client.get("/admin/stats.json").get_json()["counters"]["open_queries"]


def a_query_arrives_once_seen(app, client, staff, monkeypatch, recent) -> None:
    """Serve the figures from `recent`; the admin sees no open query, then one arrives."""
    from hms.admin.views import STATS_EXTENSION

    monkeypatch.setitem(app.extensions, STATS_EXTENSION, recent)
    sign_in(client, staff["admin"])
    assert open_queries(client) == 0
    with app.app_context():
        db.session.add(
            CustomerQuery(name="Asha", email="asha@example.com", message="Visiting hours?")
        )
        db.session.commit()


def test_each_process_serves_its_figures_again_for_a_few_seconds(app, client, staff, monkeypatch):
    clock = [100.0]
    a_query_arrives_once_seen(app, client, staff, monkeypatch, Recent(5, lambda: clock[0]))
    clock[0] += 4.9
    assert open_queries(client) == 0
    clock[0] += 0.2
    assert open_queries(client) == 1


def test_expired_figures_are_served_while_a_thread_reads_the_next(app, client, staff, monkeypatch):
    clock, refreshes = [100.0], []
    recent = Recent(5, lambda: clock[0], behind=refreshes.append)
    a_query_arrives_once_seen(app, client, staff, monkeypatch, recent)
    clock[0] += 6
    assert open_queries(client) == 0
    assert len(refreshes) == 1
    thread = threading.Thread(target=refreshes.pop())  # outside any request or app context
    thread.start()
    thread.join(10)
    assert open_queries(client) == 1
