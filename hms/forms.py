"""Form helpers shared by every blueprint."""

import hashlib
import hmac
import logging
import os
import unicodedata
from functools import lru_cache

from flask import current_app, g, session
from flask_wtf import FlaskForm
from itsdangerous import BadData, SignatureExpired
from markupsafe import Markup, escape
from wtforms import widgets
from wtforms.validators import ValidationError

from hms.signing import Uncompressed


def error_status(form: FlaskForm) -> int:
    """The status for a rejected form: 400 for a missing or stale CSRF token, else 422."""
    return 400 if "csrf_token" in form.errors else 422


@lru_cache(maxsize=4)
def _csrf_tokens(secret_key) -> Uncompressed:
    """Flask-WTF's signer of CSRF tokens (its salt), without the try to compress them:
    Flask-WTF reads them as it reads its own."""
    return Uncompressed(secret_key, salt="wtf-csrf-token")


def _csrf_secret() -> str:
    """The key of CSRF tokens: WTF_CSRF_SECRET_KEY if set, else the app's secret key (as
    Flask-WTF falls back when the form's meta names none)."""
    return current_app.config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key


def signed_csrf_token() -> str:
    """This request's CSRF token, made and signed as Flask-WTF's generate_csrf makes them,
    which then gives this one for the rest of the request."""
    name = current_app.config["WTF_CSRF_FIELD_NAME"]
    if name not in g:
        if not isinstance(session.get(name), str):
            session[name] = hashlib.sha1(os.urandom(64)).hexdigest()  # as Flask-WTF does
        secret = _csrf_secret()
        setattr(g, name, _csrf_tokens(secret).dumps(session[name]))
    return getattr(g, name)


class SignedCsrf(FlaskForm.Meta.csrf_class):
    """Flask-WTF's CSRF protection of a form, its token made by signed_csrf_token()."""

    def generate_csrf_token(self, csrf_token_field) -> str:
        return signed_csrf_token()

    def validate_csrf_token(self, form, field) -> None:
        """Flask-WTF's check (flask_wtf.csrf.validate_csrf: its order, its messages, its
        log line), the token read by the signer that signed it, whose keys are derived once
        (Flask-WTF builds a signer for every check, a third of a status lookup's form)."""
        if g.get("csrf_valid", False):
            return  # already checked by CSRFProtect
        try:
            check_csrf_token(field.data, self.meta.csrf_secret, self.meta.csrf_time_limit)
        except ValidationError as exc:
            logging.getLogger("flask_wtf.csrf").info(exc.args[0])
            raise


def check_csrf_token(data, secret=None, time_limit: int | None = None) -> None:
    """Raise ValidationError, with Flask-WTF's message, unless `data` is this session's
    CSRF token, signed with `secret` (default: as signed_csrf_token signs) no more than
    `time_limit` seconds ago."""
    name = current_app.config["WTF_CSRF_FIELD_NAME"]
    if not data:
        raise ValidationError("The CSRF token is missing.")
    if name not in session:
        raise ValidationError("The CSRF session token is missing.")
    tokens = _csrf_tokens(secret or _csrf_secret())
    try:
        token = tokens.loads(data, max_age=time_limit)
    except SignatureExpired as exc:
        raise ValidationError("The CSRF token has expired.") from exc
    except BadData as exc:
        raise ValidationError("The CSRF token is invalid.") from exc
    if not hmac.compare_digest(session[name], token):
        raise ValidationError("The CSRF tokens do not match.")


class SignedForm(FlaskForm):
    """An HMS form: Flask-WTF's, its CSRF token (if it has one) made by signed_csrf_token()."""

    class Meta:
        csrf_class = SignedCsrf


def strip(value):
    """Filter: trim surrounding whitespace of text input."""
    return value.strip() if isinstance(value, str) else value


class PrintableText:
    """Refuse control characters (which no person types) in a text field."""

    def __init__(self, allow_newlines: bool = False):
        self.allow_newlines = allow_newlines

    def __call__(self, form, field):
        text = field.data or ""
        if text.isprintable():  # the usual case: no character of any Cc, Cs, Co or Cn
            return
        for char in text:
            if self.allow_newlines and char in "\r\n\t":
                continue
            if unicodedata.category(char) in {"Cc", "Cs", "Co", "Cn"}:
                raise ValidationError("Remove the special characters from this field.")


