"""Booking and status lookup are rate-limited per client."""

import pytest

from tests.helpers import booking_form, csrf_token


@pytest.fixture
def low_limits(app, monkeypatch):
    """Three requests a minute, as a deployment could configure."""
    monkeypatch.setitem(app.config, "HMS_BOOKING_RATE_LIMIT", "3 per minute")
    monkeypatch.setitem(app.config, "HMS_LOOKUP_RATE_LIMIT", "3 per minute")


def test_status_lookup_is_limited(client, low_limits):
    token = csrf_token(client, "/status")
    answers = [
        client.post(
            "/status", data={"name": "A B", "phone": "9876543210", "csrf_token": token}
        ).status_code
        for _ in range(5)
    ]
    assert answers == [200, 200, 200, 429, 429]
    page = client.post("/status", data={"csrf_token": token})
    assert page.status_code == 429 and "Too many attempts" in page.get_data(as_text=True)
    assert client.get("/status").status_code == 200  # reading the form is not limited


def test_booking_is_limited(client, hospital, tomorrow, low_limits):
    answers = [
        client.post(
            "/appointments",
            data=booking_form(client, hospital.doctors["house"], tomorrow, time=f"1{i}:00"),
        ).status_code
        for i in range(5)
    ]
    assert answers == [303, 303, 303, 429, 429]


def test_with_limits_off_the_limiter_is_not_asked(client, monkeypatch):
    """RATELIMIT_ENABLED false (a load test, limits kept by a proxy): the limited views
    answer without going through Flask-Limiter's per-request bookkeeping at all."""
    from hms.extensions import limiter

    def asked(*args, **kwargs):
        raise AssertionError("Flask-Limiter was asked with limits off")

    token = csrf_token(client, "/status")
    monkeypatch.setattr(limiter, "_check_request_limit", asked)
    monkeypatch.setattr(limiter, "enabled", False)
    page = client.post("/status", data={"name": "A B", "phone": "9876543210", "csrf_token": token})
    assert page.status_code == 200 and "No booking found" in page.get_data(as_text=True)
    monkeypatch.setattr(limiter, "enabled", True)
    with pytest.raises(AssertionError, match="asked with limits off"):
        client.post("/status", data={"name": "A B", "phone": "9876543210", "csrf_token": token})
