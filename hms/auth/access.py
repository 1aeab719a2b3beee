"""Who may see what: the user loader, role checks, idle timeout and safe redirects."""

import time
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Flask, abort, flash, redirect, request, session, url_for
from flask_login import current_user, logout_user
from sqlalchemy.orm import joinedload

from hms.extensions import db, login_manager
from hms.models import Doctor, User

# A doctor's pages all start from the enrolment: one query brings it with the user. The
# statement is built once: Session.get built it and worked out its cache key again on
# every request, a third of the time it took to load the account.
SIGNED_IN_ACCOUNT = (
    sa.select(User)
    .options(joinedload(User.doctor).joinedload(Doctor.department))
    .where(User.id == sa.bindparam("user_id"))
)


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """Return the active account of a session, unless the session was ended since."""
    user_id, _, version = session_id.partition(":")
    if not (user_id.isdigit() and version.isdigit()):
        return None
    user = db.session.scalar(SIGNED_IN_ACCOUNT, {"user_id": int(user_id)})
    if user is None or not user.is_active or user.session_version != int(version):
        return None
    return user


def client_ip() -> str:
    """The client's address as the app sees it."""
    return request.remote_addr or ""


def safe_next(target: str | None) -> str | None:
    """Return `target` if it is a path on this site, else None (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def login_url() -> str:
    """The login page, asking to come back to the current page."""
    return url_for("auth.login", next=request.full_path.rstrip("?"))


def require_role(role: str):
    """A before_request hook: anonymous users go to login, other roles get 403."""

    def check():
        if not current_user.is_authenticated:
            return redirect(login_url())
        if current_user.role != role:
            abort(403)
        return None

    return check


# A staff session records the time of its last request at most this often: recording it on
# every request had the session cookie signed and sent again each time (4.5 % of the work of
# a register dashboard). The idle time counts from the time recorded, so a session never
# outlives the idle time after its last request, and may end up to this much sooner.
SEEN_EVERY_SECONDS = 30


def now() -> float:
    """Seconds since the epoch; tests move this clock."""
    return time.time()


def signed_in_session() -> bool:
    """Whether the request's session belongs to someone who signed in, told without loading a
    user: only a signed-in session carries Flask-Login's "_user_id"."""
    return "_user_id" in session


def init_access(app: Flask) -> None:
    """End staff sessions after the configured idle time."""
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to continue."
    # Flask-Login's "basic" protection only marks a session "not fresh" when the address or
    # browser changes, and HMS never asks for a fresh sign-in: all it did was rewrite every
    # visitor's cookie. Staff sessions end on idle time and on the account's session version.
    login_manager.session_protection = None

    @app.before_request
    def expire_idle_session():
        # Visitors skip loading a user at all.
        if (
            request.endpoint == "static"
            or not signed_in_session()
            or not current_user.is_authenticated
        ):
            return None
        idle_limit = app.config["HMS_SESSION_IDLE_MINUTES"] * 60
        since_seen = now() - session.get("seen", 0)
        if since_seen > idle_limit:
            logout_user()
            session.clear()
            flash("You were signed out after a period of inactivity.", "info")
            return redirect(login_url())
        if since_seen >= SEEN_EVERY_SECONDS:
            session["seen"] = now()
        return None
