"""Forms of the doctor's workspace; limits come from the services that enforce them."""

from flask import current_app
from wtforms import (
    HiddenField,
    IntegerField,
    SearchField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    AnyOf,
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from hms.auth.access import safe_next
from hms.forms import PrintableText, SignedForm, strip
from hms.services import billing
from hms.services.appointments import ALLOWED_MOVES
from hms.services.doctor_queue import SEARCH_MAX, VIEWS
from hms.services.inpatients import PROGRESS_NOTE_MAX
from hms.services.visits import NOTE_FIELDS, clean_note_text
from hms.web import format_money

MOVE_TARGETS = sorted(set().union(*ALLOWED_MOVES.values()))
CANCEL_REASON_MAX = 300  # Appointment.cancel_reason


class QueueForm(SignedForm):
    """Which list of the dashboard to show, which page, or a patient search (a GET form)."""

    class Meta:
        csrf = False  # reads the query string; changes nothing

    view = SelectField(
        "List",
        choices=[SelectChoice(key, title) for key, title in VIEWS.items()],
        default="pending",
    )
    page = IntegerField("Page", [Optional(), NumberRange(1, 1_000_000)], default=1)
    q = SearchField(
        "Patient name, phone or patient ID",
        [Optional(), Length(max=SEARCH_MAX), PrintableText()],
        filters=[strip],
    )


class MoveForm(SignedForm):
    """Confirm, cancel (with an optional reason for the patient) or complete a visit."""

    status = HiddenField("New status", [InputRequired(), AnyOf(MOVE_TARGETS)])
    reason = StringField(
        "Reason for canceling (optional, shown to the patient)",
        [Optional(), Length(max=CANCEL_REASON_MAX), PrintableText()],
        filters=[strip],
    )
    next = HiddenField()

    @property
    def next_url(self) -> str | None:
        """Where to go after the move: a page of this site the form came from."""
        return safe_next(self.next.data)


def note_field(label: str, limit: int) -> TextAreaField:
    """A part of a clinical note, at most `limit` characters."""
    return TextAreaField(
        label,
        [Optional(), Length(max=limit), PrintableText(allow_newlines=True)],
        filters=[clean_note_text],
    )


class VisitNoteForm(SignedForm):
    """The visit note of an appointment."""

    complaint = note_field("Complaint", NOTE_FIELDS["complaint"])
    diagnosis = note_field("Diagnosis", NOTE_FIELDS["diagnosis"])
    prescription = note_field("Prescription", NOTE_FIELDS["prescription"])
    notes = note_field("Notes", NOTE_FIELDS["notes"])

    def fields(self) -> dict[str, str]:
        """The note's parts as the service takes them."""
        return {name: self[name].data for name in NOTE_FIELDS}


class ProgressNoteForm(SignedForm):
    """A progress note on an admission."""

    text = TextAreaField(
        "Progress note",
        [
            DataRequired("Write the note."),
            Length(max=PROGRESS_NOTE_MAX),
            PrintableText(allow_newlines=True),
        ],
        filters=[clean_note_text],
    )


class QuantityMixin:
    """A whole quantity, read by the billing service's own rule."""

    def validate_quantity(self, field):
        try:
            self.quantity_value = billing.parse_quantity(field.data)
        except billing.BillingError as exc:
            raise ValidationError(str(exc)) from None


class PriceListChargeForm(QuantityMixin, SignedForm):
    """Charge an item of the price list."""

    price_item_id = SelectField("Item", [InputRequired("Choose an item.")])
    quantity = StringField("Quantity", [InputRequired("Enter a quantity.")], default="1")

    def __init__(self, prices, **kwargs):
        super().__init__(prefix="list", **kwargs)
        currency = current_app.config["HMS_CURRENCY"]
        self.price_item_id.choices = [SelectChoice("", "Choose an item…")] + [
            SelectChoice(str(p.id), f"{p.name} — {format_money(p.unit_price, currency)}")
            for p in prices
        ]

    @property
    def price_item_value(self) -> int:
        """The chosen price-list entry's id."""
        return int(self.price_item_id.data)


class OtherChargeForm(QuantityMixin, SignedForm):
    """Charge something not on the price list: a description and a unit price."""

    description = StringField(
        "Description",
        [DataRequired("Describe the item."), Length(max=200), PrintableText()],
        filters=[strip],
    )
    unit_price = StringField("Unit price", [InputRequired("Enter the unit price.")])
    quantity = StringField("Quantity", [InputRequired("Enter a quantity.")], default="1")

    def __init__(self, **kwargs):
        super().__init__(prefix="other", **kwargs)

    def validate_unit_price(self, field):
        try:
            self.unit_price_value = billing.parse_amount(field.data, "unit_price")
        except billing.BillingError as exc:
            raise ValidationError(str(exc)) from None
