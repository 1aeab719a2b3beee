"""Charges to the bill of an admitted patient, and progress notes on the admission."""

from datetime import UTC, datetime, time
from decimal import Decimal

import pytest
import sqlalchemy as sa

from hms.extensions import db
from hms.models import Admission, AuditEvent, BillItem, Doctor, ProgressNote
from hms.services.billing import totals
from tests.doctor.builders import make_appointment
from tests.doctor.pages import field_errors, form_token
from tests.helpers import sign_in, table_counts


def charge(client, admission_id: int, kind: str, **fields):
    """Post one of the two charge forms ("price-list" or "other") of an admission."""
    prefix = "list" if kind == "price-list" else "other"
    data = {f"{prefix}-{name}": value for name, value in fields.items()}
    return client.post(
        f"/doctor/admissions/{admission_id}/charges/{kind}",
        data={"csrf_token": form_token(client), **data},
    )


def bill_total(app, admission_id: int) -> Decimal:
    with app.app_context():
        return totals(db.session, db.session.get(Admission, admission_id).bill.id).total


def test_charges_from_the_price_list_and_as_free_text(app, doctor, ward):
    response = charge(
        doctor, ward.asha_admission, "price-list", price_item_id=ward.prices["ECG"], quantity="2"
    )
    assert response.status_code == 303
    assert response.headers["Location"] == f"/doctor/admissions/{ward.asha_admission}#bill"
    assert (
        charge(
            doctor,
            ward.asha_admission,
            "other",
            description="Gauze roll",
            unit_price="12.50",
            quantity="3",
        ).status_code
        == 303
    )

    html = doctor.get(f"/doctor/admissions/{ward.asha_admission}").get_data(as_text=True)
    assert "Electrocardiogram" in html and "Gauze roll" in html and "₹737.50" in html
    assert "Charge added to the bill." in html
    with app.app_context():
        items = db.session.scalars(sa.select(BillItem).order_by(BillItem.id)).all()
        house = db.session.get(Admission, ward.asha_admission).doctor.user_id
        assert [(i.description, i.quantity, i.unit_price, i.added_by_id) for i in items] == [
            ("Electrocardiogram", 2, Decimal("350.00"), house),
            ("Gauze roll", 3, Decimal("12.50"), house),
        ]
        assert all(i.added_at <= datetime.now(UTC) for i in items)


def test_three_charges_of_33_33_make_99_99(app, doctor, ward):
    for _ in range(3):
        assert (
            charge(
                doctor,
                ward.asha_admission,
                "other",
                description="Dressing",
                unit_price="33.33",
                quantity="1",
            ).status_code
            == 303
        )
    assert bill_total(app, ward.asha_admission) == Decimal("99.99")
    assert "₹99.99" in doctor.get(f"/doctor/admissions/{ward.asha_admission}").get_data(
        as_text=True
    )


MONEY = "Enter an amount such as 250 or 99.50."
QUANTITY = "Enter a whole number from 1 to 1000."
POSITIVE = "The amount must be more than zero."
BAD_CHARGES = [
    ("other", {"unit_price": "0"}, "unit_price", POSITIVE),
    ("other", {"unit_price": "0.00"}, "unit_price", POSITIVE),
    ("other", {"unit_price": "-5"}, "unit_price", POSITIVE),
    ("other", {"unit_price": "abc"}, "unit_price", MONEY),
    ("other", {"unit_price": ""}, "unit_price", "Enter the unit price."),
    ("other", {"unit_price": "1.005"}, "unit_price", "Use at most two decimal places."),
    ("other", {"unit_price": "1e309"}, "unit_price", MONEY),
    ("other", {"unit_price": "NaN"}, "unit_price", MONEY),
    ("other", {"unit_price": "10000000"}, "unit_price", "The amount must be at most 9,999,999.99."),
    ("other", {"unit_price": "9" * 40}, "unit_price", MONEY),
    ("other", {"quantity": "0"}, "quantity", QUANTITY),
    ("other", {"quantity": "-1"}, "quantity", QUANTITY),
    ("other", {"quantity": "1.5"}, "quantity", QUANTITY),
    ("other", {"quantity": "two"}, "quantity", QUANTITY),
    ("other", {"quantity": "1001"}, "quantity", QUANTITY),
    ("other", {"quantity": "9" * 40}, "quantity", QUANTITY),
    ("other", {"quantity": "²"}, "quantity", QUANTITY),
    ("other", {"description": ""}, "description", "Describe the item."),
    (
        "other",
        {"description": "x" * 201},
        "description",
        "Field cannot be longer than 200 characters.",
    ),
    ("price-list", {"quantity": "0"}, "quantity", QUANTITY),
    ("price-list", {"quantity": "100000000000000000000"}, "quantity", QUANTITY),
    ("price-list", {"price_item_id": ""}, "price_item_id", "Choose an item."),
    ("price-list", {"price_item_id": "999"}, "price_item_id", "Not a valid choice."),
    ("price-list", {"price_item_id": "OLD"}, "price_item_id", "Not a valid choice."),
]


