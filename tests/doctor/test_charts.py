"""The patient chart: what it holds, who may open it, and the audit of every opening."""

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from hms.extensions import db
from hms.models import (
    Admission,
    Appointment,
    AuditEvent,
    BillItem,
    Doctor,
    Patient,
    Payment,
    ProgressNote,
    User,
    VisitNote,
)
from tests.doctor.builders import admit, make_appointment


@pytest.fixture
def charted(app, ward, hospital, tomorrow):
    """Asha's record: a visit with a note, a heart visit, her admission with a progress
    note, three charges of 33.33 and a payment of 50."""
    with app.app_context():
        s = db.session
        house = s.get(Doctor, hospital.doctors["house"]).user
        visit = s.get(Appointment, ward.house_visit)
        visit.status = "confirmed"
        s.add(VisitNote(appointment=visit, author=house, diagnosis="Seasonal flu", notes="Fluids"))
        make_appointment(
            s, hospital.doctors["heart"], tomorrow, time(15), status="confirmed", reason="Heart"
        )
        admission = s.get(Admission, ward.asha_admission)
        s.add(ProgressNote(admission=admission, author=house, text="Fever down"))
        for _ in range(3):
            s.add(
                BillItem(
                    bill=admission.bill,
                    description="Drip",
                    quantity=1,
                    unit_price=Decimal("33.33"),
                    added_by=house,
                )
            )
        s.add(
            Payment(
                bill=admission.bill,
                amount=Decimal("50"),
                method="cash",
                receipt_number=7,
                request_key="k1",
                taken_by=house,
            )
        )
        s.commit()


def test_the_chart_shows_demographics_visits_admissions_notes_and_bills(doctor, ward, charted):
    response = doctor.get(f"/doctor/patients/{ward.asha}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    for shown in (
        "Asha Verma",
        ward.asha,
        "+91 98765 43210",
        "Seasonal flu",
        "Fluids",
        "Fever down",
        "General Medicine",
        "Bill B0000001",
        "₹99.99",  # total
        "₹50.00",  # paid
        "₹49.99",  # balance
        "R00000007",
    ):
        assert shown in html, shown
    assert "Heart" not in html.split('id="visits"')[1].split("</table>")[0]  # own visits only


def test_every_chart_opening_is_audited_with_doctor_patient_and_time(app, doctor, ward):
    before = datetime.now(UTC) - timedelta(seconds=1)
    for _ in range(2):
        assert doctor.get(f"/doctor/patients/{ward.asha}").status_code == 200
    after = datetime.now(UTC) + timedelta(seconds=1)
    with app.app_context():
        events = db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "chart_opened")
        ).all()
        house = db.session.scalar(sa.select(User).where(User.username == "dr.house"))
        asha = db.session.scalar(sa.select(Patient).where(Patient.patient_number == ward.asha))
        assert len(events) == 2
        for event in events:
            assert (event.user_id, event.username) == (house.id, "dr.house")
            assert (event.patient_id, event.record_type, event.record_id) == (
                asha.id,
                "patient",
                ward.asha,
            )
            assert before <= event.at <= after
            assert event.client_ip == "127.0.0.1"


def test_an_admission_alone_opens_the_chart(app, doctor, hospital, tomorrow):
    with app.app_context():
        s = db.session
        # Dr. Heart's patient, admitted under Dr. House: no appointment with him.
        visit = make_appointment(s, hospital.doctors["heart"], tomorrow, name="Carl Dsouza")
        admit(s, visit.patient_id, hospital.doctors["house"], discharged=True)
        number = visit.patient.patient_number
        s.commit()
    html = doctor.get(f"/doctor/patients/{number}").get_data(as_text=True)
    assert "Carl Dsouza" in html and "No appointments with you." in html


@pytest.mark.parametrize("number", ["20200101999", "abc", "2026%00", "1" * 40, "-1"])
def test_an_unknown_patient_number_is_404_and_not_audited(app, doctor, ward, number):
    assert doctor.get(f"/doctor/patients/{number}").status_code == 404
    with app.app_context():
        assert (
            db.session.scalar(
                sa.select(sa.func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action.like("chart%"))
            )
            == 0
        )
