"""The staff login form."""

from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import InputRequired, Length

from hms.forms import SignedForm


class LoginForm(SignedForm):
    """Username and password."""

    username = StringField("Username", [InputRequired("Enter your username."), Length(max=64)])
    password = PasswordField("Password", [InputRequired("Enter your password."), Length(max=128)])
    next = HiddenField()
