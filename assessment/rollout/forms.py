from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ..clients.forms import MultiCheckbox, choices

STATUS_LABELS = {
    "not_started": _l("Not started"),
    "in_progress": _l("In progress"),
    "blocked": _l("Blocked"),
    "done": _l("Done"),
}
ORIGIN_LABELS = {
    "checklist": _l("From the model's checklist"),
    "gap": _l("Closes a priority gap"),
    "team": _l("Added by the team"),
    "data": _l("Proposed by a measurement of the customer data"),
}


class ProposeForm(FlaskForm):
    model = SelectField(_l("Deployment model to follow"), validators=[DataRequired()])
    title = StringField(_l("Name of the custom roadmap"), validators=[Optional(), Length(max=200)])
    starts_on = StringField(_l("Start date"), validators=[DataRequired(), Length(max=20)])
    stage_days = IntegerField(_l("Days per stage"), default=30,
                              validators=[DataRequired(), NumberRange(min=1, max=365)])


class MilestoneForm(FlaskForm):
    title_en = TextAreaField(_l("Title in English"), validators=[Optional(), Length(max=500)],
                             render_kw={"dir": "ltr", "lang": "en", "rows": 2})
    title_fa = TextAreaField(_l("Title in Persian"), validators=[Optional(), Length(max=500)],
                             render_kw={"dir": "rtl", "lang": "fa", "rows": 2})
    stage = SelectField(_l("Stage"), validators=[DataRequired()])
    owner_id = SelectField(_l("Owner"), validators=[Optional()])
    start_on = StringField(_l("Start date"), validators=[Optional(), Length(max=20)])
    due_on = StringField(_l("Due date"), validators=[Optional(), Length(max=20)])
    status = SelectField(_l("Status"), choices=choices(list(STATUS_LABELS.items())),
                         validators=[DataRequired()])
    progress = IntegerField(_l("Progress (%)"), default=0, validators=[
        Optional(), NumberRange(min=0, max=100, message=_l(
            "Progress is a percentage from 0 to 100."))])
    depends_on = MultiCheckbox(_l("Waits for"), validators=[Optional()])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=5000)])


class StatusForm(FlaskForm):
    status = SelectField(_l("Status"), choices=choices(list(STATUS_LABELS.items())),
                         validators=[DataRequired()])
    progress = IntegerField(_l("Progress (%)"), validators=[Optional(), NumberRange(
        0, 100, message=_l("Progress is a percentage from 0 to 100."))])


class MyMilestoneForm(FlaskForm):
    """A team member's quick update of a milestone they own."""

    status = SelectField(_l("Status"), choices=choices(list(STATUS_LABELS.items())),
                         validators=[DataRequired()])
    progress = IntegerField(_l("Progress (%)"), validators=[Optional(), NumberRange(
        0, 100, message=_l("Progress is a percentage from 0 to 100."))])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=5000)])


class LinkForm(FlaskForm):
    url = StringField(_l("Web address"), validators=[DataRequired(), Length(max=2000)])
    label = StringField(_l("Label"), validators=[Optional(), Length(max=200)])


class FileForm(FlaskForm):
    file = FileField(_l("File"))
    label = StringField(_l("Label"), validators=[Optional(), Length(max=200)])


class MemberForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    email = StringField(_l("E-mail"), validators=[Optional(), Length(max=254)])
    role = StringField(_l("Role on the project"), validators=[Optional(), Length(max=120)])


class ConfirmForm(FlaskForm):
    """A bare form for POST buttons: CSRF only."""
