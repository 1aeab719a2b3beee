"""Form helpers shared by every blueprint."""

import unicodedata

from flask_wtf import FlaskForm
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
