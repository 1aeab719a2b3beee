"""The front desk: dashboard, patient search, walk-in registration and admission."""

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import SelectChoice

from hms.auth.access import client_ip
from hms.database import reads_only
from hms.extensions import db
from hms.forms import error_status
from hms.models import Admission, Department, Doctor, Patient, User
from hms.register import bp
from hms.register.forms import AdmitForm, PatientForm
from hms.services import admissions, front_desk
from hms.services.audit import write_event
from hms.services.clock import hospital_now
from hms.services.patient_search import search_patients

MAX_ID = 2**31 - 1  # ids past the INTEGER column are unknown (404), not a database error
MAX_PAGE = 10_000


def page_arg(name: str = "page") -> int:
    """A page number from the query string, 1 if missing or silly."""
    return min(max(request.args.get(name, 1, type=int) or 1, 1), MAX_PAGE)


def get_or_404(model, record_id: int):
    """The record with this id, or a 404."""
    return (record_id <= MAX_ID and db.session.get(model, record_id)) or abort(404)


def today():
    """The hospital-local date (new patient IDs are based on it)."""
    return hospital_now(current_app.config["HMS_TIMEZONE"]).date()


def audit(action: str, record_type: str, record_id, patient_id: int | None, details: str = ""):
    """Write who looked at which patient record to the audit log, in its own transaction."""
    write_event(
        db.session,
        action,
        user=current_user,
        record_type=record_type,
        record_id=record_id,
        patient_id=patient_id,
        client_ip=client_ip(),
        details=details,
    )


@bp.get("/")
@reads_only
def index():
    """Beds, today's admissions and discharges, and the open bills of admitted patients."""
    zone = current_app.config["HMS_TIMEZONE"]
    department = request.args.get("department", type=int)
    department = department if department and department <= MAX_ID else None
    board = front_desk.dashboard(db.session, today(), zone, page_arg(), department)
    return render_template(
        "register/index.html",
        counts=board.counts,
        occupancy=board.occupancy,
        admitted_today=board.movements.admitted,
        discharged_today=board.movements.discharged,
        bills=board.bills,
        department=department and db.session.get(Department, department),
    )


@bp.get("/patients")
@reads_only
def patients():
    """Search patients by patient ID, phone or the start of the name."""
    query = request.args.get("q", "")
    result = search_patients(db.session, query, current_app.config["HMS_PHONE_REGION"], page_arg())
    if result.query:
        audit("patient_search", "patient", "", None, f"{result.query!r}: {len(result.patients)}")
    return render_template("register/search.html", result=result)


@bp.route("/patients/new", methods=["GET", "POST"])
def new_patient():
    """Register a walk-in patient: they get a patient ID like any other."""
    form = PatientForm()
    if request.method == "GET":
        return render_template("register/new_patient.html", form=form)
    if not form.validate_on_submit():
        return render_template("register/new_patient.html", form=form), error_status(form)
    patient, created = admissions.register_patient(
        db.session, form.new_patient(), day=today(), by=current_user, client_ip=client_ip()
    )
    if created:
        flash(f"Registered {patient.full_name}: patient ID {patient.patient_number}.", "success")
    else:
        flash(f"{patient.full_name} was registered already ({patient.patient_number}).", "info")
    return redirect(url_for(".patient", patient_id=patient.id), 303)


@bp.get("/patients/<int:patient_id>")
def patient(patient_id: int):
    """A patient's details and admissions, with the way to admit them."""
    found = get_or_404(Patient, patient_id)
    audit("patient_viewed", "patient", found.patient_number, found.id)
    stays = db.session.scalars(
        sa.select(Admission)
        .where(Admission.patient_id == patient_id)
        .order_by(Admission.admitted_at.desc())
        .limit(50)
    ).all()
    return render_template("register/patient.html", patient=found, stays=stays)


def fill_choices(form: AdmitForm) -> None:
    """Departments with their free beds; bookable doctors grouped by department."""
    form.department_id.choices = [SelectChoice("", "Choose…")] + [
        SelectChoice(row.department_id, f"{row.department} ({row.free} of {row.beds} beds free)")
        for row in front_desk.occupancy(db.session)
    ]
    doctors = db.session.scalars(
        sa.select(Doctor)
        .join(Doctor.user)
        .join(Doctor.department)
        .where(Doctor.is_bookable, User.is_active)
        .order_by(Department.name, User.full_name)
    ).all()
    form.doctor_id.choices = [
        SelectChoice(doctor.id, doctor.name, optgroup=doctor.department.name) for doctor in doctors
    ]


@bp.route("/admissions/new", methods=["GET", "POST"])
def admit():
    """Admit an existing patient (by ID) or a new one into a department with a free bed."""
    form = AdmitForm()
    fill_choices(form)
    if request.method == "GET":
        chosen = request.args.get("patient", type=int)
        if chosen:
            form.patient_number.data = get_or_404(Patient, chosen).patient_number
        return render_admit(form)
    if not form.validate_on_submit():
        return render_admit(form, error_status(form))
    try:
        admission = admissions.admit_patient(
            db.session,
            department_id=form.department_id.data,
            doctor_id=form.doctor_id.data,
            by=current_user,
            fee=current_app.config["HMS_ADMISSION_FEE"],
            patient_number=form.patient_number.data or None,
            new_patient=None if form.existing else form.new_patient(),
            day=today(),
            client_ip=client_ip(),
        )
    except admissions.AdmissionError as exc:
        getattr(form, exc.field, form.department_id).errors.append(str(exc))
        return render_admit(form, exc.status)
    flash(f"Admitted {admission.patient.full_name} to {admission.department.name}.", "success")
    return redirect(url_for(".admission", admission_id=admission.id), 303)


def render_admit(form: AdmitForm, status: int = 200):
    """The admission form, showing who the patient is when a patient ID is given."""
    patient = None
    if form.patient_number.data and not form.patient_number.errors:
        patient = db.session.scalar(
            sa.select(Patient).where(Patient.patient_number == form.patient_number.data)
        )
    return render_template("register/admit.html", form=form, patient=patient), status
