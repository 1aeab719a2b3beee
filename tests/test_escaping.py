"""Markup typed into the public forms is shown as text on every page it reaches, never run."""

import pytest

from tests.helpers import booking_form, csrf_token, table_counts

# (what a visitor types, how it must appear in the page source)
PAYLOADS = [
    ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
    ('"><img src=x onerror=alert(1)>', "&gt;&lt;img src=x onerror=alert(1)&gt;"),
]


@pytest.fixture(params=PAYLOADS, ids=["script-tag", "attribute-breakout"])
def payload(request):
    """Markup as typed, and its escaped form."""
    return request.param


def assert_escaped(response, payload):
    """The markup shows as text: escaped, never raw."""
    typed, escaped = payload
    html = response.get_data(as_text=True)
    assert typed not in html
    assert escaped in html


def book(client, hospital, day, **overrides):
    """Post a booking with the house doctor."""
    form = booking_form(client, hospital.doctors["house"], day, **overrides)
    return client.post("/appointments", data=form)


def test_booked_name_is_escaped_on_confirmation(client, hospital, tomorrow, payload):
    response = book(client, hospital, tomorrow, name="Asha " + payload[0])
    assert response.status_code == 303
    assert_escaped(client.get(response.headers["Location"]), payload)


def test_booked_name_is_escaped_in_status_lookup(client, hospital, tomorrow, payload):
    name = "Asha " + payload[0]
    assert book(client, hospital, tomorrow, name=name).status_code == 303
    response = client.post(
        "/status",
        data={"name": name, "phone": "98765 43210", "csrf_token": csrf_token(client, "/status")},
    )
    assert response.status_code == 200
    assert 'id="patient-id"' in response.get_data(as_text=True)
    assert_escaped(response, payload)


@pytest.mark.parametrize("field", ["name", "reason"])
def test_refused_booking_shows_entries_escaped(client, hospital, tomorrow, payload, field):
    """A 422 re-render shows the name or reason as typed, as text."""
    response = book(client, hospital, tomorrow, phone="123", **{field: "Asha " + payload[0]})
    assert response.status_code == 422
    assert_escaped(response, payload)


@pytest.mark.parametrize("field", ["name", "reason"])
def test_slot_taken_shows_entries_escaped(client, hospital, tomorrow, payload, field):
    """A 409 re-render shows the name or reason as typed, as text."""
    assert book(client, hospital, tomorrow).status_code == 303
    overrides = {"name": "Ravi Verma", field: "Ravi " + payload[0]}
    response = book(client, hospital, tomorrow, **overrides)
    assert response.status_code == 409
    assert_escaped(response, payload)


@pytest.mark.parametrize("field", ["name", "message"])
def test_refused_contact_shows_entries_escaped(client, payload, field):
    """The contact form re-rendered after an error shows the entries as text."""
    form = {
        "name": "Asha Verma",
        "email": "not an email",
        "message": "Hello",
        "csrf_token": csrf_token(client, "/contact"),
    }
    form[field] = "Asha " + payload[0]
    response = client.post("/contact", data=form)
    assert response.status_code == 422
    assert_escaped(response, payload)


def test_contact_accepts_markup_as_text(app, client, payload):
    """Markup in a query is accepted (it is only text) and not echoed raw on the next page."""
    form = {
        "name": "Asha " + payload[0],
        "email": "asha@example.com",
        "message": "See " + payload[0],
        "csrf_token": csrf_token(client, "/contact"),
    }
    response = client.post("/contact", data=form, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Thank you" in html and payload[0] not in html
    assert table_counts(app)["customer_queries"] == 1
