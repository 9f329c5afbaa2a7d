"""The readiness report's roadmap page, the one a board approves (`reports/_roadmap.html`).

When the client has a rollout roadmap (`results.planned_roadmap`, the one whose model
heads the summary): its stages in the model's order (a custom roadmap's: the six canonical
stages), each with its dates, owners, status and milestones as of the day the report is
made. Otherwise a proposal without dates: the headline model's stages, each with its
checklist items and the assessment's gaps on questions that inform it. Either way it ends
with lines for the board to sign.

A stage's status, from its milestones (`phase_status`): done when every one is done;
blocked when any is blocked; in progress when any is in progress or done; not started
otherwise (and when it has none). Overdue counts the milestones not done whose due date
is before the day of the report; it is shown beside the status, not instead of it.

A large roadmap stays within about two pages: each stage lists at most PHASE_CAP
milestones (open ones first, by due date), fewer when two pages would not hold them
(the status report's row fitting: `status.row_limits`, `status.pages_needed`), and says
how many more it has.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import date
from typing import Literal

from ..catalog import Catalog
from ..results import PriorityRow, advice_rows, headline_model, planned_roadmap
from ..rollout.operations import roadmap_stages, stage_progress
from ..schema import Questionnaire
from ..scoring import AssessmentScore
from ..tables import CUSTOM_MODEL, Assessment, Milestone, Roadmap
from .render import shorten
from .status import (
    OWNER_CHARS,
    TITLE_CHARS,
    line_mm,
    pages_needed,
    row_limits,
    text_mm,
)

#: milestones listed per stage at most, and gaps per stage of a proposal (the largest first)
PHASE_CAP = 6
GAPS_CAP = 3
#: owners named per stage before "and N more"
OWNERS_SHOWN = 3
#: the pages the roadmap (or proposal) fits, approval lines included
PAGES = 2
#: the report's page body (reports/report.css: A4 less the @page margins), in mm, less
#: room for what the estimate misses
PAGE_MM = 297 - 20 - 18 - 8
BODY_MM = 210 - 17 - 17
#: text widths of the tables' columns (report.css: table.milestones and table.phases col.c-*)
OWNER_MM = 38 - 2
TITLE_MM = BODY_MM - 38 - 27 - 24 - 2
STAGE_MM = 42 - 2
STATUS_MM = 40 - 2
OWNERS_MM = BODY_MM - 42 - 54 - 40 - 2

PhaseStatus = Literal["done", "in_progress", "blocked", "not_started"]


@dataclass(frozen=True)
class MilestoneLine:
    title: str  #: in the report's language (the other one when it has none)
    owner: str  #: the team member's name, "" when nobody owns it
    due_on: date | None
    status: str  #: a milestone status (tables.MILESTONE_STATUSES)
    overdue: bool


@dataclass(frozen=True)
class Phase:
    """A stage of the client's roadmap as the board reads it."""

    number: int
    name: str
    starts_on: date | None  #: the earliest start of its milestones
    due_on: date | None  #: the latest due date of its milestones
    owners: list[str]  #: who owns most of its milestones first, at most OWNERS_SHOWN
    more_owners: int
    status: PhaseStatus
    total: int
    done: int
    blocked: int
    overdue: int
    milestones: list[MilestoneLine]
    more: int  #: milestones not listed


@dataclass(frozen=True)
class ProposedStage:
    """A stage of the headline model, undated: its checklist and the gaps it should close."""

    number: int
    name: str
    checklist: list[str]
    gaps: list[PriorityRow]
    more_gaps: int


@dataclass(frozen=True)
class ApprovalPage:
    kind: Literal["roadmap", "proposal"]
    model_name: str  #: the model's name; a custom roadmap's own title (user text)
    custom: bool
    accepted: bool  #: the team accepted the roadmap (False: still a proposal in the app)
    basis: str  #: why this model (results.headline_model): roadmap, only or nearest
    today: date
    phases: list[Phase]
    stages: list[ProposedStage]
    milestones: int
    done: int
    overdue: int
    blocked: int


def phase_status(milestones: list[Milestone]) -> PhaseStatus:
    """A stage's status in one word, from its milestones (see the module's docstring)."""
    statuses = {m.status for m in milestones}
    if statuses == {"done"}:
        return "done"
    if "blocked" in statuses:
        return "blocked"
    if statuses & {"in_progress", "done"}:
        return "in_progress"
    return "not_started"


def _board_order(milestone: Milestone) -> tuple[bool, date, int, int]:
    """Open milestones before done ones, each by due date, then the roadmap's order."""
    return (milestone.status == "done", milestone.due_on or date.max, milestone.position,
            milestone.id or 0)


def _line_of(milestone: Milestone, lang: str, today: date) -> MilestoneLine:
    owner = milestone.owner
    return MilestoneLine(shorten(milestone.title(lang), TITLE_CHARS),
                         shorten(owner.name, OWNER_CHARS) if owner is not None else "",
                         milestone.due_on, milestone.status, milestone.overdue(today))


def _owners(milestones: list[Milestone]) -> list[str]:
    """The team members owning these milestones, who owns most first (then first met)."""
    counts = Counter(shorten(m.owner.name, OWNER_CHARS) for m in milestones
                     if m.owner is not None)
    return [name for name, _count in counts.most_common()]


# --- about two pages ----------------------------------------------------------------------
# Heights in mm from report.css, erring on the long side like the status report's estimate.


def _milestone_mm(line: MilestoneLine) -> float:
    title = text_mm(line.title, TITLE_MM, 8, 1.3)
    owner = text_mm(line.owner or " " * 10, OWNER_MM, 8, 1.3)
    return max(title, owner, line_mm(8, 1.3) * (1 + line.overdue)) + 1.6


