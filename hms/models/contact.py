"""Customer queries sent from the public contact form."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from hms.models.base import Base, UTCDateTime, utcnow


class CustomerQuery(Base):
    """A message from the public, answered and resolved by an admin."""

    __tablename__ = "customer_queries"
    __table_args__ = (
        sa.CheckConstraint(sa.text("status IN ('open', 'resolved')"), "status"),
        sa.Index("ix_customer_queries_status_created", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    email: Mapped[str] = mapped_column(sa.String(254))
    message: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(10), default="open", server_default="open")
    answer: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    def __repr__(self) -> str:
        return f"<CustomerQuery {self.id} {self.status}>"
