"""Large, reproducible datasets for measurements: `flask hms generate`.

Rows go in through SQLAlchemy Core in batches (executemany), so a million patients load in
minutes on SQLite and PostgreSQL. The data keeps every rule the app relies on: unique
patient IDs with the per-day counters advanced past them, one active appointment per slot,
at most one open admission per patient and no more open admissions than beds, gap-free
receipt numbers with the receipt counter advanced.
"""

import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from hms.models import (
    Admission,
    Appointment,
    Bill,
    BillItem,
    Counter,
    Department,
    Doctor,
    Patient,
    PatientIdCounter,
    Payment,
    PriceItem,
    User,
)
from hms.services.scheduling import slot_grid

BATCH = 10_000
FIRST_NAMES = (
    "Aarav Aditi Arjun Ananya Bhavna Chetan Deepa Farhan Gauri Harish Isha Jaya Kiran "
    "Lakshmi Manoj Meena Nikhil Neha Omkar Pooja Rahul Ritu Sanjay Sneha Tarun Uma "
    "Varun Vidya Yash Zara Zoë Ñúria Łukasz"
).split()
LAST_NAMES = (
    "Sharma Verma Iyer Reddy Nair Khan Mehta Gupta Das Banerjee Pillai Rao Singh Joshi "
    "Kulkarni Menon Bose Chatterjee D'Souza Fernandes Patel Shah Kapoor Malhotra"
).split()
STATUS_WEIGHTS_PAST = (("completed", 80), ("canceled", 20))


def batched(rows: Iterator[dict], size: int = BATCH) -> Iterator[list[dict]]:
    """Group an iterator of rows into lists of `size`."""
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def insert_all(session: Session, model, rows: Iterator[dict]) -> int:
    """Insert rows in batches; return how many."""
    count = 0
    for batch in batched(rows):
        session.execute(sa.insert(model), batch)
        count += len(batch)
    return count


def next_id(session: Session, model) -> int:
    """The first primary key value after the table's current maximum."""
    return (session.scalar(sa.select(sa.func.max(model.id))) or 0) + 1


