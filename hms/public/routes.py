"""Routes of the public site."""

import re
from datetime import date, datetime

import sqlalchemy as sa
from flask import (
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from markupsafe import Markup, escape
from sqlalchemy.exc import SQLAlchemyError

from hms.auth.access import signed_in_session
from hms.extensions import csrf, db, rate_limited
from hms.forms import error_status, signed_csrf_token
from hms.public import bp
from hms.public.forms import BookingForm, ContactForm, StatusForm
from hms.services import booking, catalog, contact, scheduling
from hms.services.clock import hospital_now
from hms.services.lookup import StatusLookup, lookup_status


def policy() -> scheduling.BookingPolicy:
    """The booking settings of this deployment."""
    return scheduling.BookingPolicy.from_config(current_app.config)


def booking_limit() -> str:
    return current_app.config["HMS_BOOKING_RATE_LIMIT"]


def lookup_limit() -> str:
    return current_app.config["HMS_LOOKUP_RATE_LIMIT"]


def render_home(form: BookingForm, status: int = 200):
    """The home page with departments, doctors and the booking form as submitted."""
    now = hospital_now(policy().timezone)
    known = catalog.current(db.session)
    slots = []
    # Only a doctor id that passed validation is looked up (huge ids overflow the column).
    if form.doctor_id.data and not form.doctor_id.errors and isinstance(form.date.data, date):
        doctor = known.doctor(form.doctor_id.data)
        if doctor is not None:
            slots = scheduling.free_slots(db.session, doctor, form.date.data, now, policy())
    return draw_home(form, known, now, slots), status


def draw_home(form: BookingForm, known: catalog.Catalog, now: datetime, slots=()) -> str:
    """The home page's HTML for this form, catalogue and moment."""
    return render_template(
        "public/index.html",
        form=form,
        doctors=known.doctors,
        departments=known.departments,
        slots=slots,
        today=now.date(),
        last_day=policy().last_bookable_day(now.date()),
    )


def slot(name: str) -> str:
    """What stands for the visitor's `name` (their token, an entry) in a page or form kept by
    the catalogue cache, to be filled in for each visitor."""
    return f"hms-{name}-goes-here"


# Stands for the visitor's CSRF token in the home page kept by the catalogue cache.
TOKEN_SLOT = slot("csrf_token")


def same_page_for_everyone() -> bool:
    """Whether the visitor sees the page everyone sees: not signed in (no staff links in
    the menu) and no message waiting (a message is drawn above the content)."""
    return not signed_in_session() and "_flashes" not in session


def page_with_parts(key: tuple, template: str, **parts: str) -> str:
    """The page `template` with its `parts` (HTML drawn for this visitor) put in.

    The rest of the page is the same for every visitor who sees the page everyone sees,
    so it is drawn once per catalogue read for them; others get it drawn each time.
    """
    holes = {name: Markup(f"<!--hms-part:{name}-->") for name in parts}
    if same_page_for_everyone():
        page = catalog.cache().page(db.session, key, lambda _: render_template(template, **holes))
    else:
        page = render_template(template, **holes)
    for name, html in parts.items():
        page = page.replace(holes[name], html, 1)
    return page


def render_part(template: str, **context) -> Markup:
    """Part of a page: `template` drawn with `context` and the app's template globals."""
    return Markup(current_app.jinja_env.get_template(template).render(context))


@bp.get("/")
def index():
    """Home: departments, doctors and the booking form.

    Everyone who sees the page everyone sees gets the same page but for the form's token,
    so the page is drawn once per catalogue read and the token put in.
    """
    if not same_page_for_everyone():
        return render_home(BookingForm())
    now = hospital_now(policy().timezone)

    def draw(known: catalog.Catalog) -> str:
        form = BookingForm()
        form.csrf_token.current_token = TOKEN_SLOT
        return draw_home(form, known, now)

    page = catalog.cache().page(db.session, ("home", now.date()), draw)
    return page.replace(TOKEN_SLOT, signed_csrf_token())


@bp.get("/doctors")
def doctors():
    """The doctor directory, by department."""
    return render_template("public/doctors.html", doctors=catalog.current(db.session).doctors)


@bp.get("/api/doctors")
def api_doctors():
    """JSON list of bookable doctors."""
    return jsonify(
        [
            {
                "id": d.id,
                "name": d.name,
                "department": d.department.name,
                "department_id": d.department_id,
            }
            for d in catalog.current(db.session).doctors
        ]
    )


# Ids past the 32-bit INTEGER column are unknown doctors (404), not a database error.
@bp.get("/api/doctors/<int(max=2147483647):doctor_id>/slots")
def api_slots(doctor_id: int):
    """JSON list of the doctor's free slot start times on a date."""
    doctor = catalog.current(db.session).doctor(doctor_id)
    if doctor is None:
        abort(404)
    try:
        day = date.fromisoformat(request.args.get("date", ""))
    except ValueError:
        return jsonify(error="Give the date as YYYY-MM-DD."), 422
    now = hospital_now(policy().timezone)
    return jsonify(
        [f"{slot:%H:%M}" for slot in scheduling.free_slots(db.session, doctor, day, now, policy())]
    )


@bp.post("/appointments")
@csrf.exempt  # the form checks its own token and re-renders with the data kept
@rate_limited(booking_limit)
def book():
    """Book an appointment from the public form."""
    form = BookingForm()
    if not form.validate_on_submit():
        return render_home(form, error_status(form))
    try:
        reference = booking.book(
            db.session, form.to_request(), hospital_now(policy().timezone), policy()
        )
    except booking.BookingError as exc:
        getattr(form, exc.field).errors.append(str(exc))
        return render_home(form, 422)
    except booking.SlotTaken as exc:
        form.time.errors.append(str(exc))
        return render_home(form, 409)
    return redirect(url_for(".appointment", reference=reference), 303)


@bp.get("/appointments/<reference>")
def appointment(reference: str):
    """One booking: patient ID, doctor, date, time, status."""
    found = booking.get_appointment(db.session, reference)
    if found is None:
        abort(404)
    return render_template("public/appointment.html", appointment=found)


@bp.route("/status", methods=["GET", "POST"])
@csrf.exempt
@rate_limited(lookup_limit, methods=["POST"])
def status():
    """Look up one's bookings by name and phone."""
    if request.method == "GET":
        return status_page(filled_lookup_form("", ""))
    entries = StatusForm.passing_entries(request.form)  # the usual lookup, without the form
    if entries is None:
        form = StatusForm()
        if not form.validate_on_submit():
            drawn = render_part("public/_status_form.html", form=form)  # with its errors
            return status_page(drawn), error_status(form)
        entries = form.entries()
    result = lookup_status(
        db.session, entries.name, entries.canonical_phone, catalog.current(db.session)
    )
    return status_page(filled_lookup_form(entries.name, entries.phone), result, searched=True)


def status_page(form: Markup, result: StatusLookup | None = None, searched=False) -> str:
    """The status page: the lookup form as drawn and, after a search, what it found."""
    return page_with_parts(
        ("status",),
        "public/status.html",
        lookup_form=form,
        lookup_result=render_part("public/_status_result.html", result=result) if searched else "",
    )


# The slots of the visitor's token and entries in the lookup form kept by the catalogue
# cache, and what finds them.
LOOKUP_SLOTS = {slot(name): name for name in ("csrf_token", "name", "phone")}
FIND_LOOKUP_SLOT = re.compile("|".join(map(re.escape, LOOKUP_SLOTS)))


def filled_lookup_form(name: str, phone: str) -> Markup:
    """The lookup form with no errors to show, filled in with these entries.

    Such a form differs from one visitor to the next only in its token and entries, so it
    is drawn once per catalogue read with a slot for each, and the slots are filled in one
    pass (an entry that happens to spell a slot stays as typed).
    """

    def draw(_known: catalog.Catalog) -> str:
        blank = StatusForm(formdata=None, name=slot("name"), phone=slot("phone"))
        blank.csrf_token.current_token = slot("csrf_token")
        return render_part("public/_status_form.html", form=blank)

    entries = {"csrf_token": signed_csrf_token(), "name": name, "phone": phone}
    drawn = catalog.cache().page(db.session, ("status form",), draw)
    filled = FIND_LOOKUP_SLOT.sub(lambda found: escape(entries[LOOKUP_SLOTS[found[0]]]), drawn)
    return Markup(filled)


@bp.route("/contact", methods=["GET", "POST"])
@csrf.exempt
@rate_limited(booking_limit, methods=["POST"])
def contact_us():
    """Send the hospital a message."""
    form = ContactForm()
    if request.method == "GET":
        return render_template("public/contact.html", form=form)
    if not form.validate_on_submit():
        return render_template("public/contact.html", form=form), error_status(form)
    contact.submit_query(
        db.session, name=form.name.data, email=form.email.data, message=form.message.data
    )
    flash("Thank you. Your message has reached our front desk; we will reply by email.", "success")
    return redirect(url_for(".contact_us"), 303)


@bp.get("/healthz")
def healthz():
    """Liveness and database check for load balancers."""
    try:
        db.session.execute(sa.text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="unavailable"), 503
    return jsonify(status="ok")
