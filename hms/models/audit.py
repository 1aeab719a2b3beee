"""The audit log and the record of failed sign-ins that throttling counts."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hms.models.base import Base, UTCDateTime, utcnow


class AuditEvent(Base):
    """Who did what to which record, and when. Rows are only ever inserted."""

    __tablename__ = "audit_events"
    __table_args__ = (
        sa.Index("ix_audit_events_at", "at"),
        sa.Index("ix_audit_events_user_at", "user_id", "at"),
        sa.Index("ix_audit_events_patient_at", "patient_id", "at"),
        sa.Index("ix_audit_events_action_at", "action", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # The name as typed or as it was then: kept for failed sign-ins and renamed accounts.
    username: Mapped[str] = mapped_column(sa.String(64), default="", server_default="")
    action: Mapped[str] = mapped_column(sa.String(40))
    record_type: Mapped[str] = mapped_column(sa.String(40), default="", server_default="")
    record_id: Mapped[str] = mapped_column(sa.String(40), default="", server_default="")
    patient_id: Mapped[int | None] = mapped_column(sa.ForeignKey("patients.id"))
    client_ip: Mapped[str] = mapped_column(sa.String(45), default="", server_default="")
    details: Mapped[str] = mapped_column(sa.String(500), default="", server_default="")

    user: Mapped["User | None"] = relationship()  # noqa: F821

    def __repr__(self) -> str:
        return f"<AuditEvent {self.action} by {self.username} at {self.at:%Y-%m-%d %H:%M}>"


class LoginFailure(Base):
    """One failed sign-in: counted per account and per client to throttle guessing."""

    __tablename__ = "login_failures"
    __table_args__ = (
        sa.Index("ix_login_failures_username_at", "username", "at"),
        sa.Index("ix_login_failures_client_ip_at", "client_ip", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(64))
    client_ip: Mapped[str] = mapped_column(sa.String(45))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
