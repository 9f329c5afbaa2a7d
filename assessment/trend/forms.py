"""Forms of the re-assessment and trend pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Length, Optional


class ReassessForm(FlaskForm):
    """A new assessment of the same client with the same questionnaire, models and targets."""

    title = StringField(_l("Title of the re-assessment"),
                        validators=[Optional(), Length(max=200)])
