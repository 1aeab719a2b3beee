"""Console views over the hospital's records; every change and record view is audited."""

from datetime import date

from flask import current_app, flash, redirect, request, url_for
from flask_admin import expose
from flask_admin.contrib.sqla.filters import BaseSQLAFilter
from flask_login import current_user
from markupsafe import Markup, escape
from sqlalchemy.orm import joinedload
from wtforms import SelectChoice, SelectField
from wtforms.validators import Length, Optional, ValidationError

from hms.admin.views import ConsoleView
from hms.auth.access import client_ip
from hms.extensions import db
from hms.models import (
    Admission,
    Appointment,
    AuditEvent,
    Bill,
    CustomerQuery,
    Doctor,
    Patient,
    Payment,
)
from hms.services import appointments, patient_search
from hms.services.audit import record_event
from hms.services.booking import references_starting
from hms.services.departments import BedsBelowOccupancy, check_bed_count
from hms.services.stats import day_bounds

PATIENT_MODELS = (Patient, Appointment, Admission, Bill, Payment)


class OnLocalDay(BaseSQLAFilter):
    """Timestamps on one hospital-local day (YYYY-MM-DD); stored times are UTC."""

    def validate(self, value):
        try:
            date.fromisoformat(value.strip())
        except ValueError:
            return False
        return True

    def clean(self, value):
        return date.fromisoformat(value.strip())

    def apply(self, query, value, alias=None):
        start, end = day_bounds([value], current_app.config["HMS_TIMEZONE"])
        column = self.get_column(alias)
        return query.filter(column >= start, column < end)

    def operation(self):
        return "on day (YYYY-MM-DD)"


def patient_id_of(model) -> int | None:
    """The patient a record belongs to, for the audit log."""
    if isinstance(model, Patient):
        return model.id
    if isinstance(model, (Appointment, Admission)):
        return model.patient_id
    if isinstance(model, Bill):
        return model.admission.patient_id
    if isinstance(model, Payment):
        return model.bill.admission.patient_id
    return None


class AuditedView(ConsoleView):
    """A console list whose every change lands in the audit log."""

    page_size = 50
    export_max_rows = 100_000
    export_types = ["csv"]

    def audit(self, action: str, model) -> None:
        """Add an audit event for the model to the current transaction."""
        record_event(
            db.session,
            f"{self.endpoint}_{action}",
            user=current_user,
            record_type=type(model).__tablename__,
            record_id=getattr(model, "id", getattr(model, "name", "")),
            patient_id=patient_id_of(model),
            client_ip=client_ip(),
        )

    def on_model_change(self, form, model, is_created):
        db.session.flush()  # a new row needs its id for the log
        self.audit("created" if is_created else "updated", model)

    def get_one(self, id):
        """Opening a patient's record in the console is a view to audit."""
        model = super().get_one(id)
        if model is not None and isinstance(model, PATIENT_MODELS):
            self.audit("viewed", model)
            db.session.commit()
        return model


class IndexedSearch:
    """A console list searched by one condition an index answers, in place of Flask-Admin's
    ILIKE '%term%' on each searchable column: that reads every row of the table, about a
    second a search at 1,000,000 patients or 2,000,000 appointments."""

    search_hint = ""

    def search_condition(self, search: str):
        raise NotImplementedError

    def search_placeholder(self) -> str:
        return self.search_hint

    def _apply_search(self, query, count_query, joins, count_joins, search):
        condition = self.search_condition(search)
        if count_query is not None:
            count_query = count_query.filter(condition)
        return query.filter(condition), count_query, joins, count_joins


class ReadOnlyView(AuditedView):
    """Records that change only through their own workflow (money, admissions, the log)."""

    can_create = False
    can_edit = False


class DepartmentView(AuditedView):
    """Departments and their bed counts (never below current occupancy)."""

    column_list = ("name", "beds", "description")
    form_columns = ("name", "beds", "description")
    form_args = {"description": {"validators": [Optional(), Length(max=300)]}}
    column_searchable_list = ("name",)
    column_default_sort = "name"

    def on_model_change(self, form, model, is_created):
        try:
            check_bed_count(db.session, None if is_created else model.id, model.beds)
        except BedsBelowOccupancy as exc:
            raise ValidationError(str(exc)) from None
        super().on_model_change(form, model, is_created)


