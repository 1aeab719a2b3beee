"""The demo hospital that `flask hms seed-demo` loads; safe to run twice."""

from collections.abc import Iterator
from datetime import time
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from hms.database import write_transaction
from hms.models import Department, Doctor, PriceItem, ScheduleBlock, User

DEPARTMENTS = [
    ("General Medicine", 30, "Fever, infections, diabetes, blood pressure and everyday illness."),
    ("Cardiology", 20, "Heart and blood vessels: chest pain, ECG, echo and heart failure care."),
    ("Orthopaedics", 20, "Bones, joints and spine: fractures, sports injuries, joint pain."),
    ("Paediatrics", 25, "Care for newborns, children and teenagers, vaccinations."),
    ("Obstetrics & Gynaecology", 20, "Pregnancy, childbirth and women's health."),
    ("ENT", 10, "Ear, nose and throat."),
    ("Dermatology", 6, "Skin, hair and nails."),
]

MORNINGS = [(day, time(9), time(13)) for day in range(0, 5)]
AFTERNOONS = [(day, time(14), time(17)) for day in range(0, 5)]
SATURDAY = [(5, time(9), time(12))]

# username, full name, title, department, weekly blocks
DOCTORS = [
    (
        "dr.sharma",
        "Dr. Anita Sharma",
        "MD, General Medicine",
        "General Medicine",
        MORNINGS + SATURDAY,
    ),
    ("dr.khan", "Dr. Imran Khan", "MBBS, MD", "General Medicine", AFTERNOONS),
    ("dr.iyer", "Dr. Lakshmi Iyer", "DM, Cardiology", "Cardiology", MORNINGS),
    ("dr.mehta", "Dr. Rohan Mehta", "MS, Orthopaedics", "Orthopaedics", AFTERNOONS + SATURDAY),
    ("dr.dsouza", "Dr. Maria D'Souza", "MD, Paediatrics", "Paediatrics", MORNINGS + AFTERNOONS[:3]),
    (
        "dr.reddy",
        "Dr. Kavya Reddy",
        "MS, Obstetrics & Gynaecology",
        "Obstetrics & Gynaecology",
        MORNINGS,
    ),
    ("dr.banerjee", "Dr. Arjun Banerjee", "MS, ENT", "ENT", AFTERNOONS),
    ("dr.nair", "Dr. Meera Nair", "MD, Dermatology", "Dermatology", MORNINGS[1:4]),
]

PRICE_LIST = [
    ("CONS", "Consultation", "500.00"),
    ("CONS-SPL", "Specialist consultation", "800.00"),
    ("WARD-DAY", "General ward bed, per day", "1500.00"),
    ("ICU-DAY", "ICU bed, per day", "6000.00"),
    ("NURS-DAY", "Nursing care, per day", "400.00"),
    ("CBC", "Complete blood count", "300.00"),
    ("LFT", "Liver function test", "650.00"),
    ("ECG", "Electrocardiogram (ECG)", "350.00"),
    ("XRAY-CH", "X-ray, chest", "600.00"),
    ("USG-ABD", "Ultrasound, abdomen", "1200.00"),
    ("CT-HEAD", "CT scan, head", "3500.00"),
    ("MRI", "MRI scan", "5500.00"),
    ("IV-FLUID", "IV fluids, per bottle", "180.00"),
    ("DRESS", "Wound dressing", "250.00"),
    ("PHYSIO", "Physiotherapy session", "700.00"),
]

DEMO_PASSWORDS = {
    "admin": "Oversight#2026",
    "register": "FrontDesk#2026",
    "doctor": "Stethoscope#2026",
}
STAFF = [("admin", "Hospital Administrator", "admin"), ("register", "Front Desk", "register")]


def database_is_empty(session: Session) -> bool:
    """Tell whether no department exists yet (a fresh database)."""
    return session.scalar(sa.select(sa.func.count()).select_from(Department)) == 0


def _user(session: Session, username: str, full_name: str, role: str) -> tuple[User, bool]:
    """Return the account, creating it with its demo password if missing."""
    user = session.scalar(sa.select(User).where(User.username == username))
    if user is not None:
        return user, False
    user = User(username=username, full_name=full_name, role=role)
    user.set_password(DEMO_PASSWORDS[role])
    session.add(user)
    return user, True


def seed_demo(session: Session, slot_minutes: int) -> Iterator[str]:
    """Create whatever part of the demo hospital is missing; yield lines to print."""
    accounts = []
    with write_transaction(session):
        departments = {d.name: d for d in session.scalars(sa.select(Department))}
        for name, beds, description in DEPARTMENTS:
            if name not in departments:
                departments[name] = Department(name=name, beds=beds, description=description)
                session.add(departments[name])
        for username, full_name, role in STAFF:
            user, created = _user(session, username, full_name, role)
            accounts.append((user, created))
        for username, full_name, title, department, blocks in DOCTORS:
            user, created = _user(session, username, full_name, "doctor")
            accounts.append((user, created))
            if created:
                doctor = Doctor(
                    user=user,
                    department=departments[department],
                    title=title,
                    slot_minutes=slot_minutes,
                )
                doctor.schedule = [
                    ScheduleBlock(weekday=d, start_time=s, end_time=e) for d, s, e in blocks
                ]
                session.add(doctor)
        codes = set(session.scalars(sa.select(PriceItem.code)))
        for code, name, price in PRICE_LIST:
            if code not in codes:
                session.add(PriceItem(code=code, name=name, unit_price=Decimal(price)))
    yield (
        f"Demo hospital ready: {len(DEPARTMENTS)} departments, {len(DOCTORS)} doctors, "
        f"{len(PRICE_LIST)} prices."
    )
    yield "Staff accounts (username / password):"
    for user, created in accounts:
        password = (
            DEMO_PASSWORDS[user.role] if created else "(existing account, password unchanged)"
        )
        yield f"  {user.role:<9} {user.username:<12} {password}"
