"""HMS signs and reads values as itsdangerous does, through a shorter path for the usual
case; every failure still comes from itsdangerous itself."""

import hashlib
import time

import pytest
from flask import session
from flask_wtf.csrf import validate_csrf
from itsdangerous import BadSignature, BadTimeSignature, SignatureExpired, URLSafeTimedSerializer
from wtforms import ValidationError

from hms.public.forms import StatusForm
from hms.signing import Uncompressed

KEY = "a-signing-key-of-at-least-thirty-two-chars"
OLD_KEY = "the-retired-signing-key-of-thirty-two-chars"
SET_UPS = [  # Flask-WTF's CSRF tokens; Flask's session cookies
    {"salt": "wtf-csrf-token"},
    {
        "salt": "cookie-session",
        "signer_kwargs": {"key_derivation": "hmac", "digest_method": hashlib.sha1},
    },
]


@pytest.mark.parametrize("set_up", SET_UPS, ids=["csrf", "session"])
def test_values_go_both_ways_between_hms_and_itsdangerous(set_up):
    ours = Uncompressed([OLD_KEY, KEY], **set_up)
    theirs = URLSafeTimedSerializer([OLD_KEY, KEY], **set_up)
    value = {"csrf_token": "f" * 40, "n": [1, 2]}
    assert ours._signing()  # the short path is taken for this set-up
    assert theirs.loads(ours.dumps(value), max_age=60) == value
    assert ours.loads(theirs.dumps(value), max_age=60) == value
    assert ours.loads(ours.dumps(value)) == value
    signed_before = URLSafeTimedSerializer(OLD_KEY, **set_up).dumps(value)
    assert ours.loads(signed_before, max_age=60) == value  # a retired key still reads


@pytest.mark.parametrize("set_up", SET_UPS, ids=["csrf", "session"])
def test_a_value_signed_now_carries_the_same_signature_as_itsdangerous_gives(set_up, monkeypatch):
    monkeypatch.setattr(time, "time", lambda: 1_790_000_000.5)
    ours = Uncompressed([OLD_KEY, KEY], **set_up)
    theirs = URLSafeTimedSerializer([OLD_KEY, KEY], **set_up)
    theirs.dump_payload = ours.dump_payload  # both uncompressed
    assert ours.dumps("x" * 40) == theirs.dumps("x" * 40)


def tampered(signed: str) -> list[str]:
    head, _, signature = signed.rpartition(".")
    payload, _, stamp = head.rpartition(".")
    flip = "A" if signature[0] != "A" else "B"
    return [
        f"{head}.{flip}{signature[1:]}",  # signature changed
        f"{payload}x.{stamp}.{signature}",  # payload changed
        f"{head}",  # no signature
        f"{payload}.{signature}",  # no timestamp
        f"{head}.!!!",  # not base64
        "",
    ]


def test_a_tampered_or_malformed_value_is_refused_as_itsdangerous_refuses_it():
    ours = Uncompressed(KEY, salt="wtf-csrf-token")
    theirs = URLSafeTimedSerializer(KEY, salt="wtf-csrf-token")
    for bad in tampered(ours.dumps("f" * 40)):
        with pytest.raises(BadSignature) as our_error:
            ours.loads(bad, max_age=60)
        with pytest.raises(BadSignature) as their_error:
            theirs.loads(bad, max_age=60)
        assert type(our_error.value) is type(their_error.value)
        assert str(our_error.value) == str(their_error.value)


def test_an_old_value_expires_and_a_future_one_is_refused(monkeypatch):
    ours = Uncompressed(KEY, salt="wtf-csrf-token")
    signed = ours.dumps("f" * 40)
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + 3601)
    with pytest.raises(SignatureExpired):
        ours.loads(signed, max_age=3600)
    assert ours.loads(signed) == "f" * 40  # no age limit asked
    monkeypatch.setattr(time, "time", lambda: now - 10)
    with pytest.raises(SignatureExpired):  # signed in the future
        ours.loads(signed, max_age=3600)


def test_another_key_or_salt_is_refused():
    signed = Uncompressed(KEY, salt="wtf-csrf-token").dumps("f" * 40)
    with pytest.raises(BadTimeSignature):
        Uncompressed(OLD_KEY, salt="wtf-csrf-token").loads(signed)
    with pytest.raises(BadTimeSignature):
        Uncompressed(KEY, salt="cookie-session").loads(signed)


def csrf_error(app, data, raw="a" * 40) -> str | None:
    """The CSRF error of a status form posted with `data`, the session holding `raw`,
    checked to be the one Flask-WTF's own check gives in the same request."""
    with app.test_request_context("/status", method="POST", data=data):
        if raw is not None:
            session["csrf_token"] = raw
        form = StatusForm()  # makes the session's token if there is none, as Flask-WTF does
        form.validate()
        ours = form.csrf_token.errors[0] if form.csrf_token.errors else None
        try:
            validate_csrf(data.get("csrf_token"))
            flask_wtfs = None
        except ValidationError as error:
            flask_wtfs = str(error)
        assert ours == flask_wtfs
        return ours


def test_the_form_check_says_what_flask_wtf_says(app, monkeypatch):
    with app.test_request_context("/"):
        good = Uncompressed(app.secret_key, salt="wtf-csrf-token").dumps("a" * 40)
    assert csrf_error(app, {"csrf_token": good}) is None
    assert csrf_error(app, {}) == "The CSRF token is missing."
    assert csrf_error(app, {"csrf_token": good}, raw=None) == "The CSRF tokens do not match."
    assert csrf_error(app, {"csrf_token": good[:-2] + "xx"}) == "The CSRF token is invalid."
    assert csrf_error(app, {"csrf_token": good}, raw="b" * 40) == "The CSRF tokens do not match."
    later = time.time() + app.config["WTF_CSRF_TIME_LIMIT"] + 1
    monkeypatch.setattr(time, "time", lambda: later)
    assert csrf_error(app, {"csrf_token": good}) == "The CSRF token has expired."
