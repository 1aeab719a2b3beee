"""Routes of the doctor's workspace: the dashboard, appointments and their notes, charts."""

from zoneinfo import ZoneInfo

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from hms.auth.access import client_ip
from hms.database import reads_only
from hms.doctor import bp
from hms.doctor.forms import MoveForm, QueueForm, VisitNoteForm
from hms.errors import render_error
from hms.extensions import db
from hms.forms import error_status
from hms.models import Doctor
from hms.services import appointments, charts, doctor_queue, inpatients, visits
from hms.services.clock import hospital_now
from hms.services.patients import display_phone

# Ids past the 32-bit INTEGER columns are unknown records (404), not a database error.
ID = "int(max=2147483647)"
MOVED = {
    "confirmed": "Appointment confirmed.",
    "canceled": "Appointment canceled. The patient sees it on the status page.",
    "completed": "Visit marked completed.",
}


@bp.errorhandler(visits.VisitNotFound)
@bp.errorhandler(appointments.NotYourAppointment)
@bp.errorhandler(charts.ChartNotFound)
@bp.errorhandler(inpatients.AdmissionNotFound)
def not_found(error):
    """Another doctor's appointment is as unknown as a missing one."""
    return render_error(404)


@bp.errorhandler(visits.NotAuthor)
@bp.errorhandler(inpatients.NotYourPatient)
def forbidden(error):
    """A note of another author, or of a patient the doctor does not care for."""
    return render_error(403, str(error))


@bp.context_processor
def template_helpers():
    """Helpers for the workspace's pages: hospital-local times, readable phone numbers."""
    zone = ZoneInfo(current_app.config["HMS_TIMEZONE"])
    return {
        "hospital_time": lambda moment: moment.astimezone(zone) if moment else None,
        "display_phone": display_phone,
        "list_titles": doctor_queue.VIEWS,
        "when": when,
    }


def when(appointment) -> str:
    """An appointment's day and time as the doctor's pages show them: Tue 01 Dec 2026, 09:15
    (a function, not a macro: the dashboard shows one a row)."""
    return f"{appointment.scheduled_date:%a %d %b %Y}, {appointment.scheduled_time:%H:%M}"


def my_doctor() -> Doctor:
    """The signed-in doctor's enrolment; 403 for a doctor account not enrolled yet."""
    doctor = doctor_queue.doctor_of(current_user)
    if doctor is None:
        abort(403)
    return doctor


def today():
    """The hospital-local date."""
    return hospital_now(current_app.config["HMS_TIMEZONE"]).date()


@bp.get("/")
@reads_only
def index():
    """The doctor's dashboard: counts, one list or a patient search."""
    doctor = doctor_queue.doctor_of(current_user)
    form = QueueForm(formdata=request.args)
    if doctor is None:
        return render_template("doctor/index.html", doctor=None, form=form)
    if form.validate():
        try:
            board = doctor_queue.dashboard(
                db.session,
                doctor.id,
                today(),
                view=form.view.data,
                page=form.page.data or 1,
                query=form.q.data or "",
                phone_region=current_app.config["HMS_PHONE_REGION"],
            )
            return render_template("doctor/index.html", doctor=doctor, form=form, board=board)
        except doctor_queue.SearchError as exc:
            form.q.errors.append(str(exc))
    board = doctor_queue.dashboard(db.session, doctor.id, today())
    return render_template("doctor/index.html", doctor=doctor, form=form, board=board), 422


def render_visit(sheet, *, move_form=None, note_form=None, refusal=None, status=200):
    """The appointment page, with any rejected form and the reason for a refusal."""
    page = render_template(
        "doctor/appointment.html",
        sheet=sheet,
        move_form=move_form or MoveForm(formdata=None),
        note_form=note_form or VisitNoteForm(formdata=None, obj=sheet.note),
        refusal=refusal,
    )
    return page, status


@bp.get(f"/appointments/<{ID}:appointment_id>")
def appointment(appointment_id: int):
    """One of the doctor's appointments: patient, status moves and the visit note."""
    sheet = visits.open_visit(
        db.session, appointment_id, doctor_id=my_doctor().id, by=current_user, client_ip=client_ip()
    )
    return render_visit(sheet)


@bp.post(f"/appointments/<{ID}:appointment_id>/move")
def move(appointment_id: int):
    """Confirm, cancel or complete an appointment through the state machine."""
    doctor = my_doctor()
    form = MoveForm()
    if not form.validate_on_submit():
        sheet = visits.load_visit(db.session, appointment_id, doctor.id)
        return render_visit(sheet, move_form=form, status=error_status(form))
    try:
        appointments.move_appointment(
            db.session,
            appointment_id,
            form.status.data,
            by=current_user,
            doctor_id=doctor.id,
            reason=form.reason.data or "",
            client_ip=client_ip(),
        )
    except appointments.MoveRefused as exc:
        sheet = visits.load_visit(db.session, appointment_id, doctor.id)
        return render_visit(sheet, refusal=str(exc), status=409)
    flash(MOVED[form.status.data], "success")
    return redirect(form.next_url or url_for(".appointment", appointment_id=appointment_id), 303)


@bp.post(f"/appointments/<{ID}:appointment_id>/note")
def save_note(appointment_id: int):
    """Write or change the visit note of one of the doctor's appointments."""
    doctor = my_doctor()
    sheet = visits.load_visit(db.session, appointment_id, doctor.id)
    form = VisitNoteForm()
    if form.validate_on_submit():
        try:
            visits.save_visit_note(
                db.session,
                appointment_id,
                doctor_id=doctor.id,
                by=current_user,
                fields=form.fields(),
                client_ip=client_ip(),
            )
            flash("Visit note saved.", "success")
            return redirect(url_for(".appointment", appointment_id=appointment_id), 303)
        except visits.NoteError as exc:
            form[exc.field].errors.append(str(exc))
        except visits.NoteRefused as exc:
            return render_visit(sheet, note_form=form, refusal=str(exc), status=409)
    return render_visit(sheet, note_form=form, status=error_status(form))


@bp.get("/patients/<patient_number>")
def chart(patient_number: str):
    """The chart of a patient the doctor cares for; every opening is audited."""
    chart = charts.open_chart(
        db.session, patient_number, doctor=my_doctor(), by=current_user, client_ip=client_ip()
    )
    return render_template("doctor/chart.html", chart=chart)
