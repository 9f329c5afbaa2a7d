from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField
from wtforms import (
    BooleanField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from ..answers import LEVEL_VALUES
from ..schema import CANONICAL_STAGE_IDS


class ClientForm(FlaskForm):
    name = StringField(_l("Organisation name"), validators=[DataRequired(), Length(max=200)])
    sector = StringField(_l("Sector"), validators=[Optional(), Length(max=120)])
    size = SelectField(_l("Size"), choices=[
        SelectChoice("", "—"), SelectChoice("1-49", _l("1-49 people")),
        SelectChoice("50-249", _l("50-249 people")), SelectChoice("250-999", _l("250-999 people")),
        SelectChoice("1000+", _l("1,000 people or more")),
    ], validators=[Optional()])
    country = StringField(_l("Country"), validators=[Optional(), Length(max=80)])
    contact = StringField(_l("Contact person"), validators=[Optional(), Length(max=200)])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=5000)])
    logo = FileField(_l("Logo (PNG or JPEG, at most 512 KiB)"),
                     validators=[FileAllowed(["png", "jpg", "jpeg"])])


class MultiCheckbox(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


LEVEL_CHOICES = [SelectChoice(value, value) for value in LEVEL_VALUES]


def choices(pairs: list[tuple[str, str]]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


class AssessmentForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    questionnaire = SelectField(_l("Questionnaire"), validators=[DataRequired()])
    models = MultiCheckbox(_l("Deployment models to report against"))
    due_on = StringField(_l("Due date"), validators=[Optional(), Length(max=20)])


def add_target_fields(form_class: type[FlaskForm]) -> type[FlaskForm]:
    for stage in CANONICAL_STAGE_IDS:
        setattr(form_class, f"target_{stage}",
                SelectField(stage, choices=LEVEL_CHOICES, default="3",
                            validators=[DataRequired()]))
    return form_class


add_target_fields(AssessmentForm)


class ShareForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    confirm = BooleanField(default=True)


class LinkDayForm(FlaskForm):
    """The last day an executive's link works, in the calendar of the page's language."""

    last_day = StringField(_l("Works until"), validators=[DataRequired(), Length(max=20)])


class ActionForm(FlaskForm):
    """A button that changes something: only its form token."""
