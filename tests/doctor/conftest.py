"""Fixtures of the doctor's workspace: signed-in doctors, appointments of two doctors,
an admitted patient with a bill and a price list."""

from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from hms.extensions import db
from hms.models import Appointment, User
from tests.doctor.builders import admit, make_appointment, make_prices
from tests.helpers import sign_in


@dataclass
class Ward:
    """Ids of the records the `ward` fixture made."""

    house_visit: int  # pending appointment of Asha with Dr. House, tomorrow 10:00
    heart_visit: int  # pending appointment of Bina with Dr. Heart, tomorrow 10:00
    asha: str  # patient numbers
    bina: str
    asha_admission: int  # open, attended by Dr. House
    bina_admission: int  # open, attended by Dr. Heart
    prices: dict[str, int]


@pytest.fixture
def doctor(client, staff):
    """The test client signed in as Dr. House."""
    assert sign_in(client, staff["doctor"]).status_code == 303
    return client


@pytest.fixture
def ward(app, hospital, staff, tomorrow) -> Ward:
    """Two doctors with one patient each, both patients admitted under their doctor."""
    with app.app_context():
        session = db.session
        asha = make_appointment(session, hospital.doctors["house"], tomorrow)
        bina = make_appointment(
            session, hospital.doctors["heart"], tomorrow, name="Bina Rao", phone="91234 56789"
        )
        made = Ward(
            house_visit=asha.id,
            heart_visit=bina.id,
            asha=asha.patient.patient_number,
            bina=bina.patient.patient_number,
            asha_admission=admit(session, asha.patient_id, hospital.doctors["house"]).id,
            bina_admission=admit(session, bina.patient_id, hospital.doctors["heart"]).id,
            prices=make_prices(session),
        )
        session.commit()
    return made


@pytest.fixture
def user_id(app, staff):
    """The id of a staff account by username."""

    def find(username: str) -> int:
        with app.app_context():
            return db.session.scalar(sa.select(User.id).where(User.username == username))

    return find


@pytest.fixture
def status_of(app):
    """Read an appointment's status (and cancel reason) straight from the database."""

    def read(appointment_id: int) -> tuple[str, str]:
        with app.app_context():
            appointment = db.session.get(Appointment, appointment_id)
            return appointment.status, appointment.cancel_reason

    return read
