"""Every HMS form's CSRF token is Flask-WTF's, signed without itsdangerous' attempt to
compress it first."""

import re

import pytest
from flask import g, session
from flask_wtf.csrf import generate_csrf, validate_csrf
from itsdangerous import url_safe
from wtforms import ValidationError

import hms.auth.forms
import hms.doctor.forms
import hms.public.forms
import hms.register.forms
from hms.forms import SignedForm, signed_csrf_token
from tests.helpers import CSRF_RE

FORMS = [
    hms.public.forms.StatusForm,
    hms.public.forms.BookingForm,
    hms.auth.forms.LoginForm,
    hms.doctor.forms.VisitNoteForm,
    hms.register.forms.PaymentForm,
]


@pytest.fixture
def no_compression(monkeypatch):
    """itsdangerous' zlib, made to fail on a CSRF token (session cookies may still use it)."""
    compress = url_safe.zlib.compress

    def refuse_tokens(data, *args):
        assert not re.fullmatch(rb'"[0-9a-f]{40}"', data), "tried to compress a CSRF token"
        return compress(data, *args)

    monkeypatch.setattr(url_safe.zlib, "compress", refuse_tokens)


@pytest.mark.parametrize("form_class", FORMS, ids=lambda form: form.__name__)
def test_a_forms_token_is_signed_once_without_compressing_and_flask_wtf_takes_it(
    app, no_compression, form_class
):
    assert issubclass(form_class, SignedForm)
    with app.test_request_context("/"):
        form = form_class()
        token = form.csrf_token.current_token
        assert token == generate_csrf() == signed_csrf_token() == g.csrf_token
        validate_csrf(token)  # Flask-WTF reads it as its own
        raw = session["csrf_token"]
        assert len(raw) == 40 and int(raw, 16) >= 0  # a new visitor's token, as Flask-WTF makes it


def test_a_visitors_token_stays_theirs_and_a_forged_one_is_refused(app, no_compression):
    with app.test_request_context("/"):
        session["csrf_token"] = "a" * 40
        token = signed_csrf_token()
        validate_csrf(token)
        assert session["csrf_token"] == "a" * 40
        head, _, signature = token.rpartition(".")
        with pytest.raises(ValidationError, match="invalid"):
            validate_csrf(f"{head}.{signature[::-1]}")
    with app.test_request_context("/"):
        session["csrf_token"] = "b" * 40  # another visitor
        with pytest.raises(ValidationError, match="do not match"):
            validate_csrf(token)


def test_pages_and_forms_work_with_the_tokens(client, no_compression):
    page = client.get("/status").get_data(as_text=True)
    token = CSRF_RE.search(page).group(1)
    lookup = client.post(
        "/status", data={"name": "Nobody", "phone": "98765 43210", "csrf_token": token}
    )
    assert lookup.status_code == 200 and 'id="no-booking"' in lookup.get_data(as_text=True)
    home_token = CSRF_RE.search(client.get("/").get_data(as_text=True)).group(1)
    again = client.post(
        "/status", data={"name": "N", "phone": "98765 43210", "csrf_token": home_token}
    )
    assert again.status_code == 200  # the home page's token is the same visitor's
    stale = client.post(
        "/status", data={"name": "Nobody", "phone": "98765 43210", "csrf_token": "x"}
    )
    assert stale.status_code == 400


def test_a_form_without_csrf_signs_no_token(app):
    with app.test_request_context("/doctor/?view=pending"):
        form = hms.doctor.forms.QueueForm()  # its Meta turns CSRF off
        assert not hasattr(form, "csrf_token")
        assert "csrf_token" not in g and "csrf_token" not in session
