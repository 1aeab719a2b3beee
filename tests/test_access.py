"""Every route of the URL map, for every kind of visitor: the answer each one gets."""

import pytest
import sqlalchemy as sa

from hms.extensions import db
from tests.doctor.builders import doctor_route_samples
from tests.helpers import booking_form, csrf_token, sign_in
from tests.register.support import discharged_stay

ROLES = ("anonymous", "doctor", "register", "admin")

# Public pages: everyone gets them. Endpoints listed here and below are "classified";
# a route that is in none of these tables fails test_every_route_is_classified.
PUBLIC = {
    "public.index",
    "public.doctors",
    "public.api_doctors",
    "public.api_slots",
    "public.appointment",
    "public.status",
    "public.contact_us",
    "public.healthz",
    "static",
    "admin.static",
}
AREAS = {"doctor.": "doctor", "register.": "register", "admin.": "admin", "admin_": "admin"}
# Routes with their own rules: expected status per role.
# (POST-only routes such as /appointments and /logout answer a GET with 405 for everyone.)
SPECIAL = {
    "public.book": dict.fromkeys(ROLES, 405),
    "auth.logout": dict.fromkeys(ROLES, 405),
    "auth.login": {"anonymous": 200, "doctor": 302, "register": 302, "admin": 302},
    # SPEC: registers and admins can download the final bill again.
    "register.final_bill": {"anonymous": 302, "doctor": 403, "register": 200, "admin": 200},
}
# What an admin gets on a console model view's routes; a disabled feature or a missing
# record sends the admin back to the list (302).
CONSOLE_FEATURES = {
    "create_view": "can_create",
    "edit_view": "can_edit",
    "details_view": "can_view_details",
    "export": "can_export",
}


def console_views(app) -> dict:
    """The Flask-Admin views of the app by endpoint."""
    return {view.endpoint: view for admin in app.extensions["admin"] for view in admin._views}


def admin_answer(app, rule, samples) -> int:
    """The status an admin gets for a GET of a console route."""
    view_endpoint, _, route = rule.endpoint.partition(".")
    view = console_views(app).get(view_endpoint)
    if route == "ajax_lookup":
        return 404  # no view here defines ajax lookups
    if route in CONSOLE_FEATURES:
        enabled = getattr(view, CONSOLE_FEATURES[route])
        has_record = route in {"create_view", "export"} or ("query", rule.endpoint) in samples
        return 200 if enabled and has_record else 302
    return 200


def area_of(endpoint: str) -> str | None:
    """The role whose area the endpoint belongs to."""
    for prefix, role in AREAS.items():
        if endpoint.startswith(prefix):
            return role
    return None


def expected(app, rule, role: str, samples: dict) -> int:
    """The status a visitor of that role should get for a GET of the route."""
    endpoint = rule.endpoint
    if "GET" not in rule.methods:
        return 405
    if endpoint in PUBLIC:
        return 200
    if endpoint in SPECIAL:
        return SPECIAL[endpoint][role]
    owner = area_of(endpoint)
    if role == "anonymous":
        return 302
    if role != owner:
        return 403
    return admin_answer(app, rule, samples) if owner == "admin" else 200


def url_for_rule(app, rule, samples: dict) -> str:
    """A concrete URL for the rule, with sample values for its arguments."""
    # A GET route needs a real sample; a POST-only route answers 405 whatever its arguments.
    post_only = "GET" not in rule.methods
    values = {
        name: samples.get((rule.endpoint, name), 1) if post_only else samples[(rule.endpoint, name)]
        for name in rule.arguments
    }
    url = app.url_map.bind("localhost").build(
        rule.endpoint, values, method=next(iter(rule.methods))
    )
    return url + samples.get(("query", rule.endpoint), "")


@pytest.fixture
def samples(app, client, staff, hospital, tomorrow):
    """Real values for URL arguments: an existing booking, doctor and static files."""
    response = client.post(
        "/appointments", data=booking_form(client, hospital.doctors["house"], tomorrow)
    )
    reference = response.headers["Location"].rsplit("/", 1)[1]
    with app.app_context():
        stay = discharged_stay(db.session, app)  # admitted, charged, paid, discharged
    values = {
        ("public.appointment", "reference"): reference,
        ("public.api_slots", "doctor_id"): hospital.doctors["house"],
        ("query", "public.api_slots"): f"?date={tomorrow.isoformat()}",
        ("static", "filename"): "css/app.css",
        ("admin.static", "filename"): "admin/js/helpers.js",
        ("register.patient", "patient_id"): stay.patient_id,
        ("register.admission", "admission_id"): stay.admission_id,
        ("register.receipt", "payment_id"): stay.payment_id,
        ("register.final_bill", "bill_id"): stay.bill_id,
    }
    with app.app_context():  # the booking's doctor: its appointment, chart and an admission
        values.update(doctor_route_samples(db.session, reference))
    # Console views: CSV export, and the id of an existing record to edit or view.
    with app.app_context():
        for endpoint, view in console_views(app).items():
            values[(f"{endpoint}.export", "export_type")] = "csv"
            model = getattr(view, "model", None)
            first = model and db.session.scalar(sa.select(model).limit(1))
            if first is not None:
                for route in ("edit_view", "details_view"):
                    values[("query", f"{endpoint}.{route}")] = f"?id={view.get_pk_value(first)}"
    return values


def test_every_route_is_classified(app):
    """A new route must be added to a table above (or live in a role's area)."""
    unclassified = [
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint not in PUBLIC
        and rule.endpoint not in SPECIAL
        and area_of(rule.endpoint) is None
    ]
    assert unclassified == []


@pytest.mark.parametrize("role", ROLES)
def test_every_route_answers_each_role_as_expected(app, client, staff, samples, role):
    if role != "anonymous":
        assert sign_in(client, staff[role]).status_code == 303
    answers = {}
    for rule in app.url_map.iter_rules():
        url = url_for_rule(app, rule, samples)
        response = client.get(url)
        response.close()  # static files stream from an open file
        answers[url] = (response.status_code, expected(app, rule, role, samples))
        if response.status_code == 302 and role == "anonymous" and rule.endpoint not in PUBLIC:
            assert response.headers["Location"].startswith("/login?next="), url
    wrong = {url: got for url, got in answers.items() if got[0] != got[1]}
    assert wrong == {}, "url: (got, expected)"


@pytest.mark.parametrize("role", ["doctor", "register", "admin"])
def test_staff_post_routes_refuse_other_roles(client, staff, role):
    """POSTing into another role's console area is refused as well."""
    sign_in(client, staff[role])
    token = csrf_token(client, "/doctors")
    response = client.post("/admin/admin_staff/new/", data={"csrf_token": token, "username": "x"})
    assert response.status_code == (200 if role == "admin" else 403)
