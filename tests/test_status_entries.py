"""The status lookup reads its entries without building its form when they all pass: the
two ways agree on every submission, and the page is the same whichever way was taken."""

import time

import pytest
from flask import session
from hypothesis import given
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from hms.public.forms import LookupEntries, StatusForm
from hms.signing import Uncompressed
from tests.helpers import booking_form
from tests.test_fuzz import FUZZ, MISSING, csrf_tokens, names, phones

RAW = "a" * 40  # the session's CSRF token, as Flask-WTF keeps it


def signed(app, raw: str = RAW) -> str:
    with app.test_request_context("/"):
        return Uncompressed(app.secret_key, salt="wtf-csrf-token").dumps(raw)


def both_ways(app, fields: dict, raw: str | None = RAW, items=None):
    """(the plain reading, the form's entries or None) of one submission, in one request."""
    data = MultiDict(items if items is not None else fields)
    with app.test_request_context("/status", method="POST", data=data):
        if raw is not None:
            session["csrf_token"] = raw
        plain = StatusForm.passing_entries(data)
        form = StatusForm()
        return plain, form.entries() if form.validate_on_submit() else None


def test_a_usual_lookup_passes_both_ways_with_the_same_entries(app):
    fields = {"name": "  Asha  Verma ", "phone": " 098765-43210 ", "csrf_token": signed(app)}
    plain, checked = both_ways(app, fields)
    assert plain == checked == LookupEntries("Asha  Verma", "098765-43210", "+919876543210")


CASES = {
    "name missing": {"name": MISSING},
    "name empty": {"name": ""},
    "name blank": {"name": "   "},
    "name too long": {"name": "A" * 101},
    "name of 100 letters": {"name": "A" * 100},
    "name too long once folded": {"name": "ß" * 60},
    "name without letters": {"name": "12345"},
    "name with a control character": {"name": "Asha\x1bVerma"},
    "name with a newline": {"name": "Asha\nVerma"},
    "name in other scripts": {"name": "Zoë Ñúñez-O'Brien आशा"},
    "phone missing": {"phone": MISSING},
    "phone blank": {"phone": "  "},
    "phone too short": {"phone": "98765"},
    "phone too long": {"phone": "9" * 26},
    "phone in words": {"phone": "call me"},
    "phone of another country": {"phone": "+1 202 555 0143"},
    "phone in Arabic-Indic digits": {"phone": "٩٨٧٦٥٤٣٢١٠"},
    "token missing": {"csrf_token": MISSING},
    "token empty": {"csrf_token": ""},
    "token not a token": {"csrf_token": "not-a-token"},
}


@pytest.mark.parametrize("changes", CASES.values(), ids=CASES.keys())
def test_each_case_gets_the_same_answer_both_ways(app, changes):
    fields = {"name": "Asha Verma", "phone": "98765 43210", "csrf_token": signed(app)}
    fields.update(changes)
    fields = {name: value for name, value in fields.items() if value is not MISSING}
    plain, checked = both_ways(app, fields)
    assert plain == checked


def test_bad_tokens_pass_neither_way(app, monkeypatch):
    fields = {"name": "Asha Verma", "phone": "98765 43210", "csrf_token": signed(app)}
    assert both_ways(app, fields, raw="b" * 40) == (None, None)  # another session's token
    assert both_ways(app, fields, raw=None) == (None, None)  # a session without a token
    tampered = {**fields, "csrf_token": fields["csrf_token"][:-2] + "xx"}
    assert both_ways(app, tampered) == (None, None)
    later = time.time() + app.config["WTF_CSRF_TIME_LIMIT"] + 1
    monkeypatch.setattr(time, "time", lambda: later)
    assert both_ways(app, fields) == (None, None)  # expired


def test_a_field_sent_twice_is_read_by_its_first_value_both_ways(app):
    token = signed(app)
    items = [("name", "Asha Verma"), ("name", ""), ("phone", "98765 43210")]
    items += [("phone", "x"), ("csrf_token", token)]
    plain, checked = both_ways(app, {}, items=items)
    assert plain == checked and plain.name == "Asha Verma"
    items = [("name", ""), ("name", "Asha Verma"), ("phone", "98765 43210"), ("csrf_token", token)]
    assert both_ways(app, {}, items=items) == (None, None)


def test_without_csrf_protection_the_token_is_not_asked_for(app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    plain, checked = both_ways(app, {"name": "Asha Verma", "phone": "98765 43210"}, raw=None)
    assert plain == checked == LookupEntries("Asha Verma", "98765 43210", "+919876543210")


@FUZZ
@given(data=st.data())
def test_random_submissions_get_the_same_answer_both_ways(app, data):
    token = signed(app)
    fields = data.draw(
        st.fixed_dictionaries({"name": names, "phone": phones, "csrf_token": csrf_tokens(token)})
    )
    fields = {name: value for name, value in fields.items() if value is not MISSING}
    plain, checked = both_ways(app, fields)
    assert plain == checked


def test_the_page_is_the_same_whichever_way_the_entries_were_read(
    app, client, hospital, tomorrow, monkeypatch
):
    booking = booking_form(client, hospital.doctors["house"], tomorrow)
    assert client.post("/appointments", data=booking).status_code == 303
    lookup = {
        "name": " asha verma ",
        "phone": "+91 98765 43210",
        "csrf_token": booking["csrf_token"],
    }
    plain = client.post("/status", data=lookup)
    monkeypatch.setattr(StatusForm, "passing_entries", staticmethod(lambda formdata: None))
    through_the_form = client.post("/status", data=lookup)
    assert plain.status_code == through_the_form.status_code == 200
    assert 'id="patient-id"' in plain.get_data(as_text=True)
    assert plain.get_data() == through_the_form.get_data()
