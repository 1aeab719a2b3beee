"""Routes of the doctor's workspace."""

from flask import current_app, render_template
from flask_login import current_user

from hms.doctor import bp
from hms.extensions import db
from hms.services.dashboards import doctor_summary


@bp.get("/")
def index():
    """The doctor's dashboard."""
    summary = doctor_summary(db.session, current_user, current_app.config["HMS_TIMEZONE"])
    return render_template("doctor/index.html", summary=summary)
