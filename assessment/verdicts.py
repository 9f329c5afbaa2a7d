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


# --- the board page's one line ---------------------------------------------------------


def board_verdict(model: ModelScore, catalog: Catalog, lang: str) -> str:
    """The board page's verdict in one line: whether the client can start the rollout by
    `model` and, unless it is ready, what stands in the way, named by its stages: those
    whose gates fail and the level they are at; or, with conditions, the stages not yet
    assessed and those below their targets."""
    readiness = model.readiness
    with force_locale(lang):
        name = catalog.models[model.model].name.get(lang)
        if readiness.verdict == READY:
            return str(_("Ready to start the rollout by %(model)s: every gate passes and the "
                         "stages its gates name are at or above their targets.", model=name))
        if readiness.verdict == NOT_READY:
            return str(_("Not ready to start the rollout by %(model)s: %(why)s.", model=name,
                         why=_short_of(readiness.reasons, catalog, lang)))
        if any(reason.code == "no_gates" for reason in readiness.reasons):
            return str(_("Ready with conditions for the rollout by %(model)s: it sets no "
                         "readiness gates, so its readiness cannot be confirmed.", model=name))
        return str(_("Ready with conditions for the rollout by %(model)s: %(why)s.",
                     model=name, why=_conditions(readiness.reasons, catalog, lang)))


def _stage_names(stages: list[str], catalog: Catalog, lang: str) -> str:
    return i18n.join_words([catalog.stage(s).name.get(lang) for s in stages], lang)


def _short_of(reasons: tuple[Reason, ...], catalog: Catalog, lang: str) -> str:
    """The stages whose gates fail, at the level they are at (each stage once)."""
    levels = {r.stage: r.level for r in reasons
              if r.code == "gate_fails" and r.stage and r.level is not None}
    stages = list(levels)
    level_names = {level: catalog.scale.level(level).name.get(lang)
                   for level in set(levels.values())}
    if len(level_names) == 1:
        return str(ngettext("%(stages)s is at the %(level)s level",
                            "%(stages)s are at the %(level)s level", len(stages),
                            stages=_stage_names(stages, catalog, lang),
                            level=next(iter(level_names.values()))))
    named = [str(_("%(stage)s (%(level)s)", stage=catalog.stage(s).name.get(lang),
                   level=level_names[level])) for s, level in levels.items()]
    return str(ngettext("%(stages)s is below the level its gates require",
                        "%(stages)s are below the levels its gates require", len(stages),
                        stages=i18n.join_words(named, lang)))


def _conditions(reasons: tuple[Reason, ...], catalog: Catalog, lang: str) -> str:
    """What a conditional verdict waits on: stages no gate can judge yet, stages below
    their targets (each stage once)."""
    unknown = list(dict.fromkeys(r.stage for r in reasons if r.code == "gate_unknown"
                                 and r.stage))
    below = list(dict.fromkeys(r.stage for r in reasons if r.code == "below_target"
                               and r.stage))
    clauses = []
    if unknown:
        clauses.append(str(ngettext("%(stages)s has not been assessed",
                                    "%(stages)s have not been assessed", len(unknown),
                                    stages=_stage_names(unknown, catalog, lang))))
    if below:
        clauses.append(str(ngettext("%(stages)s is below its target",
                                    "%(stages)s are below their targets", len(below),
                                    stages=_stage_names(below, catalog, lang))))
    return i18n.join_words(clauses, lang)


def board_basis(basis: str, models: int, lang: str) -> str:
    """Why the board page speaks of its model, when that matters: the model of the
    client's roadmap, or the nearest to ready of several; nothing for the only model."""
    with force_locale(lang):
        if basis == "roadmap":
            return str(_("This is the model of the client's roadmap."))
        if basis == "nearest":
            return str(ngettext("This is the nearest to ready of the %(count)s model this "
                                "report covers.",
                                "This is the nearest to ready of the %(count)s models this "
                                "report covers.", models, count=i18n.digits(models, lang)))
        return ""


def board_no_verdict(lang: str) -> str:
    """The board page's line when nothing has an answer with a level: no verdict."""
    with force_locale(lang):
        return str(_("No verdict yet: no question has an answer with a level, so there is "
                     "nothing to judge the readiness of any deployment model on."))
