"""Session cookies are Flask's signed cookies, signed without itsdangerous' try to compress
them; cookies signed the usual way (compressed, or with a retired key) are still read."""

from flask.sessions import SecureCookieSessionInterface
from itsdangerous import url_safe

from tests.helpers import csrf_token, sign_in


def cookie_value(client) -> str:
    return client.get_cookie("session").value


def test_a_new_visitors_cookie_is_signed_without_trying_zlib(app, client, monkeypatch):
    def refuse(*_args):
        raise AssertionError("tried to compress the session cookie")

    monkeypatch.setattr(url_safe.zlib, "compress", refuse)
    token = csrf_token(client, "/status")
    value = cookie_value(client)
    assert not value.startswith(".")  # itsdangerous marks a compressed payload with a dot
    with app.test_request_context("/"):
        read = app.session_interface.get_signing_serializer(app).loads(value)
    assert "csrf_token" in read
    lookup = {"name": "Nobody", "phone": "98765 43210", "csrf_token": token}
    assert client.post("/status", data=lookup).status_code == 200


def test_a_staff_session_works_with_the_uncompressed_cookie(client, staff):
    sign_in(client, staff["register"])
    assert not cookie_value(client).startswith(".")
    assert client.get("/register/").status_code == 200


def test_a_cookie_flask_signed_compressed_is_still_read(app, client, staff):
    """A session signed as Flask signs it (by the previous release, say, during a rolling
    restart) keeps its visitor signed in."""
    sign_in(client, staff["register"])
    with app.test_request_context("/"):
        ours = app.session_interface.get_signing_serializer(app)
        flasks = SecureCookieSessionInterface().get_signing_serializer(app)
        data = ours.loads(cookie_value(client))
        data["padding"] = "x" * 200  # long enough for zlib to pay off
        compressed = flasks.dumps(data)
    assert compressed.startswith(".")
    client.set_cookie("session", compressed)
    assert client.get("/register/").status_code == 200


def test_a_cookie_signed_with_a_retired_key_is_read_and_new_ones_get_the_new_key(
    app, client, staff
):
    sign_in(client, staff["register"])
    assert client.get("/register/").status_code == 200
    old_key = app.secret_key
    app.config["SECRET_KEY_FALLBACKS"] = [old_key]
    app.secret_key = app.config["SECRET_KEY"] = "a-new-secret-key-of-at-least-32-chars!!"
    try:
        assert client.get("/register/").status_code == 200  # still signed in
        visitor = app.test_client()
        csrf_token(visitor, "/status")
        with app.test_request_context("/"):
            newest = SecureCookieSessionInterface().get_signing_serializer(app)
        newest.secret_keys = newest.secret_keys[-1:]  # the new key alone
        assert "csrf_token" in newest.loads(cookie_value(visitor))
    finally:
        app.secret_key = app.config["SECRET_KEY"] = old_key
        app.config["SECRET_KEY_FALLBACKS"] = []