def generate(
    session: Session,
    *,
    patients: int,
    appointments: int,
    admissions: int,
    today: date,
    seed: int = 1,
    default_slot_minutes: int = 15,
    log=print,
) -> dict:
    """Add a generated population to a seeded hospital (run `seed-demo` first)."""
    rng = random.Random(seed)
    doctors = session.scalars(sa.select(Doctor).where(Doctor.is_bookable)).all()
    departments = session.scalars(sa.select(Department)).all()
    register = session.scalar(sa.select(User).where(User.role == "register"))
    prices = session.scalars(sa.select(PriceItem).where(PriceItem.is_active)).all()
    if not doctors or register is None or not prices:
        raise RuntimeError("Run `flask hms seed-demo` first: generate needs doctors and staff.")
    now = datetime.now(UTC)

    # Patients, registered over the last three years, numbered per day.
    first_patient = next_id(session, Patient)
    per_day: dict[date, int] = dict(
        session.execute(sa.select(PatientIdCounter.day, PatientIdCounter.last_number)).all()
    )
    days_back = 3 * 365

    def patient_rows():
        for i in range(patients):
            day = today - timedelta(days=int(days_back * (1 - (i + 1) / patients)))
            per_day[day] = per_day.get(day, 0) + 1
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            name = f"{first} {last} {first_patient + i}"  # unique, still a plausible name
            yield {
                "id": first_patient + i,
                "patient_number": f"{day:%Y%m%d}{per_day[day]:03d}",
                "full_name": name,
                "name_key": name.casefold(),
                "phone": f"+9170{(first_patient + i) % 100_000_000:08d}",
                "email": None,
                "created_at": datetime.combine(day, time(9), UTC),
            }

    log(f"patients: {insert_all(session, Patient, patient_rows())}")
    for day, number in per_day.items():
        session.merge(PatientIdCounter(day=day, last_number=number))
    patient_ids = range(first_patient, first_patient + patients)

    # Appointments: past ones completed or canceled; today and later ones active, each in a
    # free slot of its doctor's grid (the slot space is walked in order, so none repeats).
    future_days = 60
    grids = {d.id: {} for d in doctors}
    taken = set(
        session.execute(
            sa.select(
                Appointment.doctor_id, Appointment.scheduled_date, Appointment.scheduled_time
            ).where(Appointment.status.in_(("pending", "confirmed")))
        ).all()
    )
    free_future = (
        (doctor.id, day, slot)
        for offset in range(future_days)
        for doctor in doctors
        for day in [today + timedelta(days=offset)]
        # every other slot only: the booking benchmark needs free ones
        for slot in grids[doctor.id].setdefault(day, slot_grid(doctor, day, default_slot_minutes))[
            ::2
        ]
        if (doctor.id, day, slot) not in taken
    )
    first_appointment = next_id(session, Appointment)

    def appointment_rows():
        for i in range(appointments):
            patient_id = rng.choice(patient_ids)
            slot = next(free_future, None) if rng.random() < 0.1 else None
            if slot is not None:
                doctor_id, day, at = slot
                status = "pending" if rng.random() < 0.6 else "confirmed"
            else:
                doctor = rng.choice(doctors)
                day = today - timedelta(days=rng.randint(1, days_back))
                doctor_id, at = doctor.id, time(9 + rng.randint(0, 7), rng.choice((0, 15, 30, 45)))
                status = "completed" if rng.random() < 0.8 else "canceled"
            yield {
                "id": first_appointment + i,
                "reference": f"G{first_appointment + i:011d}",
                "patient_id": patient_id,
                "doctor_id": doctor_id,
                "scheduled_date": day,
                "scheduled_time": at,
                "status": status,
                "contact_email": "patient@example.com",
                "reason": "",
                "cancel_reason": "",
                "created_at": now,
            }

    log(f"appointments: {insert_all(session, Appointment, appointment_rows())}")

    # Admissions with bills, items and payments; a few stay open, within the beds.
    first_admission, first_bill = next_id(session, Admission), next_id(session, Bill)
    receipt = session.scalar(sa.select(Counter.last_value).where(Counter.name == "receipt")) or 0
    open_slots = [d for d in departments for _ in range(max(d.beds - _occupied(session, d.id), 0))]
    rng.shuffle(open_slots)
    admitted_patients = rng.sample(patient_ids, min(admissions, len(patient_ids)))
    admission_rows, bill_rows, item_rows, payment_rows = [], [], [], []
    for i, patient_id in enumerate(admitted_patients):
        admitted = now - timedelta(hours=rng.uniform(2, days_back * 24))
        # Recent stays fill the free beds, as in a working hospital; older ones all ended.
        stays_open = bool(open_slots and admitted > now - timedelta(days=30) and rng.random() < 0.5)
        department = open_slots.pop() if stays_open else rng.choice(departments)
        discharged = (
            None if stays_open else min(admitted + timedelta(hours=rng.uniform(4, 240)), now)
        )
        admission_id, bill_id = first_admission + i, first_bill + i
        admission_rows.append(
            {
                "id": admission_id,
                "patient_id": patient_id,
                "department_id": department.id,
                "doctor_id": rng.choice(doctors).id,
                "admitted_at": admitted,
                "admitted_by_id": register.id,
                "discharged_at": discharged,
                "discharged_by_id": register.id if discharged else None,
            }
        )
        bill_rows.append(
            {
                "id": bill_id,
                "admission_id": admission_id,
                "created_at": admitted,
                "frozen_at": discharged,
            }
        )
        total = Decimal(0)
        for _ in range(3):
            price = rng.choice(prices)
            quantity = rng.randint(1, 3)
            total += price.unit_price * quantity
            item_rows.append(
                {
                    "bill_id": bill_id,
                    "description": price.name,
                    "quantity": quantity,
                    "unit_price": price.unit_price,
                    "price_item_id": price.id,
                    "added_by_id": register.id,
                    "added_at": admitted,
                }
            )
        paid = total if discharged else (total / 2).quantize(Decimal("0.01"))
        receipt += 1
        payment_rows.append(
            {
                "bill_id": bill_id,
                "amount": paid,
                "method": rng.choice(("cash", "card", "upi", "insurance")),
                "reference": "",
                "receipt_number": receipt,
                "request_key": f"generated-{receipt}",
                "taken_by_id": register.id,
                "taken_at": discharged or admitted + timedelta(hours=1),
            }
        )
    for model, rows in (
        (Admission, admission_rows),
        (Bill, bill_rows),
        (BillItem, item_rows),
        (Payment, payment_rows),
    ):
        log(f"{model.__tablename__}: {insert_all(session, model, iter(rows))}")
    session.merge(Counter(name="receipt", last_value=receipt))
    session.commit()
    _reset_sequences(session)
    _refresh_statistics(session)
    return {"patients": patients, "appointments": appointments, "admissions": len(admission_rows)}


def _occupied(session: Session, department_id: int) -> int:
    """Open admissions in a department."""
    return session.scalar(
        sa.select(sa.func.count())
        .select_from(Admission)
        .where(Admission.department_id == department_id, Admission.discharged_at.is_(None))
    )


def _reset_sequences(session: Session) -> None:
    """PostgreSQL: move id sequences past the ids inserted explicitly."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for model in (Patient, Appointment, Admission, Bill, BillItem, Payment):
        table = model.__tablename__
        session.execute(
            sa.text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {table}), 1))"
            )
        )
    session.commit()


def _refresh_statistics(session: Session) -> None:
    """Give the planner fresh statistics (and PostgreSQL its visibility map), as autovacuum
    would after a while: measurements then reflect a database in steady state."""
    engine = session.get_bind()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE")
