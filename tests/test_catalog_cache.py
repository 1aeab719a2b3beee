"""The per-process catalogue cache behind the public pages: read once, shared by everyone
who is not signed in, dropped at once on a change made here, re-read after
HMS_CATALOG_SECONDS when the change comes from elsewhere (another worker)."""

from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from flask import template_rendered
from sqlalchemy import event

from hms.database import reading_engine
from hms.extensions import db
from hms.models import Doctor
from hms.public import routes
from hms.public.forms import StatusForm
from hms.public.routes import TOKEN_SLOT
from hms.services import catalog
from tests.helpers import CSRF_RE, sign_in


@contextmanager
def catalogue_reads(app):
    """Count the catalogue reads (its one query on departments) while the block runs."""
    reads = []
    with app.app_context():
        engines = {db.engine, reading_engine(db.engine)}

    def before(_conn, _cursor, statement, *_args):
        if "FROM departments" in statement:
            reads.append(statement)

    for engine in engines:
        event.listen(engine, "before_cursor_execute", before)
    try:
        yield reads
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", before)


@pytest.fixture
def clock(app, monkeypatch):
    """The catalogue cache's clock, moved by hand."""
    now = [1000.0]
    seconds = app.config["HMS_CATALOG_SECONDS"]
    cache = catalog.CatalogCache(seconds, lambda: now[0])
    monkeypatch.setitem(app.extensions, catalog.EXTENSION, cache)
    return now


def token_of(response) -> str:
    return CSRF_RE.search(response.get_data(as_text=True)).group(1)


def booking(hospital, day, token: str, time: str = "10:00") -> dict:
    """A booking with Dr. House with the token a page gave."""
    return {
        "name": "Asha Verma",
        "phone": "98765 43210",
        "email": "asha@example.com",
        "doctor_id": str(hospital.doctors["house"]),
        "date": day.isoformat(),
        "time": time,
        "csrf_token": token,
    }


def test_the_home_page_is_drawn_once_and_each_visitor_gets_a_token_of_their_own(
    app, hospital, tomorrow
):
    first, second = app.test_client(), app.test_client()
    with catalogue_reads(app) as reads:
        pages = [first.get("/"), second.get("/"), first.get("/")]
    assert len(reads) == 1
    assert [page.status_code for page in pages] == [200, 200, 200]
    assert all("Dr. Gregory House" in page.get_data(as_text=True) for page in pages)
    assert all(TOKEN_SLOT not in page.get_data(as_text=True) for page in pages)
    assert token_of(pages[0]) != token_of(pages[1])

    # Each visitor's token is one their own session accepts.
    for number, (client, page) in enumerate(((first, pages[2]), (second, pages[1]))):
        booked = client.post(
            "/appointments", data=booking(hospital, tomorrow, token_of(page), f"1{number}:00")
        )
        assert booked.status_code == 303


def test_a_change_made_in_this_process_shows_at_once(app, client, hospital, tomorrow):
    assert "Dr. Gregory House" in client.get("/").get_data(as_text=True)
    with app.app_context():
        db.session.get(Doctor, hospital.doctors["house"]).is_bookable = False
        db.session.commit()
    assert "Dr. Gregory House" not in client.get("/").get_data(as_text=True)
    slots = client.get(f"/api/doctors/{hospital.doctors['house']}/slots?date={tomorrow}")
    assert slots.status_code == 404


def test_a_change_from_another_process_shows_once_the_copy_expires(app, client, hospital, clock):
    house = hospital.doctors["house"]
    assert "Dr. Gregory House" in client.get("/").get_data(as_text=True)
    with app.app_context(), db.engine.begin() as conn:  # not through this process's ORM
        conn.execute(sa.update(Doctor).where(Doctor.id == house).values(is_bookable=False))

    clock[0] += app.config["HMS_CATALOG_SECONDS"] - 1
    assert "Dr. Gregory House" in client.get("/").get_data(as_text=True)
    assert "Dr. Gregory House" in client.get("/doctors").get_data(as_text=True)
    clock[0] += 2
    assert "Dr. Gregory House" not in client.get("/").get_data(as_text=True)
    assert "Dr. Gregory House" not in client.get("/doctors").get_data(as_text=True)
    assert house not in [d["id"] for d in client.get("/api/doctors").get_json()]


