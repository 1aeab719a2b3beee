"""Forms of the public site."""

from datetime import datetime

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

from hms.forms import PersonName, PrintableText, SignedForm, strip
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


def name_field():
    """The patient's full name."""
    return StringField(
        "Full name",
        [
            InputRequired("Enter your full name."),
            Length(max=NAME_MAX),
            PersonName(),
            fits_patient_record,
        ],
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
