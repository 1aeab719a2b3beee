"""Signing staff in: credentials, and the throttle on guessing them.

Failures are rows in the database, so every worker process and host sees the same counts.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from hms.database import write_transaction
from hms.models import LoginFailure, User
from hms.services.audit import record_event

THROTTLE_WINDOW = timedelta(minutes=15)
MAX_ACCOUNT_FAILURES = 5  # per username within the window
MAX_CLIENT_FAILURES = 20  # per client address within the window
# Checked when the username is unknown, so that answers take as long either way.
_DUMMY_HASH = generate_password_hash("not-a-real-password", method="scrypt")


class InvalidCredentials(Exception):
    """Wrong username or password, or the account is deactivated."""


class Throttled(Exception):
    """Too many recent failures for this account or client; `retry_after` in seconds."""

    def __init__(self, retry_after: int):
        super().__init__("Too many failed sign-ins.")
        self.retry_after = retry_after


@dataclass(frozen=True)
class Attempt:
    """A sign-in attempt as the login form gives it."""

    username: str
    password: str
    client_ip: str


def normalize_username(raw: str) -> str:
    """Usernames are case-insensitive and trimmed."""
    return (raw or "").strip().lower()[:64]


def _retry_after(session: Session, column, value: str, limit: int, now: datetime) -> int | None:
    """Seconds until the oldest counted failure leaves the window, if `limit` is reached."""
    recent = list(
        session.scalars(
            sa.select(LoginFailure.at)
            .where(column == value, LoginFailure.at > now - THROTTLE_WINDOW)
            .order_by(LoginFailure.at.desc())
            .limit(limit)
        )
    )
    if len(recent) < limit:
        return None
    return max(1, int((recent[-1] + THROTTLE_WINDOW - now).total_seconds()) + 1)


def authenticate(session: Session, attempt: Attempt, now: datetime) -> User:
    """Return the active user whose password matches, or raise InvalidCredentials / Throttled.

    While the account or the client is locked, even the right password is refused.
    Every outcome is written to the audit log.
    """
    username = normalize_username(attempt.username)
    # Hash outside the write transaction: scrypt is slow and SQLite has one writer.
    user = session.scalar(sa.select(User).where(User.username == username))
    if user is None:
        check_password_hash(_DUMMY_HASH, attempt.password)
        password_ok = False
    else:
        password_ok = user.is_active and user.check_password(attempt.password)
    with write_transaction(session):
        wait = _retry_after(session, LoginFailure.username, username, MAX_ACCOUNT_FAILURES, now)
        wait = wait or _retry_after(
            session, LoginFailure.client_ip, attempt.client_ip, MAX_CLIENT_FAILURES, now
        )
        if wait is None and password_ok:
            session.execute(sa.delete(LoginFailure).where(LoginFailure.username == username))
            record_event(session, "login", user=user, client_ip=attempt.client_ip)
            return user
        # Failures during a lock count too: a lock lasts as long as the guessing does.
        session.add(LoginFailure(username=username, client_ip=attempt.client_ip, at=now))
        session.execute(sa.delete(LoginFailure).where(LoginFailure.at < now - THROTTLE_WINDOW))
        record_event(
            session,
            "login_throttled" if wait else "login_failed",
            user=user,
            username=username,
            client_ip=attempt.client_ip,
        )
    if wait:
        raise Throttled(wait)
    raise InvalidCredentials("Wrong username or password.")


def sign_out(session: Session, user: User, client_ip: str) -> None:
    """End every session of the user and log it."""
    with write_transaction(session):
        user = session.get(User, user.id)
        user.session_version += 1
        record_event(session, "logout", user=user, client_ip=client_ip)
