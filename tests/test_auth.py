"""Staff sign-in: landing pages, redirects, sessions, throttling and the audit trail."""

import pytest
import sqlalchemy as sa

import hms.auth.access
from hms.extensions import db
from hms.models import AuditEvent, User
from hms.services.auth import MAX_ACCOUNT_FAILURES, MAX_CLIENT_FAILURES
from hms.web import SECURITY_HEADERS
from tests.helpers import csrf_token, sign_in, sign_out

HOMES = {"admin": "/admin/", "doctor": "/doctor/", "register": "/register/"}


def audit_actions(app, username=None) -> list[str]:
    """The audit log's actions, oldest first (optionally for one username)."""
    with app.app_context():
        query = sa.select(AuditEvent.action).order_by(AuditEvent.id)
        if username:
            query = query.where(AuditEvent.username == username)
        return list(db.session.scalars(query))


@pytest.mark.parametrize("role", HOMES)
def test_each_role_lands_on_its_dashboard(client, staff, role):
    response = sign_in(client, staff[role])
    assert response.status_code == 303
    assert response.headers["Location"] == HOMES[role]
    page = client.get(HOMES[role])
    assert page.status_code == 200
    assert 'id="dashboard-title"' in page.get_data(as_text=True)


@pytest.mark.parametrize(
    ("role", "other"),
    [
        ("doctor", "/register/"),
        ("register", "/doctor/"),
        ("doctor", "/admin/"),
        ("admin", "/doctor/"),
    ],
)
def test_other_roles_area_is_forbidden_with_a_friendly_page(client, staff, role, other):
    sign_in(client, staff[role])
    response = client.get(other)
    assert response.status_code == 403
    assert "You do not have access to this page." in response.get_data(as_text=True)


def test_anonymous_user_is_sent_to_login_and_back(client, staff):
    response = client.get("/register/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/register/"
    login_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'name="next" type="hidden" value="/register/"' in login_page
    back = sign_in(client, staff["register"], next_url="/register/")
    assert back.headers["Location"] == "/register/"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example",
        "//evil.example/x",
        "/\\evil.example",
        "javascript:alert(1)",
        "http:/evil.example",
    ],
)
def test_next_to_another_site_is_ignored(client, staff, target):
    response = sign_in(client, staff["doctor"], next_url=target)
    assert response.headers["Location"] == "/doctor/"


def test_wrong_password_and_unknown_user_get_the_same_answer(client, staff):
    wrong = sign_in(client, staff["doctor"], password="not the password")
    unknown = sign_in(client, "nobody-here", password="not the password")
    assert wrong.status_code == unknown.status_code == 401
    assert "Wrong username or password." in wrong.get_data(as_text=True)
    assert "Wrong username or password." in unknown.get_data(as_text=True)
    assert client.get("/doctor/").status_code == 302


def test_account_lock_refuses_even_the_right_password(app, client, staff):
    for _ in range(MAX_ACCOUNT_FAILURES):
        assert sign_in(client, staff["doctor"], password="guess-guess").status_code == 401
    locked = sign_in(client, staff["doctor"])  # the right password, during the lock
    assert locked.status_code == 429
    assert int(locked.headers["Retry-After"]) > 0
    assert "Too many failed sign-ins" in locked.get_data(as_text=True)
    assert client.get("/doctor/").status_code == 302
    # Other accounts from elsewhere are not affected by this account's lock.
    other = app.test_client()
    assert sign_in(other, staff["register"]).status_code == 303


def test_client_lock_after_many_failures_across_accounts(app, staff):
    client = app.test_client()
    for i in range(MAX_CLIENT_FAILURES):
        assert sign_in(client, f"guess{i}", password="guess-guess").status_code == 401
    assert sign_in(client, staff["register"]).status_code == 429


def test_lock_ends_when_the_window_has_passed(app, client, staff, monkeypatch):
    for _ in range(MAX_ACCOUNT_FAILURES):
        sign_in(client, staff["doctor"], password="guess-guess")
    start = hms.auth.access.now()
    monkeypatch.setattr(hms.auth.access, "now", lambda: start + 16 * 60)
    monkeypatch.setattr(hms.auth.routes, "now", lambda: start + 16 * 60)
    assert sign_in(client, staff["doctor"]).status_code == 303


