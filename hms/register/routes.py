"""Routes of the register's workspace."""

from flask import current_app, render_template

from hms.extensions import db
from hms.register import bp
from hms.services.dashboards import register_summary


@bp.get("/")
def index():
    """The register's dashboard."""
    summary = register_summary(db.session, current_app.config["HMS_TIMEZONE"])
    return render_template("register/index.html", summary=summary)
