"""Staff accounts: one role per account."""

from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from hms.models.base import Base, UTCDateTime, utcnow

ROLES = ("admin", "doctor", "register")
ROLE_HOMES = {"admin": "admin.index", "doctor": "doctor.index", "register": "register.index"}


class User(UserMixin, Base):
    """A member of staff who signs in: an admin, a doctor or a register."""

    __tablename__ = "users"
    __table_args__ = (
        sa.CheckConstraint(sa.text("role IN ('admin', 'doctor', 'register')"), "role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(64), unique=True)
    full_name: Mapped[str] = mapped_column(sa.String(100))
    role: Mapped[str] = mapped_column(sa.String(16))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    is_active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Bumped on sign-out, password reset and deactivation: ends every session of the account.
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")
    # A doctor's enrolment; the user loader reads it (and its department) with the user.
    doctor: Mapped["Doctor | None"] = relationship(viewonly=True)  # noqa: F821

    @property
    def home_endpoint(self) -> str:
        """The endpoint of this role's dashboard."""
        return ROLE_HOMES[self.role]

    def get_id(self) -> str:
        """Session identity: the id and the session version, so old sessions stop working."""
        return f"{self.id}:{self.session_version}"

    def set_password(self, password: str) -> None:
        """Store a salted scrypt hash of the password."""
        self.password_hash = generate_password_hash(password, method="scrypt")

    def check_password(self, password: str) -> bool:
        """Tell whether the password matches the stored hash."""
        return check_password_hash(self.password_hash, password)

    def __repr__(self) -> str:
        return f"<User {self.username} ({self.role})>"