@pytest.mark.parametrize(("kind", "spoil", "field", "message"), BAD_CHARGES)
def test_bad_charges_get_422_with_a_message_and_change_nothing(
    app, doctor, ward, kind, spoil, field, message
):
    good = (
        {"price_item_id": ward.prices["CONS"], "quantity": "1"}
        if kind == "price-list"
        else {"description": "Gauze", "unit_price": "10", "quantity": "1"}
    )
    if spoil.get("price_item_id") == "OLD":
        spoil = {"price_item_id": ward.prices["OLD"]}  # withdrawn from the price list
    before = table_counts(app)
    response = charge(doctor, ward.asha_admission, kind, **{**good, **spoil})
    assert response.status_code == 422
    prefix = "list" if kind == "price-list" else "other"
    assert field_errors(response.get_data(as_text=True))[f"{prefix}-{field}"] == message
    assert table_counts(app) == before


@pytest.fixture
def discharged(app, ward):
    """Asha goes home: her admission ends and its bill is frozen."""
    with app.app_context():
        admission = db.session.get(Admission, ward.asha_admission)
        admission.discharged_at = admission.bill.frozen_at = datetime.now(UTC)
        db.session.commit()
    return ward.asha_admission


def test_nothing_can_be_added_to_a_frozen_bill(app, doctor, ward, discharged):
    page = doctor.get(f"/doctor/admissions/{discharged}").get_data(as_text=True)
    assert "(closed)" in page and "Add to bill" not in page
    before = table_counts(app)
    for kind, fields in (
        ("price-list", {"price_item_id": ward.prices["CONS"], "quantity": "1"}),
        ("other", {"description": "Gauze", "unit_price": "10", "quantity": "1"}),
    ):
        response = charge(doctor, discharged, kind, **fields)
        assert response.status_code == 409
        assert "This bill is closed: the patient has been discharged." in response.get_data(
            as_text=True
        )
    assert table_counts(app) == before


@pytest.fixture
def items(app, ward, hospital):
    """One charge by Dr. House and one by Dr. Heart on Asha's bill; ids by author."""
    with app.app_context():
        bill = db.session.get(Admission, ward.asha_admission).bill
        made = {}
        for name in ("house", "heart"):
            user_id = db.session.get(Doctor, hospital.doctors[name]).user_id
            item = BillItem(
                bill=bill, description=f"By {name}", quantity=1, unit_price=10, added_by_id=user_id
            )
            db.session.add(item)
            db.session.flush()
            made[name] = item.id
        db.session.commit()
    return made


def remove(client, admission_id: int, item_id: int):
    return client.post(
        f"/doctor/admissions/{admission_id}/charges/{item_id}/remove",
        data={"csrf_token": form_token(client)},
    )


