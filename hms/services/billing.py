"""Money on a bill: items added by doctors, payments taken by registers, balances.

Amounts are Decimal with two places; totals are summed by the database.
"""

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from hms.database import write_transaction
from hms.models import PAYMENT_METHODS, Admission, Bill, BillItem, Payment, PriceItem, User
from hms.services.audit import record_event
from hms.services.counters import next_value

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("9999999.99")  # fits Numeric(12, 2) with room for totals
MAX_QUANTITY = 1000


class BillingError(ValueError):
    """The money request is malformed or not allowed; `field` names the form field."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


class BillFrozen(BillingError):
    """The bill was frozen at discharge: nothing may change it."""

    def __init__(self):
        super().__init__("bill", "This bill is closed: the patient has been discharged.")


@dataclass(frozen=True)
class Totals:
    """A bill's total, what was paid and what is still due."""

    total: Decimal
    paid: Decimal

    @property
    def balance(self) -> Decimal:
        """Total minus paid."""
        return self.total - self.paid


def parse_amount(raw: object, field: str = "amount") -> Decimal:
    """Read a positive amount with at most two decimals (1,250.50), or raise BillingError."""
    text = str(raw if raw is not None else "").strip().replace(",", "")
    # [0-9], not \d: other scripts' digits ("٣") are not amounts we print or add up.
    if re.fullmatch(r"[0-9]{1,12}\.[0-9]{3,}", text):
        raise BillingError(field, "Use at most two decimal places.")
    if text.startswith("-") and re.fullmatch(r"-[0-9]{1,12}(\.[0-9]*)?", text):
        raise BillingError(field, "The amount must be more than zero.")
    if not re.fullmatch(r"[0-9]{1,12}(\.[0-9]{1,2})?", text):
        raise BillingError(field, "Enter an amount such as 250 or 99.50.")
    amount = Decimal(text)
    if amount <= 0:
        raise BillingError(field, "The amount must be more than zero.")
    if amount > MAX_AMOUNT:
        raise BillingError(field, f"The amount must be at most {MAX_AMOUNT:,}.")
    return amount.quantize(CENT)


def parse_quantity(raw: object) -> int:
    """Read a whole quantity from 1 to MAX_QUANTITY, or raise BillingError."""
    text = str(raw if raw is not None else "").strip()
    # str.isdigit() accepts "²", which int() then refuses: ASCII digits only.
    if not re.fullmatch(r"[0-9]{1,7}", text) or not 1 <= int(text) <= MAX_QUANTITY:
        raise BillingError("quantity", f"Enter a whole number from 1 to {MAX_QUANTITY}.")
    return int(text)


def totals(session: Session, bill_id: int) -> Totals:
    """The bill's total and paid amounts, summed in SQL."""
    total = session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(BillItem.quantity * BillItem.unit_price), 0)).where(
            BillItem.bill_id == bill_id
        )
    )
    paid = session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(Payment.amount), 0)).where(
            Payment.bill_id == bill_id
        )
    )
    return Totals(total=Decimal(total).quantize(CENT), paid=Decimal(paid).quantize(CENT))


