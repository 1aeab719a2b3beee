"""Charges on bills: amounts and quantities read strictly, exact money, frozen bills."""

from datetime import time
from decimal import Decimal

import pytest
import sqlalchemy as sa

from hms.models import BillItem, Doctor
from hms.services import billing
from tests.doctor.builders import admit, make_appointment, make_prices


@pytest.fixture
def charging(session, hospital, tomorrow):
    """An open and a discharged admission of Asha under Dr. House, a price list, and the
    accounts of Dr. House and Dr. Heart."""
    house = hospital.doctors["house"]
    patient_id = make_appointment(session, house, tomorrow).patient_id
    open_id = admit(session, patient_id, house).id
    other_patient = make_appointment(
        session, house, tomorrow, at=time(11), name="Bina Rao"
    ).patient_id
    closed_id = admit(session, other_patient, house, discharged=True).id
    prices = make_prices(session)
    session.commit()
    return {
        "open": open_id,
        "closed": closed_id,
        "prices": prices,
        "house": session.get(Doctor, house).user,
        "heart": session.get(Doctor, hospital.doctors["heart"]).user,
    }


def item_count(session) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(BillItem))


@pytest.mark.parametrize(
    ("text", "amount"),
    [("250", "250.00"), ("99.5", "99.50"), (" 1,250.50 ", "1250.50"), ("0.01", "0.01")],
)
def test_amounts_are_read_as_exact_decimals(text, amount):
    assert billing.parse_amount(text) == Decimal(amount)


@pytest.mark.parametrize(
    "text",
    [
        "0",
        "0.00",
        "-5",
        "-0.01",
        "abc",
        "",
        "1.005",
        "33.333",
        "1e3",
        "NaN",
        "Infinity",
        "10000000",
        "99999999999999999999",
        "1 2",
        "٣",
        "12.",
        ".5",
    ],
)
def test_bad_amounts_are_refused(text):
    with pytest.raises(billing.BillingError):
        billing.parse_amount(text)


@pytest.mark.parametrize("text", ["0", "-1", "1.5", "abc", "", "1001", "9" * 40, "٣", "²", "+2"])
def test_bad_quantities_are_refused(text):
    with pytest.raises(billing.BillingError) as refused:
        billing.parse_quantity(text)
    assert refused.value.field == "quantity"


def test_three_items_of_33_33_make_99_99_exactly(session, charging):
    for _ in range(2):
        billing.add_item(
            session,
            admission_id=charging["open"],
            quantity=1,
            by=charging["house"],
            description="Dressing",
            unit_price="33.33",
        )
    billing.add_item(
        session,
        admission_id=charging["open"],
        quantity=1,
        by=charging["heart"],
        price_item_id=charging["prices"]["DRIP"],
    )
    bill_id = session.scalar(sa.select(BillItem.bill_id).limit(1))
    totals = billing.totals(session, bill_id)
    assert totals.total == Decimal("99.99") and str(totals.total) == "99.99"
    assert totals.balance == Decimal("99.99")


def test_quantity_times_price_list_price_is_exact(session, charging):
    item = billing.add_item(
        session,
        admission_id=charging["open"],
        quantity=3,
        by=charging["house"],
        price_item_id=charging["prices"]["DRIP"],
    )
    assert (item.description, item.unit_price, item.amount) == (
        "IV drip",
        Decimal("33.33"),
        Decimal("99.99"),
    )
    assert item.added_by_id == charging["house"].id and item.added_at is not None


def test_a_withdrawn_price_list_entry_cannot_be_charged(session, charging):
    with pytest.raises(billing.BillingError) as refused:
        billing.add_item(
            session,
            admission_id=charging["open"],
            quantity=1,
            by=charging["house"],
            price_item_id=charging["prices"]["OLD"],
        )
    assert refused.value.field == "price_item_id"
    assert item_count(session) == 0


def test_nothing_can_be_added_to_a_frozen_bill(session, charging):
    for item in (
        {"price_item_id": charging["prices"]["CONS"]},
        {"description": "X", "unit_price": "1"},
    ):
        with pytest.raises(billing.BillFrozen):
            billing.add_item(
                session, admission_id=charging["closed"], quantity=1, by=charging["house"], **item
            )
    assert item_count(session) == 0


def test_only_the_author_removes_an_item_and_only_while_the_bill_is_open(session, charging):
    item = billing.add_item(
        session,
        admission_id=charging["open"],
        quantity=1,
        by=charging["house"],
        price_item_id=charging["prices"]["ECG"],
    )
    with pytest.raises(billing.BillingError):
        billing.remove_item(session, item.id, charging["heart"])
    assert item_count(session) == 1

    bill = item.bill
    bill.frozen_at = bill.admission.discharged_at = sa.func.now()
    session.commit()
    with pytest.raises(billing.BillFrozen):
        billing.remove_item(session, item.id, charging["house"])
    assert item_count(session) == 1

    bill.frozen_at = bill.admission.discharged_at = None
    session.commit()
    billing.remove_item(session, item.id, charging["house"])
    assert item_count(session) == 0
