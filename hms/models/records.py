"""Clinical notes: visit notes on appointments, progress notes on admissions."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hms.models.base import Base, UTCDateTime, utcnow


class VisitNote(Base):
    """What happened at an appointment, written by its doctor."""

    __tablename__ = "visit_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    appointment_id: Mapped[int] = mapped_column(sa.ForeignKey("appointments.id"), unique=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    complaint: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    diagnosis: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    prescription: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    notes: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    appointment: Mapped["Appointment"] = relationship()  # noqa: F821
    author: Mapped["User"] = relationship()  # noqa: F821


class ProgressNote(Base):
    """A dated note on an admitted patient's progress."""

    __tablename__ = "progress_notes"
    __table_args__ = (sa.Index("ix_progress_notes_admission_id", "admission_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    admission_id: Mapped[int] = mapped_column(sa.ForeignKey("admissions.id"))
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    admission: Mapped["Admission"] = relationship()  # noqa: F821
    author: Mapped["User"] = relationship()  # noqa: F821
