"""The scoring engine's verdicts in words: readiness per deployment model and the reasons
for it, and how sure the figures are (docs/scoring.md, rules 7 and 9).

The engine returns codes and figures; this module is the one place they become sentences,
in the language asked for, for the results page, the API and the reports alike.
"""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from . import i18n
from .catalog import Catalog
from .scoring import CONDITIONAL, NOT_READY, READY, Confidence, ModelScore, Reason, Verdict

VERDICTS = {
    READY: _l("Ready"),
    CONDITIONAL: _l("Ready with conditions"),
    NOT_READY: _l("Not ready"),
}
#: Bootstrap colours for a verdict badge
VERDICT_COLOURS = {READY: "success", CONDITIONAL: "warning", NOT_READY: "danger"}
CONFIDENCE = {
    "high": _l("High confidence"),
    "medium": _l("Medium confidence"),
    "low": _l("Low confidence"),
    "none": _l("No data yet"),
    "self_reported": _l("Self-reported"),
}


def verdict_label(verdict: Verdict) -> str:
    return str(VERDICTS[verdict])


def confidence_label(confidence: Confidence) -> str:
    return str(CONFIDENCE[confidence])


def reason_text(reason: Reason, model_id: str, catalog: Catalog, lang: str) -> str:
    """One reason for a model's verdict as a sentence."""
    def stage_name(stage_id: str | None) -> str:
        return catalog.stage(stage_id).name.get(lang) if stage_id else ""

    def level(value: int | None) -> str:
        return i18n.digits(value, lang)

    where = ""
    if reason.model_stage is not None:
        where = catalog.models[model_id].stage(reason.model_stage).name.get(lang)
    with force_locale(lang):  # the sentence in the language of the names, whoever asks
        return _sentence(reason, where, stage_name, level, lang)


def _sentence(reason: Reason, where: str, stage_name: Callable[[str | None], str],
              level: Callable[[int | None], str], lang: str) -> str:
    if reason.code == "gate_fails":
        return str(_("%(where)s: %(stage)s is at level %(level)s; this stage should not start "
                     "before it reaches level %(required)s.", where=where,
                     stage=stage_name(reason.stage), level=level(reason.level),
                     required=level(reason.required)))
    if reason.code == "gate_unknown":
        return str(_("%(where)s: %(stage)s has not been assessed, so the gate asking for "
                     "level %(required)s cannot be judged.", where=where,
                     stage=stage_name(reason.stage), required=level(reason.required)))
    if reason.code == "below_target":
        return str(_("%(stage)s is at level %(level)s, below its target of %(required)s.",
                     stage=stage_name(reason.stage), level=level(reason.level),
                     required=level(reason.required)))
    if reason.code == "gates_pass":
        return str(ngettext("Every gate passes, and %(stages)s is at or above its target.",
                            "Every gate passes, and %(stages)s are at or above their targets.",
                            len(reason.stages),
                            stages=i18n.join_words([stage_name(s) for s in reason.stages], lang)))
    return str(_("This model sets no readiness gates, so its readiness cannot be confirmed."))


def reasons_of(model: ModelScore, catalog: Catalog, lang: str) -> list[str]:
    return [reason_text(reason, model.model, catalog, lang) for reason in model.readiness.reasons]
