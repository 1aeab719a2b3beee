"""The Flask-Admin console at /admin/, for the admin role only."""

from flask import Flask
from flask_admin import Admin
from flask_admin.theme import Bootstrap4Theme

from hms.extensions import db
from hms.web import csp_nonce


def init_admin(app: Flask) -> Admin:
    """Build the console for this app; every view has an explicit endpoint."""
    from hms import models
    from hms.admin import records
    from hms.admin.views import HomeView, StaffView, init_stats
    from hms.models import User

    init_stats(app)

    admin = Admin(
        app,
        name=app.config["HMS_HOSPITAL_NAME"],
        index_view=HomeView(name="Overview", endpoint="admin", url="/admin"),
        theme=Bootstrap4Theme(base_template="admin/hms_master.html", fluid=True),
        csp_nonce_generator=csp_nonce,
    )
    admin.add_view(StaffView(User, db, name="Staff", endpoint="admin_staff"))
    for view, model, name, endpoint, category in [
        (records.DepartmentView, models.Department, "Departments", "admin_departments", "Hospital"),
        (records.DoctorView, models.Doctor, "Doctors", "admin_doctors", "Hospital"),
        (records.ScheduleView, models.ScheduleBlock, "Schedules", "admin_schedules", "Hospital"),
        (records.PriceListView, models.PriceItem, "Price list", "admin_prices", "Hospital"),
        (records.PatientView, models.Patient, "Patients", "admin_patients", "Records"),
        (
            records.AppointmentView,
            models.Appointment,
            "Appointments",
            "admin_appointments",
            "Records",
        ),
        (records.AdmissionView, models.Admission, "Admissions", "admin_admissions", "Records"),
        (records.BillView, models.Bill, "Bills", "admin_bills", "Money"),
        (records.PaymentView, models.Payment, "Payments", "admin_payments", "Money"),
        (records.QueryView, models.CustomerQuery, "Customer queries", "admin_queries", None),
        (records.AuditLogView, models.AuditEvent, "Audit log", "admin_audit", None),
    ]:
        admin.add_view(view(model, db, name=name, endpoint=endpoint, category=category))
    return admin
