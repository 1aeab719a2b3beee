"""Form helpers shared by every blueprint."""

import unicodedata

from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import widgets
from wtforms.validators import ValidationError


def error_status(form: FlaskForm) -> int:
    """The status for a rejected form: 400 for a missing or stale CSRF token, else 422."""
    return 400 if "csrf_token" in form.errors else 422


def strip(value):
    """Filter: trim surrounding whitespace of text input."""
    return value.strip() if isinstance(value, str) else value


class PrintableText:
    """Refuse control characters (which no person types) in a text field."""

    def __init__(self, allow_newlines: bool = False):
        self.allow_newlines = allow_newlines

    def __call__(self, form, field):
        for char in field.data or "":
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
