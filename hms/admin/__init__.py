"""The Flask-Admin console at /admin/, for the admin role only."""

from flask import Flask, g
from flask_admin import Admin
from flask_admin.theme import Bootstrap4Theme

from hms.extensions import db


def init_admin(app: Flask) -> Admin:
    """Build the console for this app; every view has an explicit endpoint."""
    from hms.admin.views import HomeView, StaffView
    from hms.models import User

    admin = Admin(
        app,
        name=app.config["HMS_HOSPITAL_NAME"],
        index_view=HomeView(name="Overview", endpoint="admin", url="/admin"),
        theme=Bootstrap4Theme(base_template="admin/hms_master.html", fluid=True),
        csp_nonce_generator=lambda: g.csp_nonce,
    )
    admin.add_view(StaffView(User, db, name="Staff", endpoint="admin_staff"))
    return admin
