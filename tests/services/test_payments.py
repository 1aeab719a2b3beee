"""Payments: refused amounts change nothing, a form key records once, receipts have no gaps."""

from decimal import Decimal
from uuid import uuid4

import pytest
import sqlalchemy as sa

from hms.models import Payment
from hms.services import billing
from hms.services.counters import current_value
from tests.helpers import table_counts
from tests.register import support


@pytest.fixture
def bill_id(app, session, staff) -> int:
    """An open bill of 500.00 (the admission fee) plus 1,250.50 of charges."""
    admission = support.admit(session, app)
    support.charge(session, admission.id, "Ward bed, per day", 1, "1250.50")
    return admission.bill.id


@pytest.mark.parametrize(
    "raw, message",
    [
        ("0", "more than zero"),
        ("0.00", "more than zero"),
        ("-5", "more than zero"),
        ("-0.01", "more than zero"),
        ("12.345", "two decimal places"),
        ("abc", "such as 250"),
        ("", "such as 250"),
        ("1e3", "such as 250"),
        ("NaN", "such as 250"),
        ("Infinity", "such as 250"),
        ("1 000", "such as 250"),
        ("١٢٣", "such as 250"),  # Arabic-Indic digits
        ("99999999999999", "such as 250"),
        ("10000000.00", "at most"),
    ],
)
def test_malformed_zero_and_negative_amounts_are_refused(raw, message):
    with pytest.raises(billing.BillingError, match=message):
        billing.parse_amount(raw)


@pytest.mark.parametrize(
    "raw, amount", [("250", "250.00"), ("1,250.5", "1250.50"), (" 7.05 ", "7.05")]
)
def test_amounts_as_people_type_them(raw, amount):
    assert billing.parse_amount(raw) == Decimal(amount)


@pytest.mark.parametrize("amount", ["1750.51", "100000", "0", "-10"])
def test_overpaying_or_non_positive_payments_change_nothing(app, session, bill_id, amount):
    before = table_counts(app)
    with pytest.raises(billing.BillingError):
        support.pay(session, bill_id, amount)
    assert table_counts(app) == before
    assert current_value(session, "receipt") == 0  # no receipt number used up


def test_unknown_method_or_missing_key_is_refused(app, session, bill_id):
    before = table_counts(app)
    with pytest.raises(billing.BillingError, match="cash, card, UPI or insurance"):
        support.pay(session, bill_id, "10", method="cheque")
    with pytest.raises(billing.BillingError, match="expired"):
        support.pay(session, bill_id, "10", request_key="")
    assert table_counts(app) == before


def test_exactly_the_balance_can_be_paid(app, session, bill_id):
    support.pay(session, bill_id, "1000.00", method="card", reference="slip 42")
    payment = support.pay(session, bill_id, "750.50", method="upi")
    assert billing.totals(session, bill_id).balance == Decimal("0.00")
    assert payment.receipt == "R00000002"
    with pytest.raises(billing.BillingError, match="balance is 0.00"):
        support.pay(session, bill_id, "0.01")


def test_the_same_form_submitted_twice_records_one_payment(app, session, bill_id):
    key = uuid4().hex
    first = support.pay(session, bill_id, "300", request_key=key)
    again = support.pay(session, bill_id, "300", request_key=key)
    assert again.id == first.id
    assert session.scalar(sa.select(sa.func.count()).select_from(Payment)) == 1
    assert billing.totals(session, bill_id).paid == Decimal("300.00")


def test_a_hundred_payments_get_a_hundred_receipt_numbers_without_gaps(app, session, staff):
    """Refused payments in between use no number: receipts run 1..100."""
    bills = [
        support.admit(
            session, app, support.new_patient(f"Patient {i}", f"+9198000000{i:02d}")
        ).bill.id
        for i in range(5)
    ]
    taken = []
    for n in range(100):
        bill = bills[n % 5]
        if n % 7 == 0:  # a refused overpayment now and then
            with pytest.raises(billing.BillingError):
                support.pay(session, bill, "600")
        taken.append(support.pay(session, bill, "5", method=("cash", "card", "upi")[n % 3]))

    numbers = [p.receipt_number for p in taken]
    assert numbers == list(range(1, 101))
    stored = session.scalars(sa.select(Payment.receipt_number).order_by(Payment.receipt_number))
    assert list(stored) == list(range(1, 101))
    assert current_value(session, "receipt") == 100
    assert len({p.receipt for p in taken}) == 100


def test_no_payment_after_discharge(app, session, staff):
    admission = support.admit(session, app)
    support.discharge(session, app, admission.id, override_reason="Charity case")
    before = table_counts(app)
    with pytest.raises(billing.BillFrozen):
        support.pay(session, admission.bill.id, "100")
    assert table_counts(app) == before


def test_a_paid_for_item_cannot_be_removed(app, session, bill_id):
    """Removing an item may not push the bill below what was paid (no negative balance)."""
    bill = session.get(billing.Bill, bill_id)
    item = bill.items[-1]  # the 1,250.50 charge
    support.pay(session, bill_id, "1000.00")  # balance now 750.50 < 1,250.50
    author = session.get(billing.User, item.added_by_id)
    with pytest.raises(billing.BillingError, match="already paid for"):
        billing.remove_item(session, item.id, author)
    assert billing.totals(session, bill_id).balance == Decimal("750.50")
