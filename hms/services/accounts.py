"""Staff accounts: creation with a role, and the password rules."""

import sqlalchemy as sa
from sqlalchemy.orm import Session

from hms.database import write_transaction
from hms.models import ROLES, Department, Doctor, User
from hms.services.audit import record_event

PASSWORD_MIN_LENGTH = 10
# The most used passwords of ten characters or more (from public breach statistics).
COMMON_PASSWORDS = frozenset(
    {
        "1234567890",
        "0123456789",
        "0987654321",
        "1111111111",
        "1234512345",
        "1q2w3e4r5t",
        "1qaz2wsx3edc",
        "qwertyuiop",
        "qwerty1234",
        "qwerty12345",
        "asdfghjkl1",
        "zaq12wsxcde",
        "zxcvbnm123",
        "abc1234567",
        "abcdefghij",
        "password12",
        "password123",
        "password1!",
        "password1234",
        "passw0rd123",
        "p@ssw0rd12",
        "iloveyou12",
        "iloveyou123",
        "welcome123",
        "welcome1234",
        "letmein123",
        "administrator",
        "admin12345",
        "admin123456",
        "football12",
        "baseball12",
        "monkey1234",
        "dragon1234",
        "sunshine12",
        "princess12",
        "superman12",
        "starwars12",
        "trustno1234",
        "changeme12",
        "changeme123",
        "hospital123",
        "doctor1234",
        "doctor12345",
        "medical123",
        "nurse12345",
        "secret1234",
        "default123",
        "whatever12",
        "computer12",
    }
)


class AccountError(ValueError):
    """The account cannot be created as asked."""


def check_password_rules(password: str) -> None:
    """Raise AccountError if the password is too weak to protect patient records."""
    if len(password) < PASSWORD_MIN_LENGTH:
        raise AccountError(f"The password must have at least {PASSWORD_MIN_LENGTH} characters.")
    if len(password) > 128:
        raise AccountError("The password must have at most 128 characters.")
    if len(set(password)) < 4 or password.lower() in COMMON_PASSWORDS:
        raise AccountError("This password is too common or too simple; choose another.")


def create_staff_user(
    session: Session,
    *,
    username: str,
    role: str,
    password: str,
    full_name: str | None = None,
    department: str | None = None,
    by: User | None = None,
    client_ip: str = "",
) -> User:
    """Create a staff account with one role; a doctor is enrolled in a department."""
    username = username.strip().lower()
    if not username or len(username) > 64:
        raise AccountError("The username must have 1 to 64 characters.")
    if role not in ROLES:
        raise AccountError(f"The role must be one of: {', '.join(ROLES)}.")
    check_password_rules(password)
    if username in password.lower():
        raise AccountError("The password must not contain the username.")
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
        session.flush()
        record_event(
            session,
            "account_created",
            user=by,
            username="(cli)" if by is None else "",
            record_type="user",
            record_id=user.id,
            client_ip=client_ip,
            details=f"{user.username} as {role}",
        )
    return user


def reset_password(
    session: Session, user: User, password: str, *, by: User, client_ip: str = ""
) -> None:
    """Give the account a new password and end its sessions."""
    check_password_rules(password)
    with write_transaction(session):
        user = session.get(User, user.id)
        user.set_password(password)
        user.session_version += 1
        record_event(
            session,
            "password_reset",
            user=by,
            record_type="user",
            record_id=user.id,
            client_ip=client_ip,
            details=f"for {user.username}",
        )


def set_active(
    session: Session, user: User, active: bool, *, by: User, client_ip: str = ""
) -> None:
    """Deactivate (or reactivate) an account; a deactivated account cannot sign in."""
    with write_transaction(session):
        user = session.get(User, user.id)
        if user.id == by.id and not active:
            raise AccountError("You cannot deactivate your own account.")
        user.is_active = active
        user.session_version += 1
        record_event(
            session,
            "account_activated" if active else "account_deactivated",
            user=by,
            record_type="user",
            record_id=user.id,
            client_ip=client_ip,
            details=f"{user.username}",
        )


def rename(session: Session, user: User, full_name: str, *, by: User, client_ip: str = "") -> None:
    """Change the name shown for an account."""
    full_name = " ".join(full_name.split())[:100]
    if not full_name:
        raise AccountError("The full name must not be empty.")
    with write_transaction(session):
        user = session.get(User, user.id)
        old, user.full_name = user.full_name, full_name
        record_event(
            session,
            "account_renamed",
            user=by,
            record_type="user",
            record_id=user.id,
            client_ip=client_ip,
            details=f"{old} -> {full_name}",
        )
