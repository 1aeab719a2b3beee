"""The front desk's workspace: only signed-in registers get past the door.

Admins may also download final bills (SPEC: "registers and admins"); that one endpoint
lets them through.
"""

from flask import Blueprint, request
from flask_login import current_user

from hms.auth.access import require_role

bp = Blueprint("register", __name__, url_prefix="/register")
ADMINS_TOO = {"register.final_bill"}
_registers_only = require_role("register")


@bp.before_request
def check_role():
    """Registers everywhere here; admins only on ADMINS_TOO."""
    is_admin = current_user.is_authenticated and current_user.role == "admin"
    if is_admin and request.endpoint in ADMINS_TOO:
        return None
    return _registers_only()


from hms.register import cashier, routes  # noqa: E402, F401
