"""Console views: one access rule shared by all of them."""

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import abort, current_app, flash, jsonify, redirect
from flask_admin import AdminIndexView, expose
from flask_admin.contrib.sqla import ModelView
from flask_admin.model import typefmt
from flask_login import current_user

from hms.admin.forms import ConsoleForm, StaffCreateForm, StaffEditForm
from hms.auth.access import client_ip, login_url
from hms.database import read_only, reads_only
from hms.extensions import db
from hms.services import accounts
from hms.services.clock import hospital_now, local_time
from hms.services.recent import Recent, in_a_thread
from hms.services.stats import dashboard_figures

STATS_EXTENSION = "hms_stats"


def init_stats(app) -> None:
    """Each process serves its last dashboard figures again for HMS_STATS_SECONDS: a few
    seconds' reuse lets many admins watch at once (each page polls every 30 seconds).
    After that, a thread reads the next figures while the requests are served the last
    ones: on a large database read from a slow disk, the figures can take seconds."""
    app.extensions[STATS_EXTENSION] = Recent(app.config["HMS_STATS_SECONDS"], behind=in_a_thread)


def read_figures(app, today, timezone: str) -> dict:
    """The dashboard's figures, read in an application context of their own (and so a
    session of their own): the request's thread or the refreshing thread may run this."""
    with app.app_context():
        read_only(db.session)
        return dashboard_figures(
            db.session, today, timezone, app.config["HMS_BOOKING_HORIZON_DAYS"]
        )


class AdminOnly:
    """Only signed-in admins may see a console page."""

    def is_accessible(self):
        return current_user.is_authenticated and current_user.role == "admin"

    def inaccessible_callback(self, name, **kwargs):
        if not current_user.is_authenticated:
            return redirect(login_url())
        abort(403)


def hospital_time(view, value: datetime, name: str) -> str:
    """A moment in the hospital's time zone (the console showed the stored UTC as it was:
    2026-11-27 09:00:00+00:00)."""
    return local_time(value, ZoneInfo(current_app.config["HMS_TIMEZONE"]))


class ConsoleView(AdminOnly, ModelView):
    """A console list: admins only, CSRF-protected forms, rows never deleted in bulk, times
    shown in hospital time (CSV exports keep the exact UTC moment)."""

    form_base_class = ConsoleForm
    column_type_formatters = {**typefmt.BASE_FORMATTERS, datetime: hospital_time}
    column_type_formatters_detail = {**typefmt.DETAIL_FORMATTERS, datetime: hospital_time}
    can_delete = False
    can_view_details = True
    # Bulk actions post ids that PostgreSQL will not compare with integer keys; rows are
    # deleted one at a time where deleting is allowed at all.
    action_disallowed_list = ["delete"]


class HomeView(AdminOnly, AdminIndexView):
    """The console's home page."""

    @expose("/")
    def index(self):
        return self.render("admin/home.html")

    @expose("/stats.json")
    @reads_only
    def stats(self):
        """The figures of the home page, refreshed by the page every 30 seconds."""
        timezone = current_app.config["HMS_TIMEZONE"]
        today = hospital_now(timezone).date()
        app = current_app._get_current_object()
        figures = app.extensions[STATS_EXTENSION].get(
            today, lambda: read_figures(app, today, timezone)
        )
        response = jsonify(figures)
        response.headers["Cache-Control"] = "no-store"
        return response


class StaffView(ConsoleView):
    """Staff accounts: create with a role, rename, reset password, deactivate; never delete."""

    column_list = ("username", "full_name", "role", "is_active", "created_at")
    column_details_list = ("username", "full_name", "role", "is_active", "created_at")
    column_searchable_list = ("username", "full_name")
    column_filters = ("role", "is_active")
    column_default_sort = "username"
    column_labels = {"is_active": "Active", "created_at": "Created"}

    def get_create_form(self):
        return StaffCreateForm

    def get_edit_form(self):
        return StaffEditForm

    def create_model(self, form):
        """Create the account through the accounts service (rules and audit in one place)."""
        try:
            return accounts.create_staff_user(
                db.session,
                username=form.username.data,
                role=form.role.data,
                password=form.password.data,
                full_name=form.full_name.data,
                department=form.department.data or None,
                by=current_user,
                client_ip=client_ip(),
            )
        except accounts.AccountError as exc:
            flash(str(exc), "error")
            return False

    def update_model(self, form, model):
        """Apply a rename, (de)activation and password reset, each audited."""
        try:
            if form.new_password.data:
                accounts.reset_password(
                    db.session,
                    model,
                    form.new_password.data,
                    by=current_user,
                    client_ip=client_ip(),
                )
            if form.is_active.data != model.is_active:
                accounts.set_active(
                    db.session, model, form.is_active.data, by=current_user, client_ip=client_ip()
                )
            if form.full_name.data.strip() != model.full_name:
                accounts.rename(
                    db.session, model, form.full_name.data, by=current_user, client_ip=client_ip()
                )
        except accounts.AccountError as exc:
            flash(str(exc), "error")
            return False
        return True
