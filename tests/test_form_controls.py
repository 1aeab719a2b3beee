"""hms.forms.control draws every control exactly as WTForms does, only faster."""

import pytest
from flask_wtf import FlaskForm

import hms.admin.forms
import hms.auth.forms
import hms.doctor.forms
import hms.public.forms
import hms.register.forms
from hms.doctor.forms import PriceListChargeForm
from hms.forms import control

MODULES = (hms.public.forms, hms.auth.forms, hms.doctor.forms, hms.register.forms, hms.admin.forms)
FORMS = sorted(
    {
        value
        for module in MODULES
        for value in vars(module).values()
        if isinstance(value, type) and issubclass(value, FlaskForm) and value is not FlaskForm
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
