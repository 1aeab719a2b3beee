"""The front desk's workspace: only signed-in registers get past the door."""

from flask import Blueprint

from hms.auth.access import require_role

bp = Blueprint("register", __name__, url_prefix="/register")
bp.before_request(require_role("register"))

from hms.register import routes  # noqa: E402, F401
