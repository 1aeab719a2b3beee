"""Bad input on the public site: the documented status, a message by the field at fault,
the other entries kept, and nothing stored."""

import re
from dataclasses import dataclass
from datetime import date, timedelta
from html import unescape
from html.parser import HTMLParser

import pytest
from flask import Flask

from hms.services.clock import hospital_now
from tests.factories import Hospital
from tests.helpers import booking_form, csrf_token, table_counts

BOOKING_FIELDS = ["name", "phone", "email", "doctor_id", "date", "time", "reason"]
# Fields shown back as typed (text inputs), so a wrong entry can be corrected in place.
TYPED_FIELDS = {"name", "phone", "email", "date", "reason", "message"}
ERROR_DIV = re.compile(r'<div id="([\w-]+)-error" class="invalid-feedback[^"]*">(.*?)</div>', re.S)
EXPIRED = "This form had expired"
LONG_EMAIL = "a" * 60 + "@" + ".".join(["b" * 63] * 3) + ".com"  # well formed, 256 chars


class FormValues(HTMLParser):
    """What a page's forms show: input values, textarea text, selected options."""

    def __init__(self):
        super().__init__()
        self.values: dict[str, str] = {}
        self.select = self.textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("name"):
            self.values[attrs["name"]] = attrs.get("value") or ""
        elif tag == "textarea":
            self.textarea = attrs["name"]
            self.values[self.textarea] = ""
        elif tag == "select":
            self.select = attrs["name"]
            self.values.setdefault(self.select, "")
        elif tag == "option" and self.select and "selected" in attrs:
            self.values[self.select] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data):
        if self.textarea:
            self.values[self.textarea] += data


def shown_values(html: str) -> dict[str, str]:
    """The value each form control shows, by field name."""
    parser = FormValues()
    parser.feed(html)
    return {name: value.strip() for name, value in parser.values.items()}


def field_errors(html: str) -> dict[str, str]:
    """The message shown next to each field, by field name."""
    return {field: unescape(message) for field, message in ERROR_DIV.findall(html)}


def spoil(form: dict, changes: dict, ctx) -> dict:
    """Apply changes to a valid form: None removes a field, a callable is resolved on ctx."""
    form = dict(form)
    for name, value in changes.items():
        value = value(ctx) if callable(value) else value
        if value is None:
            form.pop(name, None)
        else:
            form[name] = value
    return form


def assert_refused(app, client, path, form, field, message, status, before, kept):
    """Post the form; check status, the message by `field`, the kept entries, no rows."""
    response = client.post(path, data=form)
    html = response.get_data(as_text=True)
    assert response.status_code == status
    errors = field_errors(html)
    if field is None:
        assert EXPIRED in html and not errors
    else:
        assert set(errors) == {field}, errors
        assert message in errors[field]
    shown = shown_values(html)
    for name in kept:
        assert shown.get(name, "") == form.get(name, "").strip(), name
    if field in TYPED_FIELDS:
        assert shown.get(field, "") == form.get(field, "").strip()
    assert table_counts(app) == before
    return html


@dataclass
class Ctx:
    """What a spoiled value may depend on."""

    app: Flask
    hospital: Hospital
    today: date
    horizon: int


def days(n):
    """A date n days from today."""
    return lambda ctx: (ctx.today + timedelta(days=n)).isoformat()


def past_horizon(ctx):
    return (ctx.today + timedelta(days=ctx.horizon + 1)).isoformat()


def doctor(key):
    """The id of one of the test hospital's doctors."""
    return lambda ctx: str(ctx.hospital.doctors[key])


def next_day(ctx, monday: bool) -> str:
    """The first day after today that is (or is not) a Monday."""
    day = ctx.today + timedelta(days=1)
    while (day.weekday() == 0) != monday:
        day += timedelta(days=1)
    return day.isoformat()


def another_sessions_token(ctx):
    """A real CSRF token, but of another browser session."""
    return csrf_token(ctx.app.test_client())


@pytest.fixture
def today(app):
    """Today in the hospital's time zone."""
    return hospital_now(app.config["HMS_TIMEZONE"]).date()


@pytest.fixture
def ctx(app, hospital, today):
    """Values the spoiled forms below may use."""
    return Ctx(app, hospital, today, app.config["HMS_BOOKING_HORIZON_DAYS"])


