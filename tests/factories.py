"""Test data builders."""

from dataclasses import dataclass, field
from datetime import time

from werkzeug.security import generate_password_hash

from hms.models import Department, Doctor, ScheduleBlock, User

PASSWORD = "correct horse battery"
# scrypt is slow on purpose; hash the shared test password once per run.
PASSWORD_HASH = generate_password_hash(PASSWORD, method="scrypt")

EVERY_DAY = [(day, time(9), time(17)) for day in range(7)]


@dataclass
class Hospital:
    """Ids of what build_hospital made."""

    departments: dict[str, int] = field(default_factory=dict)
    doctors: dict[str, int] = field(default_factory=dict)


def make_user(session, username: str, role: str = "doctor", full_name: str | None = None) -> User:
    """A staff account with the known PASSWORD."""
    user = User(username=username, role=role, full_name=full_name or username.title())
    user.password_hash = PASSWORD_HASH
    session.add(user)
    return user


def make_doctor(
    session, username, department, blocks=EVERY_DAY, slot_minutes=15, **kwargs
) -> Doctor:
    """A bookable doctor with weekly schedule blocks [(weekday, start, end)]."""
    user = make_user(session, username, "doctor", kwargs.pop("full_name", None))
    doctor = Doctor(user=user, department=department, slot_minutes=slot_minutes, **kwargs)
    doctor.schedule = [ScheduleBlock(weekday=d, start_time=s, end_time=e) for d, s, e in blocks]
    session.add(doctor)
    return doctor


def build_hospital(session) -> Hospital:
    """Two departments; `house` and `heart` consult daily 09:00-17:00 in 15-minute slots,
    `monday` only on Mondays 09:00-12:00 in 20-minute slots, `retired` is not bookable."""
    medicine = Department(name="General Medicine", beds=10, description="Everyday illness")
    cardiology = Department(name="Cardiology", beds=4)
    session.add_all([medicine, cardiology])
    doctors = {
        "house": make_doctor(session, "dr.house", medicine, full_name="Dr. Gregory House"),
        "heart": make_doctor(session, "dr.heart", cardiology, full_name="Dr. Hema Heart"),
        "monday": make_doctor(
            session,
            "dr.monday",
            medicine,
            [(0, time(9), time(12))],
            slot_minutes=20,
            full_name="Dr. Mona Day",
        ),
        "retired": make_doctor(session, "dr.retired", medicine, is_bookable=False),
    }
    session.commit()
    return Hospital(
        departments={"medicine": medicine.id, "cardiology": cardiology.id},
        doctors={key: doctor.id for key, doctor in doctors.items()},
    )
