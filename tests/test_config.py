"""Configuration, security headers and the health check."""

import re

import pytest

from hms import create_app
from hms.web import SECURITY_HEADERS
from tests.helpers import sign_in

REAL_SECRET = "8f1c0b7e2d9a4c6f8e1b3d5a7c9e0f2a4b6d8e0c"


@pytest.mark.parametrize("path", ["/", "/api/doctors", "/no-such-page", "/healthz"])
def test_every_response_carries_the_security_headers(client, path):
    response = client.get(path)
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp


@pytest.mark.parametrize("secret", [None, "", "dev", "short-secret"])
def test_production_refuses_to_start_without_a_real_secret(monkeypatch, secret):
    if secret is None:
        monkeypatch.delenv("SECRET_KEY", raising=False)
    else:
        monkeypatch.setenv("SECRET_KEY", secret)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production", {"SECRET_KEY": secret or "development-only-secret"})


def test_production_with_real_secret_sets_secure_cookies(make_app, database_url):
    app = make_app(
        "production", {"SECRET_KEY": REAL_SECRET, "SQLALCHEMY_DATABASE_URI": database_url}
    )
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    response = app.test_client().get("/healthz")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_unknown_environment_or_timezone_is_refused():
    with pytest.raises(RuntimeError, match="HMS_ENV"):
        create_app("staging")
    with pytest.raises(Exception, match="Mars"):
        create_app("testing", {"HMS_TIMEZONE": "Mars/Olympus_Mons"})


def test_database_url_picks_postgres_driver(monkeypatch):
    from config import database_url

    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db.internal:5432/hms")
    assert database_url(None) == "postgresql+psycopg://u:p@db.internal:5432/hms"
    monkeypatch.delenv("DATABASE_URL")
    assert database_url("/srv/hms/instance/hms.sqlite") == "sqlite:////srv/hms/instance/hms.sqlite"


def test_healthz_ok_when_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_healthz_503_when_database_is_down(make_app):
    down = make_app(
        "testing",
        {
            "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2"
        },
    )
    response = down.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] != "ok"


def test_only_a_page_with_inline_scripts_gets_a_nonce_and_each_response_its_own(client, staff):
    sign_in(client, staff["admin"])
    first, second = client.get("/admin/"), client.get("/admin/")
    nonces = [
        re.findall(r'<script nonce="([^"]+)"', page.get_data(as_text=True))
        for page in (first, second)
    ]
    assert nonces[0] and nonces[1] and set(nonces[0]).isdisjoint(nonces[1])
    for page, used in zip((first, second), nonces, strict=True):
        assert set(used) == {used[0]}  # one nonce per response, in its policy
        assert f"script-src 'self' 'nonce-{used[0]}'" in page.headers["Content-Security-Policy"]
    for path in ("/", "/status", "/admin/stats.json"):
        assert "nonce-" not in client.get(path).headers["Content-Security-Policy"]