BOOKING_CASES = [
    # (case, changes, field at fault, message part)
    ("name-missing", {"name": None}, "name", "Enter your full name."),
    ("name-blank", {"name": "   "}, "name", "Enter a name with letters."),
    ("name-too-long", {"name": "A" * 101}, "name", "longer than 100 characters"),
    ("name-too-long-stored", {"name": "ß" * 60}, "name", "at most 100 characters"),
    ("name-no-letters", {"name": "12345"}, "name", "Enter a name with letters."),
    ("name-control-char", {"name": "Asha\x00Verma"}, "name", "Remove the special characters"),
    ("phone-missing", {"phone": None}, "phone", "Enter your phone number."),
    ("phone-too-long", {"phone": "9" * 26}, "phone", "Enter a valid phone number"),
    ("phone-too-short", {"phone": "12345"}, "phone", "Enter a valid phone number"),
    ("phone-letters", {"phone": "call me"}, "phone", "Enter a valid phone number"),
    ("email-missing", {"email": None}, "email", "Enter your email address."),
    ("email-too-long", {"email": LONG_EMAIL}, "email", "longer than 254 characters"),
    ("email-no-domain", {"email": "asha@"}, "email", "Enter a valid email address."),
    ("email-no-at", {"email": "asha.example.com"}, "email", "Enter a valid email address."),
    ("doctor-missing", {"doctor_id": None}, "doctor_id", "Choose a doctor."),
    ("doctor-too-long", {"doctor_id": "9" * 30}, "doctor_id", "Choose a doctor from the list."),
    ("doctor-huge", {"doctor_id": "9" * 400}, "doctor_id", "Choose a doctor from the list."),
    ("doctor-not-number", {"doctor_id": "abc"}, "doctor_id", "Choose a doctor from the list."),
    ("doctor-negative", {"doctor_id": "-1"}, "doctor_id", "Choose a doctor from the list."),
    ("doctor-unknown", {"doctor_id": "999999"}, "doctor_id", "Choose a doctor from the list."),
    ("doctor-retired", {"doctor_id": doctor("retired")}, "doctor_id", "Choose a doctor from"),
    ("date-missing", {"date": None}, "date", "Choose a date."),
    ("date-too-long", {"date": lambda ctx: days(1)(ctx) + "0" * 50}, "date", "Not a valid date"),
    ("date-wrong-format", {"date": "26/11/2030"}, "date", "Not a valid date"),
    ("date-impossible", {"date": "2030-02-30"}, "date", "Not a valid date"),
    ("date-past", {"date": days(-1)}, "date", "That date has passed"),
    ("date-past-horizon", {"date": past_horizon}, "date", "Bookings open up to"),
    (
        "date-doctor-off",
        {"doctor_id": doctor("monday"), "date": lambda ctx: next_day(ctx, monday=False)},
        "date",
        "does not consult on",
    ),
    ("time-missing", {"time": None}, "time", "Choose a time."),
    ("time-too-long", {"time": "10:00" + "0" * 50}, "time", "Choose a time such as 09:30."),
    ("time-wrong-format", {"time": "10am"}, "time", "Choose a time such as 09:30."),
    ("time-no-such-hour", {"time": "25:00"}, "time", "Choose a time such as 09:30."),
    ("time-after-hours", {"time": "18:00"}, "time", "Choose one of the doctor's time slots"),
    ("time-before-hours", {"time": "08:45"}, "time", "Choose one of the doctor's time slots"),
    ("time-off-grid", {"time": "10:07"}, "time", "Choose one of the doctor's time slots"),
    (
        "time-off-20-minute-grid",
        {
            "doctor_id": doctor("monday"),
            "date": lambda ctx: next_day(ctx, monday=True),
            "time": "09:15",
        },
        "time",
        "Choose one of the doctor's time slots",
    ),
    ("reason-too-long", {"reason": "x" * 501}, "reason", "longer than 500 characters"),
    ("reason-control-char", {"reason": "cough\x07"}, "reason", "Remove the special characters"),
    ("csrf-missing", {"csrf_token": None}, None, ""),
    ("csrf-wrong", {"csrf_token": "not-a-token"}, None, ""),
    ("csrf-other-session", {"csrf_token": another_sessions_token}, None, ""),
]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [case[1:] for case in BOOKING_CASES],
    ids=[case[0] for case in BOOKING_CASES],
)
def test_booking_refuses_bad_input(app, client, ctx, tomorrow, changes, field, message):
    """Bad booking input: 422 (400 for CSRF), message by the field, entries kept, no rows."""
    before = table_counts(app)
    form = spoil(booking_form(client, ctx.hospital.doctors["house"], tomorrow), changes, ctx)
    # The time list is built from the doctor and date: it can only keep a time they allow.
    depends = {"time"} if field in {"doctor_id", "date"} else set()
    kept = [name for name in BOOKING_FIELDS if name != field and name not in depends]
    status = 400 if field is None else 422
    assert_refused(app, client, "/appointments", form, field, message, status, before, kept)