def lock_bill(session: Session, bill_id: int) -> Bill:
    """Load the bill for change, locking its row (PostgreSQL) so concurrent changes queue."""
    # populate_existing: a Bill already loaded in this transaction is refreshed from the
    # locked row, so a discharge committed while we waited for the lock is seen.
    bill = session.scalar(
        sa.select(Bill)
        .where(Bill.id == bill_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if bill is None:
        raise BillingError("bill", "There is no such bill.")
    if bill.is_frozen:
        raise BillFrozen()
    return bill


def _bill_of_open_admission(session: Session, admission_id: int) -> Bill:
    """The locked bill of a currently open admission."""
    admission = session.get(Admission, admission_id)
    if admission is None:
        raise BillingError("admission", "There is no such admission.")
    bill = lock_bill(session, admission.bill.id)
    if not admission.is_open:
        raise BillFrozen()
    return bill


def add_item(
    session: Session,
    *,
    admission_id: int,
    quantity: int,
    by: User,
    price_item_id: int | None = None,
    description: str = "",
    unit_price: Decimal | None = None,
) -> BillItem:
    """Charge an item to the bill of an admitted patient: from the price list or free text."""
    if not 1 <= quantity <= MAX_QUANTITY:
        raise BillingError("quantity", f"Enter a whole number from 1 to {MAX_QUANTITY}.")
    with write_transaction(session):
        bill = _bill_of_open_admission(session, admission_id)
        if price_item_id is not None:
            price = session.get(PriceItem, price_item_id)
            if price is None or not price.is_active:
                raise BillingError("price_item_id", "Choose an item from the price list.")
            description, unit_price = price.name, price.unit_price
        else:
            description = " ".join((description or "").split())
            if not description or len(description) > 200:
                raise BillingError("description", "Describe the item in 1 to 200 characters.")
            unit_price = parse_amount(unit_price, "unit_price")
        item = BillItem(
            bill=bill,
            description=description,
            quantity=quantity,
            unit_price=unit_price,
            price_item_id=price_item_id,
            added_by_id=by.id,
        )
        session.add(item)
        session.flush()
        record_event(
            session,
            "bill_item_added",
            user=by,
            record_type="bill",
            record_id=bill.id,
            patient_id=bill.admission.patient_id,
            details=f"{quantity} x {description} @ {unit_price}",
        )
    return item


def remove_item(session: Session, item_id: int, by: User) -> None:
    """Remove an item its author added, while the bill is open."""
    with write_transaction(session):
        item = session.get(BillItem, item_id)
        if item is None:
            raise BillingError("item", "There is no such item.")
        bill = lock_bill(session, item.bill_id)
        if item.added_by_id != by.id:
            raise BillingError("item", "Only the person who added an item may remove it.")
        if totals(session, bill.id).balance < item.amount:
            raise BillingError(
                "item", "This item is already paid for; it cannot be removed from the bill."
            )
        record_event(
            session,
            "bill_item_removed",
            user=by,
            record_type="bill",
            record_id=bill.id,
            patient_id=bill.admission.patient_id,
            details=f"{item.quantity} x {item.description} @ {item.unit_price}",
        )
        session.delete(item)


def record_payment(
    session: Session,
    *,
    bill_id: int,
    amount: Decimal,
    method: str,
    request_key: str,
    by: User,
    reference: str = "",
    now: datetime | None = None,
) -> Payment:
    """Take a payment against an open bill and give it the next receipt number.

    `request_key` comes from the payment form: submitting the same form twice returns the
    payment already recorded instead of taking the money again.
    """
    amount = parse_amount(amount)  # positive, two places: whoever the caller is
    if method not in PAYMENT_METHODS:
        raise BillingError("method", "Choose cash, card, UPI or insurance.")
    if not request_key or len(request_key) > 64:
        raise BillingError("request_key", "This form has expired; reload the page.")
    with write_transaction(session):
        existing = session.scalar(sa.select(Payment).where(Payment.request_key == request_key))
        if existing is not None:
            return existing
        bill = lock_bill(session, bill_id)
        # A simultaneous submit of the same form may have committed while we waited for
        # the lock (PostgreSQL, READ COMMITTED): look again now that the bill is ours.
        existing = session.scalar(sa.select(Payment).where(Payment.request_key == request_key))
        if existing is not None:
            return existing
        balance = totals(session, bill.id).balance
        if amount > balance:
            raise BillingError("amount", f"The balance is {balance:,.2f}; take at most that.")
        payment = Payment(
            bill=bill,
            amount=amount,
            method=method,
            reference=" ".join(reference.split())[:60],
            receipt_number=next_value(session, "receipt"),
            request_key=request_key,
            taken_by_id=by.id,
            **({"taken_at": now} if now else {}),
        )
        session.add(payment)
        session.flush()
        record_event(
            session,
            "payment_taken",
            user=by,
            record_type="bill",
            record_id=bill.id,
            patient_id=bill.admission.patient_id,
            details=f"{payment.receipt} {method} {amount}",
        )
    return payment
