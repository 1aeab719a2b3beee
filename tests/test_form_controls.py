"""hms.forms.control draws every control exactly as WTForms does, only faster."""

import pytest
from flask_wtf import FlaskForm
from wtforms.validators import ValidationError

import hms.admin.forms
import hms.auth.forms
import hms.doctor.forms
import hms.public.forms
import hms.register.forms
from hms.doctor.forms import PriceListChargeForm
from hms.forms import (
    PrintableText,
    SignedForm,
    control,
    field,
    field_error,
    form_errors,
    invalid_attrs,
)

BASES = (FlaskForm, SignedForm)
MODULES = (hms.public.forms, hms.auth.forms, hms.doctor.forms, hms.register.forms, hms.admin.forms)
FORMS = sorted(
    {
        value
        for module in MODULES
        for value in vars(module).values()
        if isinstance(value, type) and issubclass(value, FlaskForm) and value not in BASES
    },
    key=lambda form: form.__qualname__,
)


@pytest.mark.parametrize("form_class", FORMS, ids=lambda form: form.__qualname__)
def test_each_control_is_drawn_as_wtforms_draws_it(app, form_class):
    attrs = {"class": "form-control is-invalid", "aria-describedby": "x-help", "maxlength": 7}
    submitted = {"name": 'Zoë "<b>"', "phone": "98765 43210", "reason": "a\nb <i>"}
    with app.test_request_context("/", method="POST", data=submitted):
        # The price-list form takes the price list; an empty one draws the same controls.
        form = form_class([]) if form_class is PriceListChargeForm else form_class()
        drawn = 0
        for field in form:
            for extra in ({}, attrs, {"type": "tel", "autocomplete": "tel"}):
                assert control(field, **extra) == field(**extra), (field.name, extra)
            drawn += 1
        assert drawn


def test_a_field_ties_its_label_help_and_errors_to_its_control(app):
    with app.test_request_context("/", method="POST", data={"name": "<b>Zoë</b>", "phone": ""}):
        form = hms.public.forms.StatusForm()
        form.validate()
        name, phone = form.name, form.phone
        phone.errors = [*phone.errors, "Use <digits>."]
        plain = str(field(name, help="As <on> your ID", maxlength=100))
        wrong = str(field(phone, type="tel"))
        alone = (str(field_error(name)), str(field_error(phone)))
        marks = (str(invalid_attrs(name)), str(invalid_attrs(phone)))
    assert '<label class="form-label" for="name">Full name</label>' in plain
    assert 'aria-describedby="name-help"' in plain and "aria-invalid" not in plain
    assert 'value="&lt;b&gt;Zoë&lt;/b&gt;"' in plain and 'maxlength="100"' in plain
    assert '<div id="name-help" class="form-text">As &lt;on&gt; your ID</div>' in plain
    assert 'class="form-control is-invalid"' in wrong and 'type="tel"' in wrong
    assert 'aria-describedby="phone-error"' in wrong and 'aria-invalid="true"' in wrong
    assert 'id="phone-error" class="invalid-feedback d-block">Enter your phone number.' in wrong
    assert "Use &lt;digits&gt;." in wrong and "<digits>" not in wrong
    assert alone[0] == "" and alone[1] in wrong  # the same errors for a control drawn by hand
    assert marks == ("", ' aria-invalid="true" aria-describedby="phone-error"')


def test_the_forms_message_tells_an_expired_form_from_fields_to_correct(app):
    with app.test_request_context("/", method="POST", data={"name": "Asha"}):
        expired, wrong = (
            hms.public.forms.StatusForm(),
            hms.public.forms.StatusForm(meta={"csrf": False}),
        )
        expired.validate(), wrong.validate()
        assert "This form had expired" in form_errors(expired)
        assert "Please correct the highlighted fields." in form_errors(wrong)
        assert form_errors(hms.public.forms.StatusForm(formdata=None)) == ""


@pytest.mark.parametrize("newlines", [False, True], ids=["one-line", "multi-line"])
def test_printable_text_refuses_exactly_the_control_characters(newlines):
    # One character of each kind around the shortcut for printable text: controls (Cc),
    # format characters (Cf, allowed), separators (Zs, Zl, Zp, allowed), surrogates (Cs),
    # private use (Co) and unassigned code points (Cn), and the newlines a textarea allows.
    refused = {"\x00", "\x07", "\x1b", "\x7f", "\x85", "\ud800", "\ue000", "\U000f0000", "\u0378"}
    refused |= set() if newlines else {"\r", "\n", "\t"}
    allowed = {"a", " ", "\u00a0", "\u200b", "\u2028", "\u2029", "\u3000", "\u00e9", "\u0915"}
    allowed |= {"\r", "\n", "\t"} if newlines else set()
    check = PrintableText(allow_newlines=newlines)
    for char in refused | allowed:
        field = type("Field", (), {"data": f"Asha{char}Verma"})()
        try:
            check(None, field)
        except ValidationError:
            assert char in refused, f"{char!r} was refused"
        else:
            assert char in allowed, f"{char!r} was let through"
