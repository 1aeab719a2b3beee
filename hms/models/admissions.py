"""Admissions, their bills, bill items and payments."""

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hms.models.base import Base, UTCDateTime, utcnow

PAYMENT_METHODS = ("cash", "card", "upi", "insurance")


class Admission(Base):
    """A stay of one patient in one department under an attending doctor."""

    __tablename__ = "admissions"
    __table_args__ = (
        # At most one open admission per patient, enforced by the database.
        sa.Index(
            "uq_admissions_open_patient",
            "patient_id",
            unique=True,
            sqlite_where=sa.text("discharged_at IS NULL"),
            postgresql_where=sa.text("discharged_at IS NULL"),
        ),
        sa.Index("ix_admissions_department_open", "department_id", "discharged_at"),
        sa.Index("ix_admissions_admitted_at", "admitted_at"),
        sa.Index("ix_admissions_discharged_at", "discharged_at"),
        sa.Index("ix_admissions_doctor_id", "doctor_id"),
        # A patient's stays, newest first (the front desk's patient page, the doctor's chart);
        # the partial index above holds only the open ones.
        sa.Index("ix_admissions_patient_admitted", "patient_id", "admitted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(sa.ForeignKey("patients.id"))
    department_id: Mapped[int] = mapped_column(sa.ForeignKey("departments.id"))
    doctor_id: Mapped[int] = mapped_column(sa.ForeignKey("doctors.id"))
    admitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    admitted_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    discharged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    discharged_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # Why the patient left with a balance open; printed on the final bill.
    discharge_override: Mapped[str | None] = mapped_column(sa.String(500))

    patient: Mapped["Patient"] = relationship()  # noqa: F821
    department: Mapped["Department"] = relationship()  # noqa: F821
    doctor: Mapped["Doctor"] = relationship()  # noqa: F821
    admitted_by: Mapped["User"] = relationship(foreign_keys=[admitted_by_id])  # noqa: F821
    discharged_by: Mapped["User | None"] = relationship(foreign_keys=[discharged_by_id])  # noqa: F821
    bill: Mapped["Bill"] = relationship(back_populates="admission", uselist=False)

    @property
    def is_open(self) -> bool:
        """Still admitted."""
        return self.discharged_at is None


class Bill(Base):
    """The one bill of an admission; frozen at discharge, with its final PDF kept."""

    __tablename__ = "bills"

    id: Mapped[int] = mapped_column(primary_key=True)
    admission_id: Mapped[int] = mapped_column(sa.ForeignKey("admissions.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    frozen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The final bill as generated at discharge: downloads serve these exact bytes.
    final_pdf: Mapped[bytes | None] = mapped_column(sa.LargeBinary, deferred=True)

    admission: Mapped[Admission] = relationship(back_populates="bill")
    items: Mapped[list["BillItem"]] = relationship(
        back_populates="bill", order_by="BillItem.id", cascade="all, delete-orphan"
    )
    payments: Mapped[list["Payment"]] = relationship(back_populates="bill", order_by="Payment.id")

    @property
    def number(self) -> str:
        """The bill number printed on documents."""
        return f"B{self.id:07d}"

    @property
    def is_frozen(self) -> bool:
        """No more items or payments once frozen."""
        return self.frozen_at is not None


class BillItem(Base):
    """One line of a bill: a price-list entry or free text, with who added it."""

    __tablename__ = "bill_items"
    __table_args__ = (
        sa.CheckConstraint("quantity > 0", "quantity_positive"),
        sa.CheckConstraint("unit_price > 0", "unit_price_positive"),
        sa.Index("ix_bill_items_bill_id", "bill_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    bill_id: Mapped[int] = mapped_column(sa.ForeignKey("bills.id"))
    description: Mapped[str] = mapped_column(sa.String(200))
    quantity: Mapped[int]
    unit_price: Mapped[Decimal] = mapped_column(sa.Numeric(12, 2))
    price_item_id: Mapped[int | None] = mapped_column(sa.ForeignKey("price_items.id"))
    added_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    bill: Mapped[Bill] = relationship(back_populates="items")
    added_by: Mapped["User"] = relationship()  # noqa: F821

    @property
    def amount(self) -> Decimal:
        """Quantity times unit price."""
        return self.quantity * self.unit_price


class Payment(Base):
    """Money received against a bill, with its receipt number."""

    __tablename__ = "payments"
    __table_args__ = (
        sa.CheckConstraint("amount > 0", "amount_positive"),
        sa.CheckConstraint(sa.text("method IN ('cash', 'card', 'upi', 'insurance')"), "method"),
        sa.Index("ix_payments_bill_id", "bill_id"),
        sa.Index("ix_payments_taken_at", "taken_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    bill_id: Mapped[int] = mapped_column(sa.ForeignKey("bills.id"))
    amount: Mapped[Decimal] = mapped_column(sa.Numeric(12, 2))
    method: Mapped[str] = mapped_column(sa.String(12))
    reference: Mapped[str] = mapped_column(sa.String(60), default="", server_default="")
    receipt_number: Mapped[int] = mapped_column(unique=True)
    # The form's one-time key: a double submit finds the payment already recorded.
    request_key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    taken_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    bill: Mapped[Bill] = relationship(back_populates="payments")
    taken_by: Mapped["User"] = relationship()  # noqa: F821

    @property
    def receipt(self) -> str:
        """The receipt number as printed."""
        return f"R{self.receipt_number:08d}"


class Counter(Base):
    """A named, gap-free sequence (receipt numbers), advanced by one atomic upsert."""

    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    last_value: Mapped[int]
