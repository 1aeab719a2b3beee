"""Error pages: friendly HTML for people, JSON for the API; never a stack trace."""

from flask import Flask, jsonify, make_response, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from hms.extensions import db

MESSAGES = {
    400: "The request could not be understood. Please go back and try again.",
    403: "You do not have access to this page.",
    404: "We could not find that page.",
    405: "That action is not allowed here.",
    413: "What you sent is too large.",
    422: "Some of what you entered needs another look.",
    429: "Too many attempts. Please wait a minute and try again.",
    500: "Something went wrong on our side. Nothing was saved; please try again.",
    503: "The service is briefly unavailable. Please try again shortly.",
}


def wants_json() -> bool:
    """API clients get JSON errors."""
    return request.path.startswith("/api/") or request.path == "/healthz"


def render_error(code: int, message: str | None = None):
    """Render the error page (or JSON) for an HTTP status code as a response."""
    message = message or MESSAGES.get(code, "Something went wrong.")
    if wants_json():
        return make_response(jsonify(error=message), code)
    return make_response(render_template("errors/error.html", code=code, message=message), code)


def init_errors(app: Flask) -> None:
    """Register the error handlers."""

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(400, "This form has expired. Please reload the page and try again.")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        response = render_error(error.code or 500)
        if error.code == 405 and getattr(error, "valid_methods", None):
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response

    @app.errorhandler(InternalServerError)
    def server_error(error):
        db.session.rollback()
        return render_error(500)