def test_session_expires_after_idle_time(app, client, staff, monkeypatch):
    sign_in(client, staff["doctor"])
    start = hms.auth.access.now()
    idle = app.config["HMS_SESSION_IDLE_MINUTES"] * 60
    monkeypatch.setattr(hms.auth.access, "now", lambda: start + idle - 5)
    assert client.get("/doctor/").status_code == 200  # still inside the idle time: refreshed
    monkeypatch.setattr(hms.auth.access, "now", lambda: start + 2 * idle)
    response = client.get("/doctor/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    monkeypatch.setattr(hms.auth.access, "now", lambda: start + 2 * idle + 1)
    assert client.get("/doctor/").status_code == 302  # and it stays ended


def test_the_last_request_is_recorded_every_half_minute_and_the_idle_time_still_holds(
    app, client, staff, monkeypatch
):
    sign_in(client, staff["register"])
    start = hms.auth.access.now()
    idle = app.config["HMS_SESSION_IDLE_MINUTES"] * 60

    def get_at(seconds: float):
        monkeypatch.setattr(hms.auth.access, "now", lambda: start + seconds)
        return client.get("/register/")

    get_at(1)  # the first page after signing in adds the form's CSRF token to the session
    assert "Set-Cookie" not in get_at(29).headers  # the cookie is not signed and sent again
    assert "Set-Cookie" in get_at(31).headers  # recorded: 31
    assert "Set-Cookie" not in get_at(60).headers  # the last request; recorded: 31
    assert get_at(31 + idle).status_code == 200  # idle since the record: still signed in
    # Never signed in for longer than the idle time after the last request (31 + idle).
    response = get_at(31 + 2 * idle + 1)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_logout_needs_post_and_ends_the_session(client, staff):
    sign_in(client, staff["doctor"])
    assert client.get("/logout").status_code == 405
    assert client.get("/doctor/").status_code == 200
    assert client.post("/logout").status_code == 400  # no CSRF token
    assert client.get("/doctor/").status_code == 200
    response = sign_out(client)
    assert response.status_code == 303
    assert client.get("/doctor/").status_code == 302


def test_old_session_cookie_is_dead_after_logout(app, client, staff):
    """A copy of the session cookie taken before sign-out no longer opens anything."""
    sign_in(client, staff["doctor"])
    stolen = client.get_cookie("session").value
    sign_out(client)
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    assert thief.get("/doctor/").status_code == 302


def test_login_starts_a_fresh_session(client, staff):
    csrf_token(client, "/login")
    before = client.get_cookie("session").value
    sign_in(client, staff["doctor"])
    after = client.get_cookie("session").value
    assert before != after
    fixed = client.application.test_client()
    fixed.set_cookie("session", before)
    assert fixed.get("/doctor/").status_code == 302


def test_a_visitors_cookie_is_set_once_not_on_every_request(client):
    """An anonymous visitor's session holds only the form token: it is written when the
    token is made, and a later lookup or page leaves it as it is (no Set-Cookie)."""
    token = csrf_token(client, "/status")
    data = {"name": "Asha Verma", "phone": "9876543210", "csrf_token": token}
    for _ in range(2):
        response = client.post("/status", data=data)
        assert response.status_code == 200
        assert "Set-Cookie" not in response.headers
    assert "Set-Cookie" not in client.get("/").headers


def test_deactivated_account_cannot_sign_in_and_loses_its_session(app, client, staff):
    sign_in(client, staff["register"])
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == staff["register"]))
        user.is_active = False
        user.session_version += 1
        db.session.commit()
    assert client.get("/register/").status_code == 302
    assert sign_in(client, staff["register"]).status_code == 401


@pytest.mark.parametrize("path", ["/doctor/", "/no-such-page", "/admin/"])
def test_security_headers_on_staff_and_error_pages(client, staff, path):
    sign_in(client, staff["doctor"])
    response = client.get(path)
    assert response.status_code in (200, 403, 404)
    for name in ("X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy"):
        assert response.headers[name] == SECURITY_HEADERS[name]
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]


def test_audit_log_records_sign_ins_with_user_address_and_time(app, client, staff):
    sign_in(client, staff["doctor"], password="wrong-password")
    sign_in(client, staff["doctor"])
    sign_out(client)
    with app.app_context():
        events = db.session.scalars(
            sa.select(AuditEvent)
            .where(AuditEvent.username == staff["doctor"])
            .order_by(AuditEvent.id)
        ).all()
        assert [e.action for e in events] == ["login_failed", "login", "logout"]
        assert all(e.client_ip == "127.0.0.1" and e.at is not None for e in events)
        assert events[1].user.username == staff["doctor"]


def test_audit_log_cannot_be_edited(app, client, staff):
    sign_in(client, staff["doctor"])
    with app.app_context(), pytest.raises(sa.exc.DatabaseError, match="append-only"):
        db.session.execute(sa.update(AuditEvent).values(action="nothing happened"))
        db.session.commit()
