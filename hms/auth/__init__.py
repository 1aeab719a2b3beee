"""Staff sign-in and sign-out, and the access rules every staff page relies on."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from hms.auth import routes  # noqa: E402, F401
