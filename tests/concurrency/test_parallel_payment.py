"""Payments submitted at the same instant through real gunicorn workers.

SPEC: a payment never exceeds the balance; receipt numbers are unique and sequential;
a double submit of the payment form never records two payments.
"""

import io
import re
from uuid import uuid4

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from hms.extensions import db
from hms.models import Bill, Payment
from hms.services.billing import totals
from tests.concurrency.staff_burst import post_together, sign_in
from tests.register import support

pytestmark = pytest.mark.concurrency


@pytest.fixture
def desks(server, staff):
    """Four signed-in sessions of the register (four browser tabs, say)."""
    return [sign_in(server.url, "desk") for _ in range(4)]


def admitted(app, count: int) -> list[tuple[int, int]]:
    """(admission id, bill id) of `count` admitted patients, each owing 500.00."""
    with app.app_context():
        stays = [
            support.admit(db.session, app, support.new_patient(f"Payer {i}", f"+91980000{i:04d}"))
            for i in range(count)
        ]
        return [(s.id, s.bill.id) for s in stays]


def workers(server, path_pattern: str) -> set[str]:
    return set(re.findall(rf"pid=<?(\d+)>? POST {path_pattern} ", server.log_text()))


def test_the_same_payment_form_submitted_at_once_is_recorded_once(app, server, desks):
    [(admission_id, bill_id)] = admitted(app, 1)
    path = f"/register/admissions/{admission_id}/payments"
    for round_number, amount in enumerate(["120.00", "80.50", "299.50"]):
        form = {"amount": amount, "method": "card", "request_key": uuid4().hex}
        burst, _ = post_together(server.url, [(desk, path, form) for desk in desks])
        burst.report(f"one form x{len(desks)}, round {round_number + 1}")
        assert burst.statuses == {303: len(desks)}, (burst.errors(), server.log_text()[-3000:])
        with app.app_context():
            payments = db.session.scalars(sa.select(Payment).order_by(Payment.id)).all()
            assert len(payments) == round_number + 1
            assert str(payments[-1].amount) == amount
    with app.app_context():
        assert totals(db.session, bill_id).balance == 0  # 120 + 80.50 + 299.50 = 500
    assert len(workers(server, re.escape(path))) >= 2, "the submits should reach several workers"


def test_payments_racing_past_the_balance_never_overpay(app, server, desks):
    """Four different 200.00 payments on a 500.00 bill at once: two fit, two are refused."""
    [(admission_id, bill_id)] = admitted(app, 1)
    path = f"/register/admissions/{admission_id}/payments"
    posts = [
        (desk, path, {"amount": "200", "method": "cash", "request_key": uuid4().hex})
        for desk in desks
    ]
    burst, bodies = post_together(server.url, posts)
    burst.report("4 x 200.00 against 500.00")
    assert burst.statuses == {303: 2, 422: 2}, burst.errors()
    refused = [b for b, o in zip(bodies, burst.outcomes, strict=True) if o.status == 422]
    assert all("take at most that" in body for body in refused)
    with app.app_context():
        money = totals(db.session, bill_id)
        assert (money.paid, money.balance) == (400, 100)


def test_receipt_numbers_stay_unique_and_gapless_under_parallel_payments(app, server, desks):
    """40 payments on 8 bills at once (some refused as overpayments): numbers run 1..N."""
    stays = admitted(app, 8)
    posts = []
    for n in range(40):
        admission_id, _ = stays[n % 8]
        amount = "150" if n % 5 else "900"  # every fifth is above the balance: refused
        form = {"amount": amount, "method": "upi", "request_key": uuid4().hex}
        posts.append((desks[n % 4], f"/register/admissions/{admission_id}/payments", form))
    burst, _ = post_together(server.url, posts)
    burst.report("40 payments on 8 bills")
    assert "error" not in burst.statuses and 500 not in burst.statuses
    with app.app_context():
        numbers = db.session.scalars(
            sa.select(Payment.receipt_number).order_by(Payment.receipt_number)
        ).all()
    assert burst.statuses[303] == len(numbers) >= 24
    assert numbers == list(range(1, len(numbers) + 1))


def test_a_payment_racing_the_discharge_is_on_the_final_bill_or_refused(app, server, desks):
    """Discharge (with an override) and a payment at the same instant, three times over:
    the payment either lands before the bill freezes, and is printed on it, or is refused."""
    outcomes = []
    for admission_id, bill_id in admitted(app, 3):
        base = f"/register/admissions/{admission_id}"
        pay = {"amount": "100", "method": "cash", "request_key": uuid4().hex}
        posts = [
            (desks[0], f"{base}/payments", pay),
            (desks[1], f"{base}/discharge", {"override_reason": "Insurer settles"}),
        ]
        burst, bodies = post_together(server.url, posts)
        burst.report("payment vs discharge")
        paid_status, discharge_status = (o.status for o in burst.outcomes)
        assert discharge_status == 303 and paid_status in (303, 409), burst.errors()
        with app.app_context():
            bill = db.session.get(Bill, bill_id)
            text = " ".join(PdfReader(io.BytesIO(bill.final_pdf)).pages[0].extract_text().split())
            payments = len(bill.payments)
        if paid_status == 303:
            assert payments == 1 and "R0000" in text and "Paid ₹100.00" in text
        else:
            assert payments == 0 and "Paid ₹0.00" in text
            assert "This bill is closed: the patient has been discharged." in bodies[0]
        outcomes.append(paid_status)
    print(f"\n[concurrency] payment statuses against discharge: {outcomes}")
