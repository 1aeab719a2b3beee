"""Departments, doctors, their weekly schedules and appointments."""

from datetime import date, datetime, time

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hms.models.base import Base, UTCDateTime, utcnow

APPOINTMENT_STATUSES = ("pending", "confirmed", "completed", "canceled")
# Statuses that hold a slot; a canceled or completed appointment does not block booking.
ACTIVE_STATUSES = ("pending", "confirmed")
# The same rule in SQL, as the slot index's predicate spells it (see holds_slot).
ACTIVE_SQL = "status IN ({})".format(", ".join(f"'{status}'" for status in ACTIVE_STATUSES))
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class Department(Base):
    """A hospital department with its beds."""

    __tablename__ = "departments"
    __table_args__ = (sa.CheckConstraint("beds >= 0", "beds_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80), unique=True)
    description: Mapped[str] = mapped_column(sa.String(300), default="", server_default="")
    beds: Mapped[int] = mapped_column(default=0, server_default="0")

    doctors: Mapped[list["Doctor"]] = relationship(back_populates="department")

    def __repr__(self) -> str:
        return f"<Department {self.name}>"


class Doctor(Base):
    """A doctor's enrolment: the staff account, its department and bookability."""

    __tablename__ = "doctors"
    __table_args__ = (
        sa.CheckConstraint(
            "slot_minutes IS NULL OR (slot_minutes BETWEEN 5 AND 240)", "slot_minutes"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), unique=True)
    department_id: Mapped[int] = mapped_column(sa.ForeignKey("departments.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(100), default="", server_default="")
    # None means the hospital's default slot length (HMS_SLOT_MINUTES).
    slot_minutes: Mapped[int | None]
    is_bookable: Mapped[bool] = mapped_column(default=True, server_default=sa.true())

    user: Mapped["User"] = relationship()  # noqa: F821
    department: Mapped[Department] = relationship(back_populates="doctors")
    schedule: Mapped[list["ScheduleBlock"]] = relationship(
        back_populates="doctor",
        cascade="all, delete-orphan",
        order_by="(ScheduleBlock.weekday, ScheduleBlock.start_time)",
    )

    @property
    def name(self) -> str:
        """The doctor's display name."""
        return self.user.full_name

    def __repr__(self) -> str:
        return f"<Doctor {self.id}>"


class ScheduleBlock(Base):
    """One weekly block of consulting hours, e.g. Monday 09:00-13:00."""

    __tablename__ = "schedule_blocks"
    __table_args__ = (
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", "weekday"),
        sa.CheckConstraint("start_time < end_time", "start_before_end"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    doctor_id: Mapped[int] = mapped_column(
        sa.ForeignKey("doctors.id", ondelete="CASCADE"), index=True
    )
    weekday: Mapped[int]  # 0 = Monday, as date.weekday()
    start_time: Mapped[time]
    end_time: Mapped[time]

    doctor: Mapped[Doctor] = relationship(back_populates="schedule")

    @property
    def weekday_name(self) -> str:
        """The weekday spelled out."""
        return WEEKDAYS[self.weekday]


class Appointment(Base):
    """A booking of one slot with one doctor."""

    __tablename__ = "appointments"
    __table_args__ = (
        sa.CheckConstraint(
            sa.text("status IN ('pending', 'confirmed', 'completed', 'canceled')"), "status"
        ),
        # One active appointment per slot, enforced by the database itself.
        sa.Index(
            "uq_appointments_active_slot",
            "doctor_id",
            "scheduled_date",
            "scheduled_time",
            unique=True,
            sqlite_where=sa.text(ACTIVE_SQL),
            postgresql_where=sa.text(ACTIVE_SQL),
        ),
        sa.Index("ix_appointments_doctor_date", "doctor_id", "scheduled_date"),
        sa.Index("ix_appointments_doctor_status_date", "doctor_id", "status", "scheduled_date"),
        # Hospital-wide figures by status (the admin dashboard) without a table scan.
        sa.Index("ix_appointments_status_date", "status", "scheduled_date"),
        sa.Index("ix_appointments_patient_date", "patient_id", "scheduled_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(sa.String(20), unique=True)
    patient_id: Mapped[int] = mapped_column(sa.ForeignKey("patients.id"))
    doctor_id: Mapped[int] = mapped_column(sa.ForeignKey("doctors.id"))
    scheduled_date: Mapped[date]
    scheduled_time: Mapped[time]
    status: Mapped[str] = mapped_column(sa.String(12), default="pending", server_default="pending")
    contact_email: Mapped[str] = mapped_column(sa.String(254))
    reason: Mapped[str] = mapped_column(sa.String(500), default="", server_default="")
    # Shown to the patient on the status page when the doctor cancels.
    cancel_reason: Mapped[str] = mapped_column(sa.String(300), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    patient: Mapped["Patient"] = relationship(back_populates="appointments")  # noqa: F821
    doctor: Mapped[Doctor] = relationship()

    def __repr__(self) -> str:
        return f"<Appointment {self.reference} {self.status}>"


def holds_slot() -> sa.ColumnElement[bool]:
    """Whether an appointment holds its slot (is pending or confirmed), with the statuses
    written into the SQL as in the slot index's predicate: the databases can match that
    partial index, and no list parameter is expanded each time a statement runs."""
    return Appointment.status.in_([sa.literal_column(f"'{s}'") for s in ACTIVE_STATUSES])
