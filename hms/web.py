"""Response headers and template helpers shared by every page."""

import secrets
from decimal import Decimal
from functools import lru_cache
from io import BytesIO
from urllib.parse import parse_qsl
from zoneinfo import ZoneInfo

from flask import Flask, current_app, g, has_request_context, request, url_for
from flask import Request as FlaskRequest
from flask.sessions import SecureCookieSessionInterface
from flask.templating import Environment
from markupsafe import Markup, escape
from werkzeug.exceptions import ClientDisconnected
from werkzeug.wsgi import get_content_length

from hms.forms import control, field, field_error, form_errors, invalid_attrs
from hms.services.clock import MOMENT_FORMAT, local_time
from hms.services.patients import display_phone
from hms.signing import Uncompressed

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}

URLENCODED = "application/x-www-form-urlencoded"


class Request(FlaskRequest):
    """Flask's request, reading the usual form body (URL-encoded, of a given length) in one
    step: Werkzeug's way there (a limited stream, a parser chosen for the type, the limits
    looked up in the config) took three times as long as the parsing it leads to.

    Anything else (another type, a charset or other parameter, a streamed body, a body
    over MAX_CONTENT_LENGTH, debug mode, a stream already touched) goes Werkzeug's way.
    What it reads is what Werkzeug reads, parsed by the same call; a body shorter than its
    length is a ClientDisconnected, and a body that does not decode is an empty form, as
    Werkzeug has them.
    """

    def _load_form_data(self) -> None:
        environ = self.environ
        length = get_content_length(environ)
        limit = self.max_content_length
        if (
            environ.get("CONTENT_TYPE") != URLENCODED
            or length is None
            or (limit is not None and length > limit)
            or self.__dict__.keys() & {"form", "stream", "_cached_data"}
            or current_app.debug
        ):
            super()._load_form_data()
            return
        body = environ["wsgi.input"].read(length) if length else b""
        if len(body) < length:
            raise ClientDisconnected()
        try:
            items = parse_qsl(body.decode(), keep_blank_values=True, errors="werkzeug.url_quote")
        except ValueError:
            items = []
        self.__dict__.update(
            stream=BytesIO(),
            form=self.parameter_storage_class(items),
            files=self.parameter_storage_class(),
        )


# Sent when session cookies are Secure (production, served over HTTPS).
HSTS = ("Strict-Transport-Security", "max-age=31536000")

CURRENCY_SIGNS = {"INR": "₹", "USD": "$", "EUR": "€", "GBP": "£"}


def format_money(amount: Decimal | int | str, currency: str) -> str:
    """Format an amount with the currency's sign and two decimals: ₹1,234.50."""
    sign = CURRENCY_SIGNS.get(currency, currency + " ")
    return f"{sign}{Decimal(amount):,.2f}"


BADGE_COLOURS = {
    "pending": "warning text-dark",
    "confirmed": "primary",
    "completed": "success",
    "canceled": "secondary",
}


def status_badge(status: str) -> Markup:
    """An appointment's status as a coloured badge."""
    colour = BADGE_COLOURS.get(status, "secondary")
    status = escape(status)
    return Markup(f'<span class="badge bg-{colour} status-{status}">{status}</span>')


def csp_nonce() -> str:
    """The response's nonce for inline scripts, made when a page first asks for one (only
    Flask-Admin's pages have inline scripts); the security headers then allow it."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


class SignedCookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the signer built once per key rather than twice
    a request (opening and saving the session), and signing without the try to compress the
    cookie (see Uncompressed): a session is a few short values."""

    def __init__(self):
        self._signers = {}

    def get_signing_serializer(self, app: Flask):
        keys = (app.secret_key, *(app.config["SECRET_KEY_FALLBACKS"] or ()))
        if keys not in self._signers:
            flasks = super().get_signing_serializer(app)
            self._signers[keys] = flasks and Uncompressed(
                flasks.secret_keys,
                salt=flasks.salt,
                serializer=flasks.serializer,
                signer_kwargs=flasks.signer_kwargs,
            )
        return self._signers[keys]


class SettledGlobals(Environment):
    """Flask's template environment, each template's globals kept in a plain dict.

    Jinja layers a template's globals over the environment's in a ChainMap, and copies the
    layers into a new dict (and a set of their names) on every render: for HMS's twenty
    globals, slower than drawing a small part such as a status lookup's result. HMS sets its
    globals while the app is built, before any template is loaded, as Jinja asks ("avoid
    modifying any globals after a template is loaded"), so each template takes them as they
    are when it is loaded, in one dict.
    """

    def make_globals(self, d):
        return {**self.globals, **(d or {})}


def cached_url_for(size: int = 8192):
    """url_for for the templates, each distinct link built once per process.

    A staff page carries dozens of links (one or two a row) and Werkzeug's builder made them
    a tenth to a sixth of the page's time. A relative URL depends only on the endpoint, its
    values, the blueprint a ".name" is relative to and the mount point (script_root), so it
    is kept under those. An absolute URL (_external, _scheme) depends on the request's host
    and goes to url_for each time, as does a value that cannot be a key.
    """

    @lru_cache(maxsize=size)
    def build(script_root: str, blueprint: str | None, endpoint: str, values: tuple) -> str:
        return url_for(endpoint, **dict(values))

    def cached(endpoint: str, **values) -> str:
        if "_external" in values or "_scheme" in values or not has_request_context():
            return url_for(endpoint, **values)
        blueprint = request.blueprint if endpoint.startswith(".") else None
        try:
            return build(request.script_root, blueprint, endpoint, tuple(values.items()))
        except TypeError:  # a value that cannot be a key (a list of query values, say)
            return url_for(endpoint, **values)

    return cached


def init_web(app: Flask) -> None:
    """Install the request class, the session cookies, the security headers and the
    template context."""
    app.request_class = Request
    app.session_interface = SignedCookieSessions()

    # (lower-case name, name, value) of each header every response gets unless it has its own.
    defaults = [(name.lower(), name, value) for name, value in SECURITY_HEADERS.items()]
    with_hsts = [*defaults, ("strict-transport-security", *HSTS)]

    @app.after_request
    def add_security_headers(response):
        headers = response.headers
        present = {name.lower() for name, _value in headers.items()}
        wanted = with_hsts if app.config.get("SESSION_COOKIE_SECURE") else defaults
        headers.extend([(name, value) for lower, name, value in wanted if lower not in present])
        if "csp_nonce" in g:
            # Flask-Admin's own pages carry a few small inline scripts, each with this nonce.
            headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.replace(
                "script-src 'self'", f"script-src 'self' 'nonce-{g.csp_nonce}'"
            )
        return response

    @app.context_processor
    def hospital_context():
        return {
            "hospital_name": app.config["HMS_HOSPITAL_NAME"],
            "hospital_address": app.config["HMS_HOSPITAL_ADDRESS"],
        }

    app.jinja_env.globals.update(
        control=control,
        field=field,
        field_error=field_error,
        form_errors=form_errors,
        invalid_attrs=invalid_attrs,
        status_badge=status_badge,
    )
    app.jinja_env.globals["url_for"] = cached_url_for()
    app.jinja_env.filters["money"] = lambda amount: format_money(amount, app.config["HMS_CURRENCY"])
    app.jinja_env.filters["phone"] = display_phone
    zone = ZoneInfo(app.config["HMS_TIMEZONE"])
    app.jinja_env.filters["local_time"] = lambda moment, fmt=MOMENT_FORMAT: local_time(
        moment, zone, fmt
    )
