"""Every reference in a parsed file, against the catalogue and within the file."""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from ..brand import logo_type
from ..catalog import Catalog
from ..errors import FieldError
from ..rollout.operations import (
    evidence_type,
    model_choices,
    roadmap_stages,
)
from ..tables import (
    Roadmap,
)
from .schema import AssessmentIn, ClientFile, EvidenceIn, RoadmapIn, show


@dataclass
class CheckedFile:
    """What the checks decoded on the way, for creating the rows."""

    parsed: ClientFile
    logo: bytes | None = None
    #: evidence file bytes by (assessment, milestone, evidence) index
    files: dict[tuple[int, int, int], bytes] = field(default_factory=dict)


def _decode(text: str, where: str, problems: list[str]) -> bytes | None:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        problems.append(f"{where}: not valid base64")
        return None


def check_file(catalog: Catalog, parsed: ClientFile) -> tuple[list[str], CheckedFile]:
    problems: list[str] = []
    checked = CheckedFile(parsed)
    logo = parsed.client.logo
    if logo is not None:
        data = _decode(logo.data, "client.logo.data", problems)
        if data is not None:
            try:
                found = logo_type(data)
            except FieldError as exc:
                problems.append(f"client.logo.data: {exc}")
            else:
                if found != logo.content_type:
                    problems.append(f"client.logo.content_type: the image is {found}, not "
                                    f"{logo.content_type}")
                checked.logo = data
    if not parsed.client.name.strip():
        problems.append("client.name: the organisation needs a name")
    team_keys: set[str] = set()
    for index, member in enumerate(parsed.team):
        where = f"team[{index}]"
        if member.key in team_keys:
            problems.append(f"{where}.key: {member.key!r} is used twice")
        team_keys.add(member.key)
        if member.email and ("@" not in member.email or " " in member.email):
            problems.append(f"{where}.email: {show(member.email)} is not an e-mail address")
    for a_index, assessment in enumerate(parsed.assessments):
        _check_assessment(catalog, assessment, f"assessments[{a_index}]", a_index, team_keys,
                          problems, checked)
    _check_audit(parsed, problems)
    return problems, checked


def _check_audit(parsed: ClientFile, problems: list[str]) -> None:
    """Every assessment, respondent and milestone an audit entry names is in the file."""
    assessments = parsed.assessments
    for index, entry in enumerate(parsed.audit):
        where = f"audit[{index}]"
        source = None
        if entry.assessment is not None:
            if entry.assessment >= len(assessments):
                problems.append(f"{where}.assessment: there is no assessment {entry.assessment}")
            else:
                source = assessments[entry.assessment]
        if (entry.roadmap or entry.milestone is not None) \
                and (source is None or source.roadmap is None):
            problems.append(f"{where}: names a roadmap its assessment does not have")
        elif entry.milestone is not None and source is not None and source.roadmap is not None \
                and entry.milestone not in {m.key for m in source.roadmap.milestones}:
            problems.append(f"{where}.milestone: {entry.milestone!r} is not the key of a "
                            "milestone of this roadmap")
        person = entry.actor.respondent
        if person is not None and (person[0] >= len(assessments)
                                   or person[1] >= len(assessments[person[0]].respondents)):
            problems.append(f"{where}.actor.respondent: there is no respondent {person}")


def _check_assessment(catalog: Catalog, assessment: AssessmentIn, where: str, a_index: int,
                      team_keys: set[str], problems: list[str], checked: CheckedFile) -> None:
    questionnaire = catalog.questionnaires.get(assessment.questionnaire)
    if questionnaire is None:
        problems.append(f"{where}.questionnaire: {assessment.questionnaire!r} is not a "
                        "questionnaire of this installation's catalogue ("
                        + ", ".join(catalog.questionnaires) + ")")
    # A retired question is no longer asked, but answers to it stay stored: files carry them.
    questions = ({q.id for q in questionnaire.questions} | set(questionnaire.retired)
                 if questionnaire is not None else None)
    for index, model_id in enumerate(assessment.models):
        if model_id not in catalog.models:
            problems.append(f"{where}.models[{index}]: {model_id!r} is not a deployment model "
                            "of this installation's catalogue (" + ", ".join(catalog.models)
                            + ")")
    if len(set(assessment.models)) != len(assessment.models):
        problems.append(f"{where}.models: a model is listed twice")

    def question_ok(question_id: str | None, place: str) -> None:
        if questions is not None and question_id is not None and question_id not in questions:
            problems.append(f"{place}: {question_id!r} is not a question of the "
                            f"questionnaire {assessment.questionnaire!r}")

    consultants: set[str] = set()
    for r_index, respondent in enumerate(assessment.respondents):
        place = f"{where}.respondents[{r_index}]"
        if respondent.consultant is not None:
            if respondent.kind != "consultant":
                problems.append(f"{place}.consultant: only a consultant respondent has one")
            elif respondent.consultant.lower() in consultants:
                problems.append(f"{place}.consultant: {respondent.consultant!r} answers this "
                                "assessment twice")
            consultants.add(respondent.consultant.lower())
        if respondent.removed_at is not None and respondent.kind != "participant":
            problems.append(f"{place}.removed_at: only a workshop participant can be removed")
        question_ok(respondent.last_question, f"{place}.last_question")
        seen: set[str] = set()
        for q_index, answer in enumerate(respondent.answers):
            question_ok(answer.question, f"{place}.answers[{q_index}].question")
            if answer.question in seen:
                problems.append(f"{place}.answers[{q_index}].question: {answer.question!r} is "
                                "answered twice by this respondent")
            seen.add(answer.question)
    seen = set()
    for q_index, agreed in enumerate(assessment.agreed_answers):
        question_ok(agreed.question, f"{where}.agreed_answers[{q_index}].question")
        if agreed.question in seen:
            problems.append(f"{where}.agreed_answers[{q_index}].question: {agreed.question!r} "
                            "has two agreed answers")
        seen.add(agreed.question)
    workshop = assessment.workshop
    if workshop is not None and len(set(workshop.locked_stages)) != len(workshop.locked_stages):
        problems.append(f"{where}.workshop.locked_stages: a stage is listed twice")
    if assessment.roadmap is not None:
        _check_roadmap(catalog, assessment.roadmap, f"{where}.roadmap", a_index, team_keys,
                       problems, checked)