def _phase_blocks(phase: Phase, shown: list[MilestoneLine], more: int) -> list[float]:
    """A stage's heading kept with its table's head and first row, then its rows."""
    head = 4.5 + text_mm(phase.name, BODY_MM, 10.5, 1.3) + (6.0 if shown else 0)
    rows = [_milestone_mm(line) for line in shown]
    return [head + (rows[0] if rows else 0), *rows[1:], line_mm(8) * bool(more)]


def _overview_mm(phase: Phase) -> float:
    """A stage's row in the table of stages: its name, owners and status may wrap."""
    status = " " * (22 + 12 * bool(phase.overdue))
    owners = " ".join(phase.owners) + " " * 12 * bool(phase.more_owners)
    return max(text_mm(f"{phase.number}. {phase.name}", STAGE_MM, 8, 1.3),
               text_mm(owners or " " * 10, OWNERS_MM, 8, 1.3),
               text_mm(status, STATUS_MM, 8, 1.3)) + 1.6


def _frame_blocks(phases: list[Phase]) -> tuple[list[float], list[float]]:
    """The blocks before the stages (heading, lead, table of stages) and after (signing)."""
    before = [9 + 14 + 2 * line_mm(9.5) + 2 * line_mm(8.5) + 3,
              7.0 + sum(_overview_mm(phase) for phase in phases)]
    after = [5 + 10 + line_mm(9) + 2 + 6 + 3 * 11.6]
    return before, after


def fit_phases(phases: list[Phase], lines: list[list[MilestoneLine]],
               pages: int = PAGES) -> list[int]:
    """How many milestones each stage lists: at most PHASE_CAP, fewer (from the longest
    list first) until the page, approval lines included, takes at most `pages` pages."""
    before, after = _frame_blocks(phases)
    lengths = [len(items) for items in lines]
    limits = row_limits(lengths, sum(min(n, PHASE_CAP) for n in lengths), PHASE_CAP)
    for budget in range(sum(limits), -1, -1):
        limits = row_limits(lengths, budget, PHASE_CAP)
        middle = [height for phase, items, limit in zip(phases, lines, limits, strict=True)
                  for height in _phase_blocks(phase, items[:limit], len(items) - limit)]
        if pages_needed(before + middle + after, PAGE_MM) <= pages:
            break
    return limits


# --- the page -----------------------------------------------------------------------------


def _roadmap_page(catalog: Catalog, roadmap: Roadmap, lang: str, today: date,
                  basis: str) -> ApprovalPage:
    stages = roadmap_stages(catalog, roadmap)
    milestones = list(roadmap.milestones)
    progress = stage_progress(stages, milestones, today)
    grouped: dict[str, list[Milestone]] = {stage.id: [] for stage in stages}
    for milestone in milestones:
        grouped.get(milestone.stage, []).append(milestone)
    lines = [[_line_of(m, lang, today) for m in sorted(grouped[stage.id], key=_board_order)]
             for stage in stages]
    phases = []
    for number, (stage, figures) in enumerate(zip(stages, progress, strict=True), start=1):
        owners = _owners(grouped[stage.id])
        phases.append(Phase(number, stage.name.get(lang), figures.starts_on, figures.due_on,
                            owners[:OWNERS_SHOWN], max(0, len(owners) - OWNERS_SHOWN),
                            phase_status(grouped[stage.id]), figures.milestones, figures.done,
                            figures.blocked, figures.overdue, [], 0))
    limits = fit_phases(phases, lines)
    phases = [replace(phase, milestones=items[:limit], more=len(items) - limit)
              for phase, items, limit in zip(phases, lines, limits, strict=True)]
    model = catalog.models.get(roadmap.model_id)
    return ApprovalPage(
        "roadmap", roadmap.title if model is None else model.name.get(lang), model is None,
        roadmap.accepted_at is not None, basis, today, phases, [], len(milestones),
        sum(m.status == "done" for m in milestones),
        sum(m.overdue(today) for m in milestones),
        sum(m.status == "blocked" for m in milestones))


def _proposal_page(catalog: Catalog, questionnaire: Questionnaire, assessment: Assessment,
                   result: AssessmentScore, lang: str, today: date) -> ApprovalPage:
    chosen, basis = headline_model(assessment, result)
    model = catalog.models[chosen.model]
    gaps = advice_rows(questionnaire, result.priorities, lang)
    stages = []
    for number, stage in enumerate(model.stages, start=1):
        ref = f"{model.id}.{stage.id}"
        mine = [row for row in gaps if ref in row.question.informs]
        stages.append(ProposedStage(number, stage.name.get(lang),
                                    [item.text.get(lang) for item in stage.checklist],
                                    mine[:GAPS_CAP], max(0, len(mine) - GAPS_CAP)))
    return ApprovalPage("proposal", model.name.get(lang), False, False, basis, today, [],
                        stages, 0, 0, 0, 0)


def approval_page(catalog: Catalog, questionnaire: Questionnaire, assessment: Assessment,
                  result: AssessmentScore, lang: str, today: date) -> ApprovalPage | None:
    """The roadmap page of `assessment`'s report, in `lang`, as of `today`; None when the
    assessment reports on no model and the client has no roadmap."""
    roadmap = planned_roadmap(assessment, result)
    if roadmap is not None:
        basis = "roadmap" if roadmap.model_id != CUSTOM_MODEL else ""
        return _roadmap_page(catalog, roadmap, lang, today, basis)
    if not result.models:
        return None
    return _proposal_page(catalog, questionnaire, assessment, result, lang, today)