@pytest.mark.parametrize(
    "changes",
    [{"reason": None}, {"reason": ""}, {"date": lambda ctx: days(ctx.horizon)(ctx)}],
    ids=["no-reason", "empty-reason", "last-day-of-horizon"],
)
def test_booking_accepts_edge_of_valid(app, client, ctx, tomorrow, changes):
    """The optional reason may be left out, and the horizon's last day is bookable."""
    form = spoil(booking_form(client, ctx.hospital.doctors["house"], tomorrow), changes, ctx)
    response = client.post("/appointments", data=form)
    assert response.status_code == 303
    assert table_counts(app)["appointments"] == 1


STATUS_CASES = [
    ("name-missing", {"name": None}, "name", "Enter your full name."),
    ("name-too-long", {"name": "A" * 101}, "name", "longer than 100 characters"),
    ("name-no-letters", {"name": "!!!"}, "name", "Enter a name with letters."),
    ("name-control-char", {"name": "Asha\x1bVerma"}, "name", "Remove the special characters"),
    ("phone-missing", {"phone": None}, "phone", "Enter your phone number."),
    ("phone-too-long", {"phone": "9" * 26}, "phone", "Enter a valid phone number"),
    ("phone-wrong-format", {"phone": "98765"}, "phone", "Enter a valid phone number"),
    ("csrf-missing", {"csrf_token": None}, None, ""),
    ("csrf-wrong", {"csrf_token": "not-a-token"}, None, ""),
]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [case[1:] for case in STATUS_CASES],
    ids=[case[0] for case in STATUS_CASES],
)
def test_status_lookup_refuses_bad_input(app, client, ctx, changes, field, message):
    """Bad lookup input gets the form back with a message, never a result."""
    before = table_counts(app)
    valid = {
        "name": "Asha Verma",
        "phone": "98765 43210",
        "csrf_token": csrf_token(client, "/status"),
    }
    form = spoil(valid, changes, ctx)
    kept = [name for name in ["name", "phone"] if name != field]
    status = 400 if field is None else 422
    html = assert_refused(app, client, "/status", form, field, message, status, before, kept)
    assert "No booking found" not in html and "patient-id" not in html


CONTACT_CASES = [
    ("name-missing", {"name": None}, "name", "Enter your name."),
    ("name-too-long", {"name": "A" * 101}, "name", "longer than 100 characters"),
    ("name-no-letters", {"name": "123"}, "name", "Enter a name with letters."),
    ("name-control-char", {"name": "Asha\x00"}, "name", "Remove the special characters"),
    ("email-missing", {"email": None}, "email", "Enter your email address."),
    ("email-too-long", {"email": LONG_EMAIL}, "email", "longer than 254 characters"),
    ("email-wrong-format", {"email": "asha at example"}, "email", "Enter a valid email address."),
    ("message-missing", {"message": None}, "message", "Write your message."),
    ("message-blank", {"message": " \n "}, "message", "Write your message."),
    ("message-too-long", {"message": "x" * 2001}, "message", "longer than 2000 characters"),
    ("message-control-char", {"message": "hello\x00"}, "message", "Remove the special characters"),
    ("csrf-missing", {"csrf_token": None}, None, ""),
    ("csrf-wrong", {"csrf_token": "not-a-token"}, None, ""),
]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [case[1:] for case in CONTACT_CASES],
    ids=[case[0] for case in CONTACT_CASES],
)
def test_contact_refuses_bad_input(app, client, ctx, changes, field, message):
    """A bad customer query gets the form back with a message and is not stored."""
    before = table_counts(app)
    valid = {
        "name": "Asha Verma",
        "email": "asha@example.com",
        "message": "When is the cardiology clinic open?",
        "csrf_token": csrf_token(client, "/contact"),
    }
    form = spoil(valid, changes, ctx)
    kept = [name for name in ["name", "email", "message"] if name != field]
    status = 400 if field is None else 422
    assert_refused(app, client, "/contact", form, field, message, status, before, kept)


