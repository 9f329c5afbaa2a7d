from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Length, Optional


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