def _check_roadmap(catalog: Catalog, roadmap: RoadmapIn, where: str, a_index: int,
                   team_keys: set[str], problems: list[str], checked: CheckedFile) -> None:
    if roadmap.model not in model_choices(catalog):
        problems.append(f"{where}.model: {roadmap.model!r} is not a deployment model of this "
                        "installation's catalogue (" + ", ".join(model_choices(catalog)) + ")")
        return
    stages = {s.id for s in roadmap_stages(catalog, Roadmap(model_id=roadmap.model))}
    keys: dict[str, int] = {}
    for index, milestone in enumerate(roadmap.milestones):
        if milestone.key in keys:
            problems.append(f"{where}.milestones[{index}].key: {milestone.key!r} is used twice")
        keys.setdefault(milestone.key, index)
    for index, milestone in enumerate(roadmap.milestones):
        place = f"{where}.milestones[{index}]"
        if milestone.stage not in stages:
            problems.append(f"{place}.stage: {milestone.stage!r} is not a stage of the "
                            f"roadmap's model {roadmap.model!r} (" + ", ".join(sorted(stages))
                            + ")")
        if not milestone.title_en.strip() and not milestone.title_fa.strip():
            problems.append(f"{place}: a milestone needs a title in at least one language")
        if milestone.owner is not None and milestone.owner not in team_keys:
            problems.append(f"{place}.owner: {milestone.owner!r} is not the key of anyone in "
                            "team")
        if (milestone.start_on is not None and milestone.due_on is not None
                and milestone.due_on < milestone.start_on):
            problems.append(f"{place}.due_on: {milestone.due_on} is before the start date "
                            f"{milestone.start_on}")
        if milestone.status == "done" and milestone.progress != 100:
            problems.append(f"{place}.progress: a done milestone is at 100%, not "
                            f"{milestone.progress}%")
        if milestone.status == "not_started" and milestone.progress == 100:
            problems.append(f"{place}.progress: a milestone at 100% is done, not not_started")
        if milestone.done_on is not None and milestone.status != "done":
            problems.append(f"{place}.done_on: only a done milestone has a done date")
        for d_index, dep in enumerate(milestone.depends_on):
            if dep not in keys:
                problems.append(f"{place}.depends_on[{d_index}]: {dep!r} is not the key of a "
                                "milestone of this roadmap")
            elif dep == milestone.key:
                problems.append(f"{place}.depends_on[{d_index}]: a milestone cannot depend on "
                                "itself")
        if len(set(milestone.depends_on)) != len(milestone.depends_on):
            problems.append(f"{place}.depends_on: a milestone is listed twice")
        for e_index, evidence in enumerate(milestone.evidence):
            data = _check_evidence(evidence, f"{place}.evidence[{e_index}]", problems)
            if data is not None:
                checked.files[(a_index, index, e_index)] = data
    loop = _find_cycle({m.key: [d for d in m.depends_on if d in keys and d != m.key]
                        for m in roadmap.milestones})
    if loop:
        problems.append(f"{where}.milestones: the dependencies make a loop ("
                        + " -> ".join(loop) + "): a milestone would end up waiting for itself")


def _find_cycle(graph: dict[str, list[str]]) -> list[str]:
    """A loop in the dependency graph, as keys from start back to start, or []."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for start in graph:
        if state.get(start):
            continue
        path: list[str] = [start]
        state[start] = 1
        iterators = [iter(graph[start])]
        while iterators:
            step = next(iterators[-1], None)
            if step is None:
                state[path.pop()] = 2
                iterators.pop()
            elif state.get(step) == 1:
                return [*path[path.index(step):], step]
            elif not state.get(step):
                state[step] = 1
                path.append(step)
                iterators.append(iter(graph.get(step, [])))
    return []


def _check_evidence(evidence: EvidenceIn, where: str, problems: list[str]) -> bytes | None:
    if evidence.kind == "link":
        parts = urlsplit(evidence.url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            problems.append(f"{where}.url: {show(evidence.url)} is not a web address starting "
                            "with https:// or http://")
        if evidence.data is not None or evidence.filename:
            problems.append(f"{where}: a link has no file")
        return None
    if evidence.data is None:
        problems.append(f"{where}.data: missing (the file's bytes, base64)")
        return None
    name = evidence.filename
    if not name.strip() or "/" in name or "\\" in name:
        problems.append(f"{where}.filename: {show(name)} is not a plain file name")
        return None
    data = _decode(evidence.data, f"{where}.data", problems)
    if data is None:
        return None
    try:
        mime = evidence_type(name, data)
    except FieldError as exc:
        problems.append(f"{where}.data: {exc}")
        return None
    if mime != evidence.content_type:
        problems.append(f"{where}.content_type: the file is {mime}, not "
                        f"{show(evidence.content_type)}")
    if evidence.size != len(data):
        problems.append(f"{where}.size: the file has {len(data)} bytes, not {evidence.size}")
    if evidence.sha256 != hashlib.sha256(data).hexdigest():
        problems.append(f"{where}.sha256: does not match the file")
    return data
