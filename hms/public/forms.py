"""Forms of the public site."""

from datetime import datetime
from typing import NamedTuple

from flask import current_app
from wtforms import DateField, EmailField, IntegerField, StringField, TextAreaField
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    Optional,
    Regexp,
    ValidationError,
)

from hms.forms import PersonName, PrintableText, SignedForm, check_csrf_token, strip
from hms.services.booking import BookingRequest
from hms.services.patients import InvalidPhone, clean_name, fold_name, normalize_phone

NAME_MAX = 100
EMAIL_MAX = 254


class PhoneMixin:
    """A phone field checked and made canonical on the server."""

    canonical_phone: str | None = None

    def validate_phone(self, field):
        """Accept any common way of writing the number; keep its canonical form."""
        try:
            self.canonical_phone = normalize_phone(
                field.data, current_app.config["HMS_PHONE_REGION"]
            )
        except InvalidPhone as exc:
            raise ValidationError(str(exc)) from None


def fits_patient_record(form, field):
    """Refuse a name that outgrows its column once normalised ("ß" folds to "ss")."""
    if max(len(clean_name(field.data)), len(fold_name(field.data))) > NAME_MAX:
        raise ValidationError(f"Enter a name of at most {NAME_MAX} characters.")


# What a name must be beyond being given: short enough, a person's, fit for the record.
NAME_RULES = (Length(max=NAME_MAX), PersonName(), fits_patient_record)


def name_field():
    """The patient's full name."""
    return StringField(
        "Full name",
        [InputRequired("Enter your full name."), *NAME_RULES],
        filters=[strip],
    )


def phone_field():
    """A phone number in any common format."""
    return StringField(
        "Phone number",
        [InputRequired("Enter your phone number.")],  # length and format: validate_phone
        filters=[strip],
    )


def email_field():
    """An email address."""
    return EmailField(
        "Email",
        [
            InputRequired("Enter your email address."),
            Length(max=EMAIL_MAX),
            Email("Enter a valid email address."),
        ],
        filters=[strip],
    )


def doctor_id_in_range(form, field):
    """A doctor id fits the INTEGER column (NumberRange overflows on a 309-digit number)."""
    if field.data is None or not 1 <= field.data <= 2**31 - 1:
        raise ValidationError("Choose a doctor from the list.")


class BookingForm(PhoneMixin, SignedForm):
    """Book an appointment: who, with whom, when."""

    name = name_field()
    phone = phone_field()
    email = email_field()
    doctor_id = IntegerField("Doctor", [InputRequired("Choose a doctor."), doctor_id_in_range])
    date = DateField("Date", [InputRequired("Choose a date.")], format="%Y-%m-%d")
    time = StringField(
        "Time",
        [
            InputRequired("Choose a time."),
            Regexp(r"^([01]\d|2[0-3]):[0-5]\d$", message="Choose a time such as 09:30."),
        ],
        filters=[strip],
    )
    reason = TextAreaField(
        "Reason for visit (optional)",
        [Optional(), Length(max=500), PrintableText(allow_newlines=True)],
        filters=[strip],
    )

    def to_request(self) -> BookingRequest:
        """The validated form as a booking request."""
        return BookingRequest(
            name=self.name.data,
            phone=self.canonical_phone,
            email=self.email.data,
            doctor_id=self.doctor_id.data,
            day=self.date.data,
            time=datetime.strptime(self.time.data, "%H:%M").time(),
            reason=self.reason.data or "",
        )


class StatusForm(PhoneMixin, SignedForm):
    """Look up one's bookings by name and phone."""

    name = name_field()
    phone = phone_field()

    @staticmethod
    def passing_entries(formdata) -> "LookupEntries | None":
        """The lookup's entries if every one passes the form's rules, read without building
        the form; None whenever anything is amiss, for the form to find and say what.

        The public site's busiest form: binding and validating it through WTForms took an
        eighth of a status lookup's worker time under load (1,224 against 1,062 µs on
        PostgreSQL). Here the fields' rules are applied by the same functions
        (check_csrf_token, NAME_RULES, normalize_phone) to the entries alone;
        tests/test_status_entries.py holds both ways to the same answers.
        """
        config = current_app.config
        if config["WTF_CSRF_ENABLED"]:
            try:
                check_csrf_token(
                    formdata.get(config["WTF_CSRF_FIELD_NAME"]),
                    time_limit=config["WTF_CSRF_TIME_LIMIT"],
                )
            except ValidationError:
                return None
        name, phone = formdata.get("name"), formdata.get("phone")
        if not (name and phone):  # InputRequired: each was sent and not empty
            return None
        entries = LookupEntries(strip(name), strip(phone), "")
        typed = _Typed(entries.name)
        try:
            for rule in NAME_RULES:
                rule(None, typed)
            canonical = normalize_phone(entries.phone, config["HMS_PHONE_REGION"])
        except (ValidationError, InvalidPhone):
            return None
        return entries._replace(canonical_phone=canonical)

    def entries(self) -> "LookupEntries":
        """The validated form's entries."""
        return LookupEntries(self.name.data, self.phone.data, self.canonical_phone)


class LookupEntries(NamedTuple):
    """A status lookup's entries as typed (trimmed), and the phone in canonical form."""

    name: str
    phone: str
    canonical_phone: str


class _Typed:
    """What a field validator reads of a field: its data (and, to word a refusal, gettext)."""

    def __init__(self, data: str):
        self.data = data

    @staticmethod
    def gettext(string: str) -> str:
        return string

    @staticmethod
    def ngettext(singular: str, plural: str, n: int) -> str:
        return singular if n == 1 else plural


class ContactForm(SignedForm):
    """Send the hospital a message."""

    name = StringField(
        "Your name",
        [InputRequired("Enter your name."), Length(max=NAME_MAX), PersonName()],
        filters=[strip],
    )
    email = email_field()
    message = TextAreaField(
        "Message",
        [DataRequired("Write your message."), Length(max=2000), PrintableText(allow_newlines=True)],
        filters=[strip],
    )
