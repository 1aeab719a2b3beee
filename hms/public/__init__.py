"""The public site: booking, status lookup, contact, doctor directory."""

from flask import Blueprint

bp = Blueprint("public", __name__)

from hms.public import routes  # noqa: E402, F401
