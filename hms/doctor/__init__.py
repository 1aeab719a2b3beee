"""The doctor's workspace: only signed-in doctors get past the door."""

from flask import Blueprint

from hms.auth.access import require_role

bp = Blueprint("doctor", __name__, url_prefix="/doctor")
bp.before_request(require_role("doctor"))

from hms.doctor import routes, wards  # noqa: E402, F401
