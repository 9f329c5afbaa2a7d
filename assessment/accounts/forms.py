from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from ..access import ROLE_NAMES


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    remember = BooleanField(_l("Keep me signed in"), default=False)
    next = HiddenField()


class WorkspaceForm(FlaskForm):
    """The consultancy's name and the brand its reports carry (checked by
    operations.save_workspace: the form only carries them)."""

    name = StringField(_l("Name of the consultancy"),
                       validators=[DataRequired(), Length(max=120)])
    brand_colour = StringField(_l("Brand colour"), validators=[Length(max=40)])
    confidentiality = StringField(_l("Confidentiality line"),
                                  validators=[Optional(), Length(max=200)])
    logo = FileField(_l("Logo (PNG or JPEG, at most 512 KiB)"),
                     validators=[FileAllowed(["png", "jpg", "jpeg"])])
    remove_logo = BooleanField(_l("Remove the logo"), default=False)


_NEW_PASSWORD = [DataRequired(), Length(min=8, max=200, message=_l(
    "Use at least 8 characters."))]


def _same_as(other: str) -> EqualTo:
    return EqualTo(other, message=_l("The two passwords differ."))


class AcceptForm(FlaskForm):
    name = StringField(_l("Your name"), validators=[Optional(), Length(max=120)])
    password = PasswordField(_l("Password"), validators=_NEW_PASSWORD)
    confirm = PasswordField(_l("Password again"), validators=[_same_as("password")])


class AcceptExistingForm(FlaskForm):
    """Accepting as the signed-in account the invitation was sent to, confirmed with its
    password."""
    password = PasswordField(_l("Your password"), validators=[DataRequired(), Length(max=200)])


class PasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=200)])
    password = PasswordField(_l("New password"), validators=_NEW_PASSWORD)
    confirm = PasswordField(_l("New password again"), validators=[_same_as("password")])


class ResetForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=_NEW_PASSWORD)
    confirm = PasswordField(_l("New password again"), validators=[_same_as("password")])


class ForgotForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])


class InviteForm(FlaskForm):
    #: may stay empty when a team member with an e-mail is chosen: theirs is used
    email = EmailField(_l("E-mail"), validators=[Optional(), Length(max=254)])
    name = StringField(_l("Name"), validators=[Optional(), Length(max=120)])
    role = SelectField(_l("Role"), choices=[])
    member = SelectField(_l("Team member"), choices=[], validate_choice=False)


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=[
        SelectChoice(role, ROLE_NAMES[role]) for role in ("owner", "consultant")])


def choices(pairs: list[tuple[str, str]]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]