def test_a_doctor_removes_their_own_charges_only(app, doctor, ward, items):
    page = doctor.get(f"/doctor/admissions/{ward.asha_admission}").get_data(as_text=True)
    assert page.count(">Remove<") == 1
    assert remove(doctor, ward.asha_admission, items["heart"]).status_code == 403
    assert remove(doctor, ward.bina_admission, items["house"]).status_code == 404  # not that bill
    assert remove(doctor, ward.asha_admission, 99999).status_code == 404
    assert remove(doctor, ward.asha_admission, items["house"]).status_code == 303
    with app.app_context():
        assert db.session.scalars(sa.select(BillItem.description)).all() == ["By heart"]
        removed = db.session.scalar(
            sa.select(AuditEvent).where(AuditEvent.action == "bill_item_removed")
        )
        assert removed.details == "1 x By house @ 10.00"


def test_no_charge_is_removed_once_the_bill_is_frozen(app, doctor, ward, items, discharged):
    assert remove(doctor, discharged, items["house"]).status_code == 409
    assert bill_total(app, discharged) == Decimal("20.00")


def test_any_doctor_charges_an_admitted_patient_but_reads_no_notes_of_strangers(app, client, ward):
    with app.app_context():
        admission = db.session.get(Admission, ward.asha_admission)
        db.session.add(
            ProgressNote(
                admission=admission, author_id=admission.doctor.user_id, text="Asha's private note"
            )
        )
        db.session.commit()
    sign_in(client, "dr.heart")  # neither attends nor ever saw Asha
    page = client.get(f"/doctor/admissions/{ward.asha_admission}").get_data(as_text=True)
    assert "Asha Verma" in page and "Asha's private note" not in page
    assert "Patient chart" not in page
    response = charge(
        client, ward.asha_admission, "price-list", price_item_id=ward.prices["CONS"], quantity="1"
    )
    assert response.status_code == 303
    assert bill_total(app, ward.asha_admission) == Decimal("500.00")
    note = client.post(
        f"/doctor/admissions/{ward.asha_admission}/progress-notes",
        data={"csrf_token": form_token(client), "text": "Seen in passing"},
    )
    assert note.status_code == 403


def add_note(client, admission_id: int, text: str):
    return client.post(
        f"/doctor/admissions/{admission_id}/progress-notes",
        data={"csrf_token": form_token(client), "text": text},
    )


def test_the_attending_doctor_writes_progress_notes(app, doctor, ward):
    response = add_note(doctor, ward.asha_admission, "Fever down.\r\nEating well.")
    assert response.status_code == 303
    page = doctor.get(f"/doctor/admissions/{ward.asha_admission}").get_data(as_text=True)
    assert "Fever down.\nEating well." in page
    with app.app_context():
        event = db.session.scalar(
            sa.select(AuditEvent).where(AuditEvent.action == "progress_note_added")
        )
        assert (event.username, event.record_type, event.record_id) == (
            "dr.house",
            "admission",
            str(ward.asha_admission),
        )


def test_a_doctor_with_an_appointment_writes_progress_notes_too(
    app, client, ward, hospital, tomorrow
):
    with app.app_context():  # Asha also booked Dr. Heart, who does not attend her stay
        make_appointment(db.session, hospital.doctors["heart"], tomorrow, time(15))
        db.session.commit()
    sign_in(client, "dr.heart")
    assert add_note(client, ward.asha_admission, "Cardiology review: normal ECG").status_code == 303


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Write the note."),
        ("  \r\n ", "Write the note."),
        ("x" * 4001, "Field cannot be longer than 4000 characters."),
    ],
)
def test_a_bad_progress_note_gets_422_and_stores_nothing(app, doctor, ward, text, message):
    before = table_counts(app)
    response = add_note(doctor, ward.asha_admission, text)
    assert response.status_code == 422
    assert field_errors(response.get_data(as_text=True))["text"] == message
    assert table_counts(app) == before


def test_a_discharged_admission_takes_no_progress_note(app, doctor, discharged):
    before = table_counts(app)
    response = add_note(doctor, discharged, "Late entry")
    assert response.status_code == 409
    assert table_counts(app) == before