class DoctorView(AuditedView):
    """Doctor enrolment: department, title, slot length, bookable; accounts come from Staff."""

    can_create = False
    column_list = ("user.full_name", "department.name", "title", "slot_minutes", "is_bookable")
    column_labels = {
        "user.full_name": "Doctor",
        "department.name": "Department",
        "slot_minutes": "Slot (minutes, empty = hospital default)",
    }
    form_columns = ("department", "title", "slot_minutes", "is_bookable")
    form_args = {"title": {"validators": [Optional(), Length(max=100)]}}
    column_filters = ("department.name", "is_bookable")


class ScheduleView(AuditedView):
    """Weekly consulting hours, one block per row."""

    can_delete = True
    column_list = ("doctor.user.full_name", "weekday", "start_time", "end_time")
    column_labels = {"doctor.user.full_name": "Doctor"}
    column_formatters = {"weekday": lambda v, c, m, p: m.weekday_name}
    column_filters = ("doctor.user.full_name", "weekday")
    column_default_sort = ("doctor_id", False)
    form_columns = ("doctor", "weekday", "start_time", "end_time")
    form_args = {"weekday": {"label": "Weekday (0 = Monday … 6 = Sunday)"}}

    def on_model_change(self, form, model, is_created):
        if not 0 <= (model.weekday or 0) <= 6 or model.start_time >= model.end_time:
            raise ValidationError("Give a weekday 0-6 and a start before the end.")
        super().on_model_change(form, model, is_created)

    def on_model_delete(self, model):
        self.audit("deleted", model)


class PriceListView(AuditedView):
    """The price list doctors charge from; retire an item instead of deleting it."""

    column_list = ("code", "name", "unit_price", "is_active")
    form_columns = ("code", "name", "unit_price", "is_active")
    column_searchable_list = ("code", "name")
    column_filters = ("is_active",)
    column_default_sort = "code"

    def on_model_change(self, form, model, is_created):
        if model.unit_price is None or model.unit_price <= 0:
            raise ValidationError("The price must be more than zero.")
        super().on_model_change(form, model, is_created)


class PatientView(IndexedSearch, AuditedView):
    """Patients: search by ID, phone or name; demographics can be corrected here."""

    can_create = False
    can_export = True
    column_list = ("patient_number", "full_name", "phone", "gender", "date_of_birth", "created_at")
    column_labels = {"patient_number": "Patient ID"}
    column_searchable_list = ("patient_number", "phone", "name_key")
    search_hint = "Patient ID, phone or start of name"
    column_filters = (OnLocalDay(Patient.created_at, "Registered"), "gender")
    column_default_sort = ("id", True)
    form_columns = ("full_name", "email", "gender", "date_of_birth", "address")

    def search_condition(self, search: str):
        """As the front desk searches: the start of the name, or a whole ID or phone."""
        return patient_search.patient_condition(search, current_app.config["HMS_PHONE_REGION"])

    def on_model_change(self, form, model, is_created):
        from hms.services.patients import clean_name, fold_name

        model.full_name = clean_name(model.full_name)
        model.name_key = fold_name(model.full_name)
        super().on_model_change(form, model, is_created)


def _move_buttons(view, context, model, name):
    """Per-row POST forms for the status moves the state machine allows."""
    moves = sorted(appointments.ALLOWED_MOVES.get(model.status, ()))
    if not moves:
        return escape(model.status)
    token = view.csrf_token()
    buttons = "".join(
        f'<button class="btn btn-sm btn-outline-primary mr-1" name="status" value="{m}">'
        f"{escape(m)}</button>"
        for m in moves
    )
    return Markup(
        f'{escape(model.status)} <form method="post" class="d-inline" '
        f'action="{url_for(".move", id=model.id)}">'
        f'<input type="hidden" name="csrf_token" value="{token}">{buttons}</form>'
    )


class AppointmentView(IndexedSearch, ReadOnlyView):
    """Appointments; status moves go through the same state machine as the doctors'."""

    can_export = True
    column_list = (
        "reference",
        "patient.patient_number",
        "patient.full_name",
        "doctor.user.full_name",
        "scheduled_date",
        "scheduled_time",
        "status",
    )
    column_labels = {
        "patient.patient_number": "Patient ID",
        "patient.full_name": "Patient",
        "doctor.user.full_name": "Doctor",
        "scheduled_date": "Date",
        "scheduled_time": "Time",
    }
    column_searchable_list = ("reference",)
    search_hint = "Booking reference, or its start"
    column_filters = ("status", "scheduled_date", "doctor.user.full_name")
    column_default_sort = ("id", True)
    column_formatters = {"status": _move_buttons}

    def search_condition(self, search: str):
        return references_starting(search)

    def csrf_token(self) -> str:
        from flask_wtf.csrf import generate_csrf

        return generate_csrf()

    def get_query(self):
        # Load the related rows with the list: no query per row, and CSV export (streamed
        # after the request's session is gone) needs nothing lazy.
        return (
            super()
            .get_query()
            .options(
                joinedload(Appointment.patient),
                joinedload(Appointment.doctor).joinedload(Doctor.user),
            )
        )

    @expose("/move/<int:id>", methods=["POST"])
    def move(self, id):
        """Move one appointment's status (admin acting for the hospital)."""
        try:
            appointments.move_appointment(
                db.session,
                id,
                request.form.get("status", ""),
                by=current_user,
                doctor_id=None,
                client_ip=client_ip(),
            )
            flash("Status changed.", "success")
        except (appointments.MoveRefused, appointments.NotYourAppointment) as exc:
            flash(str(exc), "error")
        return redirect(url_for(".index_view"), 303)