def test_valid_contact_and_lookup_forms_succeed(app, client, hospital):
    """The unspoiled forms of the tables above are accepted."""
    lookup = {"name": "Asha Verma", "phone": "98765 43210"}
    response = client.post("/status", data={**lookup, "csrf_token": csrf_token(client, "/status")})
    assert response.status_code == 200 and "No booking found." in response.get_data(as_text=True)
    query = {"name": "Asha Verma", "email": "asha@example.com", "message": "Open on Sundays?"}
    response = client.post("/contact", data={**query, "csrf_token": csrf_token(client, "/contact")})
    assert response.status_code == 303
    assert table_counts(app)["customer_queries"] == 1


@pytest.mark.parametrize(
    ("doctor_id", "day", "status"),
    [
        (doctor("house"), None, 422),
        (doctor("house"), lambda ctx: "", 422),
        (doctor("house"), lambda ctx: "tomorrow", 422),
        (doctor("house"), lambda ctx: "2030-02-30", 422),
        (lambda ctx: "999999", days(1), 404),
        (doctor("retired"), days(1), 404),
        (lambda ctx: "9" * 30, days(1), 404),
        (lambda ctx: "abc", days(1), 404),
    ],
    ids=[
        "no-date",
        "empty-date",
        "word-date",
        "impossible-date",
        "unknown-doctor",
        "retired-doctor",
        "huge-doctor-id",
        "doctor-id-not-a-number",
    ],
)
def test_slots_api_errors_are_json(client, ctx, doctor_id, day, status):
    """The slots API answers bad requests with a JSON error, never a page."""
    query = "" if day is None else f"?date={day(ctx)}"
    response = client.get(f"/api/doctors/{doctor_id(ctx)}/slots{query}")
    assert response.status_code == status
    assert response.is_json and response.get_json()["error"]


@pytest.mark.parametrize(
    ("day", "has_slots"),
    [
        (days(-1), False),
        (past_horizon, False),
        (days(1), True),
        (lambda c: days(c.horizon)(c), True),
    ],
    ids=["yesterday", "past-horizon", "tomorrow", "last-day-of-horizon"],
)
def test_slots_api_is_empty_outside_the_window(client, ctx, day, has_slots):
    """A date outside the booking window has no free slots; inside, it has."""
    response = client.get(f"/api/doctors/{ctx.hospital.doctors['house']}/slots?date={day(ctx)}")
    assert response.status_code == 200
    assert bool(response.get_json()) is has_slots


@pytest.mark.parametrize(
    ("path", "form"),
    [
        (
            "/appointments",
            lambda client, ctx: booking_form(client, ctx.hospital.doctors["house"], ctx.today),
        ),
        (
            "/status",
            lambda client, ctx: {"name": "Asha", "csrf_token": csrf_token(client, "/status")},
        ),
        (
            "/contact",
            lambda client, ctx: {"name": "Asha", "csrf_token": csrf_token(client, "/contact")},
        ),
    ],
)
def test_body_over_the_size_limit_is_413(app, client, ctx, path, form):
    """A request body over MAX_CONTENT_LENGTH gets the friendly 413 page, nothing stored."""
    before = table_counts(app)
    data = form(client, ctx)
    data["message" if path == "/contact" else "reason"] = "x" * (
        app.config["MAX_CONTENT_LENGTH"] + 1
    )
    response = client.post(path, data=data)
    assert response.status_code == 413
    assert "What you sent is too large." in response.get_data(as_text=True)
    assert table_counts(app) == before


@pytest.mark.parametrize(
    "path",
    ["/no-such-page", "/appointments/AAAA-BBBB-CCCC", "/appointments/%00", "/doctors/1"],
)
def test_unknown_url_is_a_friendly_404(client, hospital, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "We could not find that page." in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [("GET", "/appointments", "POST"), ("PUT", "/status", "POST"), ("DELETE", "/contact", "POST")],
)
def test_wrong_method_is_a_friendly_405(client, hospital, method, path, allowed):
    response = client.open(path, method=method)
    assert response.status_code == 405
    assert allowed in response.headers["Allow"]
    assert "That action is not allowed here." in response.get_data(as_text=True)
