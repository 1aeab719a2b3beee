"""Forms of the admin console (Flask-WTF, so the site's CSRF protection covers them)."""

import sqlalchemy as sa
from wtforms import BooleanField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import InputRequired, Length, Optional, Regexp

from hms.extensions import db
from hms.forms import SignedForm
from hms.models import ROLES, Department


class ConsoleForm(SignedForm):
    """Base of every console form: the site's CSRF token, and the edited object kept where
    Flask-Admin's Unique validator looks for it."""

    def __init__(self, formdata=None, obj=None, prefix="", **kwargs):
        self._obj = obj
        super().__init__(formdata=formdata, obj=obj, prefix=prefix, **kwargs)


USERNAME_RULE = Regexp(
    r"^[a-zA-Z0-9._-]+$", message="Use letters, digits, dots, dashes or underscores."
)


def department_choices() -> list[SelectChoice]:
    """Departments a doctor can be enrolled in."""
    names = db.session.scalars(sa.select(Department.name).order_by(Department.name))
    return [SelectChoice("", "— not a doctor —")] + [SelectChoice(name, name) for name in names]


class StaffCreateForm(ConsoleForm):
    """A new staff account with its role and initial password."""

    username = StringField("Username", [InputRequired(), Length(max=64), USERNAME_RULE])
    full_name = StringField("Full name", [InputRequired(), Length(max=100)])
    role = SelectField("Role", choices=[SelectChoice(role, role.title()) for role in ROLES])
    department = SelectField("Department (doctors)", choices=[], validate_choice=True)
    password = PasswordField("Initial password", [InputRequired(), Length(max=128)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.department.choices = department_choices()


class StaffEditForm(ConsoleForm):
    """Rename, deactivate or reset the password of an account."""

    full_name = StringField("Full name", [InputRequired(), Length(max=100)])
    is_active = BooleanField("Active (may sign in)")
    new_password = PasswordField(
        "New password (leave empty to keep the current one)", [Optional(), Length(max=128)]
    )
