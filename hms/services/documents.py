"""What the hospital's documents say: the final bill and payment receipts as plain values.

The PDF renderer (services/pdf.py) only lays these out; everything printed is read here,
in the hospital's time zone, so the same bill always gives the same document.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from hms.models import Bill, BillItem, Payment
from hms.services.billing import totals
from hms.services.patients import display_phone

METHOD_NAMES = {"cash": "Cash", "card": "Card", "upi": "UPI", "insurance": "Insurance"}


@dataclass(frozen=True)
class Letterhead:
    """The hospital as printed on its documents, and how it writes money and time."""

    name: str
    address: str
    currency: str
    timezone: str

    @classmethod
    def from_config(cls, config) -> "Letterhead":
        """The letterhead of this deployment."""
        return cls(
            name=config["HMS_HOSPITAL_NAME"],
            address=config["HMS_HOSPITAL_ADDRESS"],
            currency=config["HMS_CURRENCY"],
            timezone=config["HMS_TIMEZONE"],
        )

    def local(self, moment: datetime) -> datetime:
        """A stored UTC instant in the hospital's time zone."""
        return moment.astimezone(ZoneInfo(self.timezone))


@dataclass(frozen=True)
class BillLine:
    """One charge on the bill."""

    added_at: datetime
    description: str
    quantity: int
    unit_price: Decimal
    amount: Decimal


@dataclass(frozen=True)
class PaymentLine:
    """One payment on the bill, with its receipt number."""

    receipt: str
    taken_at: datetime
    method: str
    reference: str
    taken_by: str
    amount: Decimal


@dataclass(frozen=True)
class FinalBill:
    """Everything the final bill prints (SPEC, Discharge); times are hospital-local."""

    letterhead: Letterhead
    bill_number: str
    patient_number: str
    patient_name: str
    phone: str
    address: str
    department: str
    doctor: str
    admitted_at: datetime
    discharged_at: datetime
    length_of_stay_days: int
    discharged_by: str
    lines: list[BillLine]
    payments: list[PaymentLine]
    total: Decimal
    paid: Decimal
    override_reason: str | None

    @property
    def balance(self) -> Decimal:
        """Total minus paid."""
        return self.total - self.paid


@dataclass(frozen=True)
class Receipt:
    """A payment receipt: what was paid, by whom, against which bill."""

    letterhead: Letterhead
    receipt: str
    taken_at: datetime
    patient_number: str
    patient_name: str
    bill_number: str
    department: str
    method: str
    reference: str
    taken_by: str
    amount: Decimal


def length_of_stay(admitted_at: datetime, discharged_at: datetime) -> int:
    """Days in hospital, counted in local calendar days; a same-day stay counts as one."""
    return max(1, (discharged_at.date() - admitted_at.date()).days)


def final_bill(session: Session, bill: Bill, letterhead: Letterhead) -> FinalBill:
    """The final bill of a discharged admission, read from the database."""
    admission = bill.admission
    if admission.discharged_at is None:
        raise ValueError("Only a discharged admission has a final bill.")
    patient = admission.patient
    items = session.scalars(
        sa.select(BillItem).where(BillItem.bill_id == bill.id).order_by(BillItem.id)
    )
    payments = session.scalars(
        sa.select(Payment)
        .where(Payment.bill_id == bill.id)
        .options(selectinload(Payment.taken_by))
        .order_by(Payment.receipt_number)
    )
    money = totals(session, bill.id)
    admitted, discharged = (
        letterhead.local(admission.admitted_at),
        letterhead.local(admission.discharged_at),
    )
    return FinalBill(
        letterhead=letterhead,
        bill_number=bill.number,
        patient_number=patient.patient_number,
        patient_name=patient.full_name,
        phone=display_phone(patient.phone),
        address=patient.address or "",
        department=admission.department.name,
        doctor=admission.doctor.name,
        admitted_at=admitted,
        discharged_at=discharged,
        length_of_stay_days=length_of_stay(admitted, discharged),
        discharged_by=admission.discharged_by.full_name if admission.discharged_by else "",
        lines=[
            BillLine(
                added_at=letterhead.local(item.added_at),
                description=item.description,
                quantity=item.quantity,
                unit_price=item.unit_price,
                amount=item.amount,
            )
            for item in items
        ],
        payments=[payment_line(payment, letterhead) for payment in payments],
        total=money.total,
        paid=money.paid,
        override_reason=admission.discharge_override,
    )


def payment_line(payment: Payment, letterhead: Letterhead) -> PaymentLine:
    """A payment as printed."""
    return PaymentLine(
        receipt=payment.receipt,
        taken_at=letterhead.local(payment.taken_at),
        method=METHOD_NAMES.get(payment.method, payment.method),
        reference=payment.reference,
        taken_by=payment.taken_by.full_name,
        amount=payment.amount,
    )


def receipt(payment: Payment, letterhead: Letterhead) -> Receipt:
    """The receipt of one payment."""
    admission = payment.bill.admission
    line = payment_line(payment, letterhead)
    return Receipt(
        letterhead=letterhead,
        receipt=line.receipt,
        taken_at=line.taken_at,
        patient_number=admission.patient.patient_number,
        patient_name=admission.patient.full_name,
        bill_number=payment.bill.number,
        department=admission.department.name,
        method=line.method,
        reference=line.reference,
        taken_by=line.taken_by,
        amount=line.amount,
    )
