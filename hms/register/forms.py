"""Forms of the front desk: walk-in registration, admission, payment, discharge."""

from datetime import date

from flask import current_app
from wtforms import (
    DateField,
    EmailField,
    HiddenField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    AnyOf,
    Email,
    InputRequired,
    Length,
    Optional,
    Regexp,
    StopValidation,
    ValidationError,
)

from hms.forms import PersonName, PrintableText, SignedForm, strip
from hms.models import PAYMENT_METHODS
from hms.public.forms import PhoneMixin, fits_patient_record
from hms.services.admissions import OVERRIDE_MAX, NewPatient
from hms.services.billing import BillingError, parse_amount
from hms.services.clock import hospital_now
from hms.services.documents import METHOD_NAMES

GENDERS = [("female", "Female"), ("male", "Male"), ("other", "Other")]
ADDRESS_MAX = 300


def one_line_address(value):
    """Filter: an address typed on several lines, kept as one line separated by commas."""
    if not isinstance(value, str):
        return value
    return ", ".join(" ".join(line.split()) for line in value.splitlines() if line.strip())


def optional_int(value):
    """Coerce a select's value to int; empty or garbage becomes None (then "choose one")."""
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


class Choice:
    """A select must hold one of its offered choices."""

    def __init__(self, message: str):
        self.message = message

    def __call__(self, form, field):
        offered = {choice.value for choice in field.choices or []}
        if field.data is None or field.data not in offered:
            raise StopValidation(self.message)


def choice_field(label: str, message: str) -> SelectField:
    """A select of database ids (choices filled in by the view)."""
    return SelectField(label, [Choice(message)], coerce=optional_int, validate_choice=False)


def not_in_future(form, field):
    """A date of birth is in the past and after 1900."""
    today = hospital_now(current_app.config["HMS_TIMEZONE"]).date()
    if field.data and not date(1900, 1, 1) <= field.data <= today:
        raise ValidationError("Enter a date of birth between 1900 and today.")


class PatientFields(PhoneMixin):
    """A patient's details as the front desk takes them."""

    name = StringField(
        "Full name",
        [
            InputRequired("Enter the patient's full name."),
            Length(max=100),
            PersonName(),
            fits_patient_record,
        ],
        filters=[strip],
    )
    phone = StringField("Phone number", [InputRequired("Enter a phone number.")], filters=[strip])
    gender = SelectField(
        "Gender",
        [InputRequired("Choose the gender."), AnyOf(dict(GENDERS), "Choose the gender.")],
        choices=[SelectChoice(value, label) for value, label in [("", "Choose…"), *GENDERS]],
        validate_choice=False,
    )
    date_of_birth = DateField(
        "Date of birth", [InputRequired("Enter the date of birth."), not_in_future]
    )
    address = TextAreaField(
        "Address",
        [
            InputRequired("Enter the address."),
            Length(max=ADDRESS_MAX),
            PrintableText(allow_newlines=True),
        ],
        filters=[strip, one_line_address],
    )
    email = EmailField(
        "Email (optional)",
        [Optional(), Length(max=254), Email("Enter a valid email address.")],
        filters=[strip],
    )

    def new_patient(self) -> NewPatient:
        """The validated details."""
        return NewPatient(
            name=self.name.data,
            phone=self.canonical_phone,
            gender=self.gender.data,
            date_of_birth=self.date_of_birth.data,
            address=self.address.data,
            email=self.email.data or None,
        )


class PatientForm(PatientFields, SignedForm):
    """Register a walk-in patient."""


NEW_PATIENT_FIELDS = ("name", "phone", "gender", "date_of_birth", "address", "email")


class AdmitForm(PatientFields, SignedForm):
    """Admit an existing patient (by patient ID) or a new one, into a department."""

    patient_number = StringField(
        "Patient ID",
        [Optional(), Regexp(r"^\d{11,12}$", message="A patient ID has 11 or 12 digits.")],
        filters=[strip],
    )
    department_id = choice_field("Department", "Choose a department.")
    doctor_id = choice_field("Attending doctor", "Choose an attending doctor.")

    def validate(self, extra_validators=None) -> bool:
        """Check the new patient's details only when no patient ID is given."""
        if self.patient_number.data:
            for name in NEW_PATIENT_FIELDS:  # ignored when the patient exists
                field = getattr(self, name)
                field.data, field.raw_data, field.validators = None, [], [Optional()]
        return super().validate(extra_validators)

    @property
    def existing(self) -> bool:
        """Admitting a patient who is registered already."""
        return bool(self.patient_number.data)


def amount_validator(form, field):
    """A positive amount with at most two decimals (the billing service's rule)."""
    try:
        form.amount_value = parse_amount(field.data)
    except BillingError as exc:
        raise ValidationError(str(exc)) from None


class PaymentForm(SignedForm):
    """Take a payment; `request_key` makes a double submit record it once."""

    amount = StringField("Amount", [InputRequired("Enter the amount."), amount_validator])
    method = SelectField(
        "Method",
        [InputRequired("Choose how the patient paid.")],
        choices=[
            SelectChoice("", "Choose…"),
            *(SelectChoice(m, METHOD_NAMES[m]) for m in PAYMENT_METHODS),
        ],
    )
    reference = StringField(
        "Reference (card slip, UPI or claim number)",
        [Optional(), Length(max=60), PrintableText()],
        filters=[strip],
    )
    request_key = HiddenField(
        validators=[
            InputRequired("Reload the page and try again."),
            Regexp(r"^[0-9a-f]{32}$", message="Reload the page and try again."),
        ]
    )
    amount_value = None


class DischargeForm(SignedForm):
    """Discharge; with a balance open, the reason for letting the patient go with it."""

    override_reason = TextAreaField(
        "Reason to discharge with a balance open (only if money is still due)",
        [Optional(), Length(max=OVERRIDE_MAX), PrintableText(allow_newlines=True)],
        filters=[strip],
    )
