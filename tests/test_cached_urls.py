"""The templates' url_for keeps each link it built, and gives what Flask's url_for gives."""

from flask import url_for

from hms.web import cached_url_for

CASES = [
    ("static", {"filename": "css/app.css"}),
    ("public.status", {}),
    ("register.index", {"department": 3}),
    ("register.index", {"department": None}),
    ("register.admit", {"patient": 42}),
    ("doctor.chart", {"patient_number": "20261125001"}),
    (".index", {}),
    ("public.index", {"_anchor": "book"}),
    ("public.index", {"_external": True}),  # the request's host: built each time
    ("register.patients", {"q": ["a", "b"]}),  # not a key: built each time
]


def test_cached_links_are_the_links_flask_builds(app):
    cached = cached_url_for()
    for _ in range(2):  # built, then kept
        for base_url in ("http://localhost/", "http://localhost/hms/", "http://hms.example/hms/"):
            for path in ("/register/", "/doctor/"):  # ".index" is the blueprint's own
                with app.test_request_context(path, base_url=base_url):
                    for endpoint, values in CASES:
                        assert cached(endpoint, **values) == url_for(endpoint, **values)


def test_a_link_is_built_once_for_the_same_mount_point(app, monkeypatch):
    cached = cached_url_for()
    built = []
    monkeypatch.setattr("hms.web.url_for", lambda *a, **k: built.append(a) or "/x")
    with app.test_request_context("/register/"):
        for _ in range(3):
            cached("register.admit", patient=7)
    with app.test_request_context("/register/", base_url="http://localhost/hms/"):
        cached("register.admit", patient=7)
    assert len(built) == 2


def test_templates_use_it(app):
    with app.test_request_context("/"):
        page = app.jinja_env.from_string("{{ url_for('register.admit', patient=5) }}").render()
        assert page == "/register/admissions/new?patient=5"
    assert app.jinja_env.globals["url_for"].__qualname__.startswith("cached_url_for")
