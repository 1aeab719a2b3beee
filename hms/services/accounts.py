"""Staff accounts: creation with a role, and the password rules."""

import sqlalchemy as sa
from sqlalchemy.orm import Session

from hms.database import write_transaction
from hms.models import ROLES, Department, Doctor, User

PASSWORD_MIN_LENGTH = 10


class AccountError(ValueError):
    """The account cannot be created as asked."""


def check_password_rules(password: str) -> None:
    """Raise AccountError if the password is too weak to protect patient records."""
    if len(password) < PASSWORD_MIN_LENGTH:
        raise AccountError(f"The password must have at least {PASSWORD_MIN_LENGTH} characters.")
    if len(password) > 128:
        raise AccountError("The password must have at most 128 characters.")
    if len(set(password)) < 4:
        raise AccountError("The password is too simple.")


def create_staff_user(
    session: Session,
    *,
    username: str,
    role: str,
    password: str,
    full_name: str | None = None,
    department: str | None = None,
) -> User:
    """Create a staff account with one role; a doctor is enrolled in a department."""
    username = username.strip().lower()
    if not username or len(username) > 64:
        raise AccountError("The username must have 1 to 64 characters.")
    if role not in ROLES:
        raise AccountError(f"The role must be one of: {', '.join(ROLES)}.")
    check_password_rules(password)
    with write_transaction(session):
        if session.scalar(sa.select(User.id).where(User.username == username)) is not None:
            raise AccountError(f"The username {username!r} is taken.")
        user = User(username=username, role=role, full_name=(full_name or username).strip()[:100])
        user.set_password(password)
        session.add(user)
        if role == "doctor":
            if not department:
                raise AccountError("A doctor needs a department (--department).")
            dept = session.scalar(sa.select(Department).where(Department.name == department))
            if dept is None:
                raise AccountError(f"There is no department named {department!r}.")
            session.add(Doctor(user=user, department=dept))
    return user
