"""Patients and the per-day counter behind their IDs."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hms.models.base import Base, UTCDateTime, utcnow


class Patient(Base):
    """A person the hospital treats, known by their patient ID (YYYYMMDDNNN)."""

    __tablename__ = "patients"
    __table_args__ = (
        # "Same patient" = same canonical phone and folded name; the database keeps it unique.
        sa.UniqueConstraint("phone", "name_key"),
        sa.Index("ix_patients_name_key", "name_key"),
        sa.Index("ix_patients_created_at", "created_at"),  # registrations per day
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_number: Mapped[str] = mapped_column(sa.String(16), unique=True)
    full_name: Mapped[str] = mapped_column(sa.String(100))
    name_key: Mapped[str] = mapped_column(sa.String(100))
    phone: Mapped[str] = mapped_column(sa.String(20))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    gender: Mapped[str | None] = mapped_column(sa.String(16))
    date_of_birth: Mapped[date | None]
    address: Mapped[str | None] = mapped_column(sa.String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    appointments: Mapped[list["Appointment"]] = relationship(  # noqa: F821
        back_populates="patient", order_by="Appointment.scheduled_date.desc()"
    )

    def __repr__(self) -> str:
        return f"<Patient {self.patient_number}>"


class PatientIdCounter(Base):
    """The last number handed out on one hospital-local day."""

    __tablename__ = "patient_id_counters"

    day: Mapped[date] = mapped_column(primary_key=True)
    last_number: Mapped[int]
