"""The staff login form."""

from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import InputRequired, Length


class LoginForm(FlaskForm):
    """Username and password."""

    username = StringField("Username", [InputRequired("Enter your username."), Length(max=64)])
    password = PasswordField("Password", [InputRequired("Enter your password."), Length(max=128)])
    next = HiddenField()