class AdmissionView(ReadOnlyView):
    """Admissions (made and closed at the front desk)."""

    can_export = True
    column_list = (
        "patient.patient_number",
        "patient.full_name",
        "department.name",
        "doctor.user.full_name",
        "admitted_at",
        "discharged_at",
        "discharge_override",
    )
    column_labels = {
        "patient.patient_number": "Patient ID",
        "patient.full_name": "Patient",
        "department.name": "Department",
        "doctor.user.full_name": "Doctor",
    }

    def get_query(self):
        return (
            super()
            .get_query()
            .options(
                joinedload(Admission.patient),
                joinedload(Admission.department),
                joinedload(Admission.doctor).joinedload(Doctor.user),
            )
        )

    column_filters = (
        "department.name",
        OnLocalDay(Admission.admitted_at, "Admitted"),
        OnLocalDay(Admission.discharged_at, "Discharged"),
    )
    column_default_sort = ("id", True)


class BillView(ReadOnlyView):
    """Bills, read-only: money changes only through the register's flow."""

    column_list = ("id", "admission.patient.patient_number", "created_at", "frozen_at")
    column_labels = {"admission.patient.patient_number": "Patient ID", "id": "Bill"}
    column_formatters = {
        "id": lambda v, c, m, p: m.number,
        "frozen_at": lambda v, c, m, p: (
            Markup(
                f'{escape(m.frozen_at.strftime("%Y-%m-%d %H:%M"))} · <a href="'
                f'{url_for("register.final_bill", bill_id=m.id)}">final bill (PDF)</a>'
            )
            if m.frozen_at
            else "open"
        ),
    }
    column_default_sort = ("id", True)
    column_details_exclude_list = ("final_pdf",)


class PaymentView(ReadOnlyView):
    """Payments, read-only, with receipt numbers."""

    can_export = True
    column_list = (
        "receipt_number",
        "bill_id",
        "amount",
        "method",
        "reference",
        "taken_at",
        "taken_by.username",
    )
    column_labels = {"taken_by.username": "Taken by", "bill_id": "Bill"}
    column_filters = ("method", OnLocalDay(Payment.taken_at, "Taken"))
    column_default_sort = ("id", True)
    column_exclude_list = ("request_key",)

    def get_query(self):
        return super().get_query().options(joinedload(Payment.taken_by))


class QueryView(AuditedView):
    """Customer queries: answer with a note and resolve."""

    can_create = False
    column_list = ("created_at", "name", "email", "message", "status", "answer")
    column_filters = ("status", OnLocalDay(CustomerQuery.created_at, "Received"))
    column_searchable_list = ("name", "email")
    column_default_sort = ("id", True)
    form_columns = ("answer", "status")
    form_overrides = {"status": SelectField}
    form_widget_args = {"answer": {"rows": 4}}
    form_args = {
        "answer": {"validators": [Optional(), Length(max=5000)]},
        "status": {"choices": [SelectChoice("open", "Open"), SelectChoice("resolved", "Resolved")]},
    }

    def on_model_change(self, form, model, is_created):
        from hms.models.base import utcnow

        if model.status == "resolved" and model.resolved_at is None:
            model.resolved_at, model.resolved_by_id = utcnow(), current_user.id
        elif model.status == "open":
            model.resolved_at = model.resolved_by_id = None
        super().on_model_change(form, model, is_created)


class AuditLogView(ReadOnlyView):
    """The audit log: read-only for everyone, filterable."""

    can_view_details = False
    column_list = (
        "at",
        "username",
        "action",
        "record_type",
        "record_id",
        "patient_id",
        "client_ip",
        "details",
    )
    column_filters = (
        "username",
        "action",
        "patient_id",
        OnLocalDay(AuditEvent.at, "Date"),
        "record_type",
    )
    column_default_sort = ("id", True)