def test_a_booking_is_checked_against_the_database_not_the_copy(
    app, client, hospital, tomorrow, clock
):
    page = client.get("/")
    with app.app_context(), db.engine.begin() as conn:
        retire = sa.update(Doctor).where(Doctor.id == hospital.doctors["house"])
        conn.execute(retire.values(is_bookable=False))
    booked = client.post("/appointments", data=booking(hospital, tomorrow, token_of(page)))
    assert booked.status_code == 422
    assert "Choose a doctor from the list." in booked.get_data(as_text=True)


def test_signed_in_staff_and_waiting_messages_get_a_page_of_their_own(app, hospital, staff):
    visitor, colleague = app.test_client(), app.test_client()
    visitor.get("/")  # the shared page exists
    assert sign_in(colleague, staff["register"]).status_code == 303
    staff_page = colleague.get("/").get_data(as_text=True)
    assert "Sign out (" in staff_page and "Staff sign-in" not in staff_page
    shared_page = visitor.get("/").get_data(as_text=True)
    assert "Staff sign-in" in shared_page and "Sign out (" not in shared_page

    with visitor.session_transaction() as session:
        session["_flashes"] = [("info", "Your last visit ended.")]
    assert "Your last visit ended." in visitor.get("/").get_data(as_text=True)
    assert "Your last visit ended." not in visitor.get("/").get_data(as_text=True)


@contextmanager
def pages_drawn(app, template: str):
    """Count how often `template` is drawn while the block runs."""
    drawn = []

    def note(_sender, template, context, **_extra):
        drawn.append(template.name)

    template_rendered.connect(note, app)
    try:
        yield lambda: drawn.count(template)
    finally:
        template_rendered.disconnect(note, app)


def test_the_status_page_around_each_visitors_lookup_is_drawn_once(app, hospital):
    first, second = app.test_client(), app.test_client()
    with pages_drawn(app, "public/status.html") as drawn:
        token = token_of(first.get("/status"))
        found = first.post(
            "/status", data={"name": "Zoë <Verma>", "phone": "98765 43210", "csrf_token": token}
        ).get_data(as_text=True)
        other = second.get("/status").get_data(as_text=True)
        rejected = second.post("/status", data={"name": "", "phone": "x"})
    assert drawn() == 1

    # The first visitor's answer and entries, escaped, are on their page only.
    assert 'id="no-booking"' in found and 'value="Zoë &lt;Verma&gt;"' in found
    assert "no-booking" not in other and "Verma" not in other
    assert CSRF_RE.search(other).group(1) != CSRF_RE.search(found).group(1)
    assert "<!--hms-part:" not in found + other
    # A rejected lookup gets its own messages in the same page.
    assert rejected.status_code == 400
    assert "This form had expired" in rejected.get_data(as_text=True)
    assert found.count("<title>My bookings") == 1


@pytest.mark.parametrize(
    ("name", "phone"),
    [
        ("Asha Rao", "98765 43210"),
        ("  Zoë <Verma> & \"Sons\" 'Ltd'  ", "+91 98765-43210"),
        ("hms-phone-goes-here", "98765 43210"),  # names that spell the slots
        ("hms-csrf_token-goes-here hms-name-goes-here", "98765 43210"),
    ],
)
def test_the_lookup_form_is_drawn_once_and_filled_in_as_if_drawn_for_the_visitor(
    app, hospital, monkeypatch, name, phone
):
    drawn = []
    draw = routes.render_part
    monkeypatch.setattr(
        routes, "render_part", lambda *a, **kw: drawn.append(a[0]) or draw(*a, **kw)
    )
    client = app.test_client()
    token = token_of(client.get("/status"))
    for _ in range(2):
        client.post("/status", data={"name": name, "phone": phone, "csrf_token": token})
    assert drawn.count("public/_status_form.html") == 1

    entries = {"name": name, "phone": phone, "csrf_token": token}
    cookie = f"session={client.get_cookie('session').value}"
    with app.test_request_context(
        "/status", method="POST", data=entries, headers={"Cookie": cookie}
    ):
        form = StatusForm()
        assert form.validate(), form.errors
        filled = routes.filled_lookup_form(form.name._value(), form.phone._value())
        assert filled == draw("public/_status_form.html", form=form)


def test_signed_in_staff_get_a_status_page_of_their_own(app, hospital, staff):
    visitor, colleague = app.test_client(), app.test_client()
    visitor.get("/status")
    assert sign_in(colleague, staff["register"]).status_code == 303
    staff_page = colleague.get("/status").get_data(as_text=True)
    assert "Sign out (" in staff_page and 'name="phone"' in staff_page
    shared_page = visitor.get("/status").get_data(as_text=True)
    assert "Staff sign-in" in shared_page and "Sign out (" not in shared_page
