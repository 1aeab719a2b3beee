"""Random forms posted to the public site never get a 5xx or an undocumented status.

Run with --hypothesis-show-statistics to see how often each status came up.
"""

import re
from datetime import date, time, timedelta

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from hms.extensions import db
from hms.services.clock import hospital_now
from tests.helpers import csrf_token

FUZZ = settings(
    max_examples=1000,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
REFERENCE_URL = re.compile(r"/appointments/[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}")
HUGE = "x" * (300 * 1024)  # over MAX_CONTENT_LENGTH: the request must get 413
MISSING = None

# Long unicode text, cheap to draw: a random snippet repeated up to a few thousand characters.
long_texts = st.builds(
    lambda snippet, n: snippet * n, st.text(min_size=1, max_size=8), st.integers(25, 400)
)


def three_in_four(likely, other):
    """Draw from `likely` about three times in four (one_of would merge repeated branches)."""
    return st.sampled_from([likely, likely, likely, other]).flatmap(lambda strategy: strategy)


def maybe(valid, *near_valid):
    """A field value: valid three times in four, else near-valid, empty, missing or random."""
    noise = st.one_of(*near_valid, st.just(""), st.just(MISSING), st.text(max_size=40), long_texts)
    return three_in_four(valid, noise)


names = maybe(
    st.sampled_from(["Asha Verma", "  asha   VERMA ", "Ravi Verma", "Zoë Ñúñez-O'Brien"]),
    st.text(alphabet=st.characters(categories=["L", "Zs"]), min_size=1, max_size=110),
    st.sampled_from(["ß" * 60, "A" * 101, "12345", "Asha\x00", "<b>Asha</b>"]),
)
phones = maybe(
    st.sampled_from(["98765 43210", "+91-98765-43210", "098765-43210", "+1 202 555 0143"]),
    st.from_regex(r"\+?[0-9 ()-]{0,30}", fullmatch=True),
    st.sampled_from(["9" * 26, "12", "call me", "+", "٩٨٧٦٥٤٣٢١٠"]),
)
emails = maybe(
    st.sampled_from(["asha@example.com", "ü@exämple.com"]),
    st.emails(),
    st.sampled_from(["asha@", "@example.com", "a@localhost", "a" * 65 + "@example.com"]),
)
times = maybe(
    # The 15-minute slots of the day shift, so that some bookings collide and get 409.
    st.integers(36, 67).map(lambda q: f"{q // 4:02d}:{q % 4 * 15:02d}"),
    st.integers(0, 95).map(lambda q: f"{q // 4:02d}:{q % 4 * 15:02d}"),
    st.times().map(lambda t: f"{t:%H:%M}"),
    st.times().map(time.isoformat),
    st.sampled_from(["25:00", "10:7", "10am", "9:30", "09:15", "18:00"]),
)
reasons = maybe(st.just("Cough for a week"), st.just("x" * 501), st.just("ok\x07"), st.just(HUGE))
messages = maybe(
    st.just("When is the cardiology clinic open?"),
    st.text(max_size=2100),
    st.sampled_from(["x" * 2001, "hi\x00", " \n ", "line one\r\nline two", HUGE]),
)


def dates(today: date):
    """The next few days, days around the booking window, any date, and not dates at all."""
    return maybe(
        st.integers(1, 7).map(lambda n: (today + timedelta(days=n)).isoformat()),
        st.integers(-5, 70).map(lambda n: (today + timedelta(days=n)).isoformat()),
        st.dates().map(date.isoformat),
        st.sampled_from(["2030-02-30", "26/11/2030", "99999-01-01", "0001-01-01"]),
    )


def doctor_ids(hospital):
    """The real doctors (bookable or not), unknown ids, huge ids and non-numbers."""
    return maybe(
        st.sampled_from([str(i) for i in hospital.doctors.values()]),
        st.integers(-(2**70), 2**70).map(str),
        st.sampled_from(["999999", "1.5", "1e3", " 1 ", "0x1", "٣"]),
    )


def csrf_tokens(token):
    """The session's valid token three times in four, else a wrong one or none."""
    wrong = st.one_of(st.sampled_from([MISSING, "", "not-a-token"]), st.text(max_size=100))
    return three_in_four(st.just(token), wrong)


def row_counts(app) -> dict[str, int]:
    """Row count of every table, in one query (table_counts takes one per table)."""
    counts = [
        sa.select(sa.func.count()).select_from(t).scalar_subquery().label(t.name)
        for t in db.metadata.sorted_tables
    ]
    with app.app_context():
        return dict(db.session.execute(sa.select(*counts)).one()._mapping)


def post(client, path, fields):
    """Post the fields that are not MISSING; tally the statuses for the statistics."""
    response = client.post(path, data={k: v for k, v in fields.items() if v is not MISSING})
    event(f"status {response.status_code}")
    return response


@pytest.fixture
def token(client, hospital):
    """A valid CSRF token of the client's session (it stays valid across examples)."""
    return csrf_token(client)


@pytest.fixture
def today(app):
    """Today in the hospital's time zone."""
    return hospital_now(app.config["HMS_TIMEZONE"]).date()


@FUZZ
@given(data=st.data())
def test_fuzz_booking(app, client, hospital, token, today, data):
    """Random bookings get 303, 409, 422, 400, 413 or 429; only a 303 stores anything."""
    fields = data.draw(
        st.fixed_dictionaries(
            {
                "name": names,
                "phone": phones,
                "email": emails,
                "doctor_id": doctor_ids(hospital),
                "date": dates(today),
                "time": times,
                "reason": reasons,
                "csrf_token": csrf_tokens(token),
            }
        )
    )
    before = row_counts(app)
    response = post(client, "/appointments", fields)
    after = row_counts(app)
    assert response.status_code in {303, 400, 409, 413, 422, 429}
    if response.status_code == 303:
        location = response.headers["Location"]
        assert REFERENCE_URL.fullmatch(location)
        assert client.get(location).status_code == 200
        assert after["appointments"] == before["appointments"] + 1
    else:
        assert after == before
    if response.status_code in {400, 409, 422}:
        assert 'role="alert"' in response.get_data(as_text=True)


@pytest.fixture
def booked(client, hospital, token, tomorrow):
    """Asha Verma has one booking, so some lookups find her."""
    form = {
        "name": "Asha Verma",
        "phone": "98765 43210",
        "email": "asha@example.com",
        "doctor_id": str(hospital.doctors["house"]),
        "date": tomorrow.isoformat(),
        "time": "10:00",
        "csrf_token": token,
    }
    assert client.post("/appointments", data=form).status_code == 303


@FUZZ
@given(data=st.data())
def test_fuzz_status_lookup(app, client, booked, token, data):
    """Random lookups get 200 (found or "no booking found"), 422, 400, 413 or 429."""
    fields = data.draw(
        st.fixed_dictionaries({"name": names, "phone": phones, "csrf_token": csrf_tokens(token)})
    )
    response = post(client, "/status", fields)
    assert response.status_code in {200, 400, 413, 422, 429}
    html = response.get_data(as_text=True)
    if response.status_code == 200:
        assert ("No booking found." in html) != ('id="patient-id"' in html)
    elif response.status_code in {400, 422}:
        assert 'role="alert"' in html


@FUZZ
@given(data=st.data())
def test_fuzz_contact(app, client, hospital, token, data):
    """Random queries get 303, 422, 400, 413 or 429; only a 303 stores one."""
    fields = data.draw(
        st.fixed_dictionaries(
            {"name": names, "email": emails, "message": messages, "csrf_token": csrf_tokens(token)}
        )
    )
    before = row_counts(app)
    response = post(client, "/contact", fields)
    stored = 1 if response.status_code == 303 else 0
    assert response.status_code in {303, 400, 413, 422, 429}
    assert row_counts(app) == {**before, "customer_queries": before["customer_queries"] + stored}
    if response.status_code in {400, 422}:
        assert 'role="alert"' in response.get_data(as_text=True)
