"""The forms of "Measure customer data": the upload, the columns, the proposals."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..customerdata.profile import DEFAULT_WINDOW, WINDOW_MONTHS


class UploadForm(FlaskForm):
    files = MultipleFileField(_l("Files: a customer list and/or a transactions file "
                                 "(CSV, TXT or XLSX)"))
    unit = SelectField(_l("Money unit of the amounts"), default="",
                       choices=[SelectChoice("", _l("Not said")),
                                SelectChoice("rial", _l("Rial")),
                                SelectChoice("toman", _l("Toman"))])
    as_of = StringField(_l("As of (optional)"), validators=[Optional(), Length(max=20)])
    window_months = SelectField(
        _l("Activity window"), default=str(DEFAULT_WINDOW),
        choices=[SelectChoice(str(n), str(n))
                 for n in range(WINDOW_MONTHS[0], WINDOW_MONTHS[1] + 1)])


class ColumnsForm(FlaskForm):
    """One select a role (added by the view: the files' headers are its choices)."""


class ProposalsForm(FlaskForm):
    proposal = SelectMultipleField(_l("Proposed milestones"), choices=[],
                                   widget=ListWidget(prefix_label=False),
                                   option_widget=CheckboxInput(), validate_choice=False)
