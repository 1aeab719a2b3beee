"""Helpers for tests that drive the public forms."""

import re

import sqlalchemy as sa

from hms.extensions import db
from tests.factories import PASSWORD

CSRF_RE = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client, path: str = "/") -> str:
    """GET a page and return the CSRF token of its form."""
    html = client.get(path).get_data(as_text=True)
    match = CSRF_RE.search(html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def booking_form(client, doctor_id: int, day, time: str = "10:00", **overrides) -> dict:
    """A valid booking form (with a fresh CSRF token) that overrides can spoil."""
    form = {
        "name": "Asha Verma",
        "phone": "98765 43210",
        "email": "asha@example.com",
        "doctor_id": str(doctor_id),
        "date": day.isoformat(),
        "time": time,
        "reason": "Cough for a week",
        "csrf_token": csrf_token(client),
    }
    form.update(overrides)
    return {k: v for k, v in form.items() if v is not None}


def table_counts(app) -> dict[str, int]:
    """Row count of every table, to prove a refused request stored nothing."""
    with app.app_context():
        return {
            t.name: db.session.scalar(sa.select(sa.func.count()).select_from(t))
            for t in db.metadata.sorted_tables
        }


def sign_in(client, username: str, password: str = PASSWORD, next_url: str | None = None):
    """Post the login form as a person would; return the response."""
    data = {"username": username, "password": password, "csrf_token": csrf_token(client, "/login")}
    if next_url is not None:
        data["next"] = next_url
    return client.post("/login", data=data)


def sign_out(client):
    """Post the sign-out form of the page header, with its CSRF token."""
    return client.post("/logout", data={"csrf_token": csrf_token(client, "/doctors")})