class PersonName:
    """A person's name: at least one letter, no control characters."""

    def __call__(self, form, field):
        PrintableText()(form, field)
        if not any(char.isalpha() for char in field.data or ""):
            raise ValidationError("Enter a name with letters.")


def attributes(**attrs) -> str:
    """HTML attributes as WTForms' html_params writes them (sorted, True bare, False left
    out), with plain string formatting instead of its much slower Markup.format."""
    parts = []
    for key, value in sorted(attrs.items()):
        key = widgets.core.clean_key(key)
        if value is True:
            parts.append(key)
        elif value is not False:
            parts.append(f'{key}="{escape(value)}"')
    return " ".join(parts)


def control(field, **attrs) -> Markup:
    """Draw a text-like input or a textarea as WTForms would, at a fraction of the cost
    (WTForms walks dir(field.flags) and formats each attribute through Markup.format,
    which made it most of the cost of a small form page). Other widgets are WTForms' own."""
    widget = field.widget
    if isinstance(widget, (widgets.CheckboxInput, widgets.RadioInput, widgets.FileInput)):
        return field(**attrs)
    if not isinstance(widget, (widgets.Input, widgets.TextArea)):
        return field(**attrs)
    attrs.setdefault("id", field.id)
    for name in getattr(widget, "validation_attrs", ("required", "disabled", "readonly")):
        value = getattr(field.flags, name, None)
        if name not in attrs and value not in (None, False):
            attrs[name] = value() if callable(value) else value
    if isinstance(widget, widgets.TextArea):
        params = attributes(name=field.name, **attrs)
        return Markup(f"<textarea {params}>\r\n{escape(field._value())}</textarea>")
    attrs.setdefault("type", widget.input_type)
    if "value" not in attrs:
        hidden = getattr(widget, "hide_value", False)
        attrs["value"] = "" if hidden else field._value()
    return Markup(f"<input {attributes(name=field.name, **attrs)}>")


def field(f, type=None, help=None, **attrs) -> Markup:
    """A labelled control with its help text and errors, both tied to it for screen readers
    (aria-describedby), the control marked invalid when the field has errors. Extra keyword
    arguments become the control's attributes."""
    described = []
    if help:
        described.append(f"{f.id}-help")
    if f.errors:
        described.append(f"{f.id}-error")
    options = {"class": "form-control is-invalid" if f.errors else "form-control"}
    if described:
        options["aria-describedby"] = " ".join(described)
    if f.errors:
        options["aria-invalid"] = "true"
    if type:
        options["type"] = type
    options.update(attrs)
    field_id = escape(f.id)
    parts = [
        '<div class="mb-3">',
        f'<label class="form-label" for="{field_id}">{escape(f.label.text)}</label>',
        control(f, **options),
    ]
    if help:
        parts.append(f'<div id="{field_id}-help" class="form-text">{escape(help)}</div>')
    if f.errors:
        parts.append(field_error(f))
    parts.append("</div>")
    return Markup("\n".join(parts))


def field_error(f) -> Markup:
    """The field's errors, for its control to point at (see invalid_attrs)."""
    if not f.errors:
        return Markup("")
    errors = escape(" ".join(f.errors))
    return Markup(f'<div id="{escape(f.id)}-error" class="invalid-feedback d-block">{errors}</div>')


def invalid_attrs(f) -> Markup:
    """For a control drawn by hand: marked invalid and tied to its field_error, if any."""
    if not f.errors:
        return Markup("")
    return Markup(f' aria-invalid="true" aria-describedby="{escape(f.id)}-error"')


EXPIRED_FORM = Markup(
    '<div class="alert alert-warning" role="alert">This form had expired. Your entries are'
    " kept: please check them and submit again.</div>"
)
FORM_HAS_ERRORS = Markup(
    '<div class="alert alert-danger" role="alert">Please correct the highlighted fields.</div>'
)


def form_errors(form) -> Markup:
    """The message above a rejected form: expired (a stale CSRF token) or fields to correct."""
    token = getattr(form, "csrf_token", None)
    if token is not None and token.errors:
        return EXPIRED_FORM
    return FORM_HAS_ERRORS if form.errors else Markup("")
