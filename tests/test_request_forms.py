"""HMS reads the usual URL-encoded form body in one step, and reads it as Werkzeug does:
the same form for every body, the same errors for a short or oversized one."""

from io import BytesIO

import flask
import pytest
from werkzeug.exceptions import ClientDisconnected, RequestEntityTooLarge
from werkzeug.test import EnvironBuilder

from hms.web import URLENCODED, Request

BODIES = [
    b"name=Asha+Verma&phone=%2B91+98765+43210&csrf_token=abc.def.ghi",
    b"name=Zo%C3%AB+%C3%91%C3%BA%C3%B1ez&phone=",
    "name=आशा&x=ß".encode(),
    b"a=1&a=2&b=&c",
    b"=&&=x&%zz=%e9%41&q=%",
    b"name=\xff\xfe",  # not UTF-8: an empty form
    b"",
    b"only-a-key",
    b"x=" + b"y" * 5000,
]


def environ(body: bytes, content_type: str = URLENCODED, length=None, **extra) -> dict:
    env = EnvironBuilder(path="/status", method="POST").get_environ()
    env.update(
        {
            "CONTENT_TYPE": content_type,
            "CONTENT_LENGTH": str(len(body) if length is None else length),
            "wsgi.input": BytesIO(body),
        }
    )
    env.update(extra)
    return env


def read_form(app, request_class, env: dict):
    with app.request_context(env):
        request = request_class(env)
        return request.form, request.files


@pytest.mark.parametrize("terminated", [False, True], ids=["plain", "input terminated"])
@pytest.mark.parametrize("body", BODIES)
def test_every_body_gives_the_form_werkzeug_gives(app, body, terminated, monkeypatch):
    extra = {"wsgi.input_terminated": True} if terminated else {}
    theirs = read_form(app, flask.Request, environ(body, **extra))

    def werkzeugs_way(_request):
        raise AssertionError("the usual body took Werkzeug's way")

    monkeypatch.setattr(flask.Request, "_load_form_data", werkzeugs_way)
    ours = read_form(app, Request, environ(body, **extra))
    assert list(ours[0].items(multi=True)) == list(theirs[0].items(multi=True))
    assert not ours[1] and not theirs[1]


def test_other_bodies_go_werkzeugs_way_and_read_the_same(app):
    for content_type in (f"{URLENCODED}; charset=utf-8", "text/plain"):
        body = b"name=Asha&phone=1"
        ours = read_form(app, Request, environ(body, content_type))
        theirs = read_form(app, flask.Request, environ(body, content_type))
        assert list(ours[0].items(multi=True)) == list(theirs[0].items(multi=True))
    streamed = environ(b"name=Asha", HTTP_TRANSFER_ENCODING="chunked")
    assert read_form(app, Request, streamed)[0] == read_form(app, flask.Request, streamed)[0]


def test_a_body_shorter_than_its_length_is_a_disconnect(app):
    for request_class in (flask.Request, Request):
        with pytest.raises(ClientDisconnected):
            read_form(app, request_class, environ(b"name=Asha", length=50))


def test_a_body_over_the_limit_is_refused_either_way(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 100)
    for request_class in (flask.Request, Request):
        with pytest.raises(RequestEntityTooLarge):
            read_form(app, request_class, environ(b"x=" + b"y" * 200))
    response = client.post("/status", data={"name": "x" * 200, "phone": "1"})
    assert response.status_code == 413


def test_the_app_reads_forms_with_it(app):
    assert app.request_class is Request
