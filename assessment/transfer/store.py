"""Reading a file and adding its rows in one transaction that the caller commits."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from ..catalog import Catalog
from ..clients.share import issue_link
from ..extensions import db
from ..tables import (
    AgreedAnswer,
    Answer,
    Assessment,
    AuditEntry,
    Client,
    DataProfile,
    Evidence,
    Milestone,
    Respondent,
    Roadmap,
    TeamMember,
    User,
    Workshop,
    Workspace,
)
from ..workshop.operations import CODE_ALPHABET, CODE_LENGTH
from .check import CheckedFile, check_file
from .parse import parse, shape
from .schema import AssessmentIn, ClientFile, RoadmapIn, TransferError


def read(catalog: Catalog, data: bytes | dict[str, Any]) -> CheckedFile:
    """Check a file completely (it needs the catalogue, not the database).

    Raises TransferError listing the problems.
    """
    values = parse(data) if isinstance(data, bytes | bytearray) else data
    problems, checked = check_file(catalog, shape(values))
    if problems:
        raise TransferError(problems)
    return checked


def import_client(catalog: Catalog, data: bytes | dict[str, Any], workspace: Workspace) -> Client:
    """Add the client in the file to `workspace`; the caller commits.

    Raises TransferError, having added nothing, when anything in the file is wrong.
    """
    return store(read(catalog, data), workspace)


def store(checked: CheckedFile, workspace: Workspace) -> Client:
    """Add a file that `read` has checked; in a savepoint, so a refusal leaves nothing."""
    try:
        with db.session.begin_nested():
            return _create(checked.parsed, checked, workspace)
    except SQLAlchemyError as exc:  # a constraint the checks missed: nothing is kept
        raise TransferError([f"the database refused the file: {exc.__class__.__name__}: "
                             f"{str(exc).splitlines()[0][:200]}"]) from exc


def _consultant_emails(parsed: ClientFile) -> set[str]:
    return {e.lower() for a in parsed.assessments for e in
            [*(r.consultant for r in a.respondents), *(g.decided_by for g in a.agreed_answers)]
            if e} | {entry.actor.email.lower() for entry in parsed.audit if entry.actor.email}


def _accounts(parsed: ClientFile, workspace: Workspace) -> dict[str, int]:
    """E-mail -> user id of the file's consultants who have an account in `workspace`."""
    emails = _consultant_emails(parsed)
    if not emails:
        return {}
    return {email: user_id for user_id, email in db.session.execute(
        select(User.id, User.email).where(User.workspace_id == workspace.id,
                                          User.email.in_(emails)))}


def unlinked_consultants(checked: CheckedFile, workspace: Workspace) -> list[str]:
    """The file's consultants with no account in `workspace`: their answers and agreed
    answers keep the name but not the link to an account, so the import can say so."""
    found = _accounts(checked.parsed, workspace)
    return sorted(_consultant_emails(checked.parsed) - set(found))


def _set(row: Any, **values: Any) -> Any:
    """Column values, leaving out None for columns whose default should apply."""
    for name, value in values.items():
        if value is not None:
            setattr(row, name, value)
    return row


def _create(parsed: ClientFile, checked: CheckedFile, workspace: Workspace) -> Client:
    add = db.session.add
    source = parsed.client
    client: Client = _set(Client(workspace=workspace, name=source.name, sector=source.sector,
                         size=source.size, country=source.country, contact=source.contact,
                         notes=source.notes), created_at=source.created_at)
    if source.logo is not None and checked.logo is not None:
        client.logo, client.logo_type = checked.logo, source.logo.content_type
    add(client)
    team: dict[str, TeamMember] = {}
    for member in parsed.team:
        row = _set(TeamMember(client=client, name=member.name, email=member.email.lower(),
                              role=member.role), created_at=member.created_at)
        add(row)
        team[member.key] = row
    users = _accounts(parsed, workspace)
    codes_taken = set(db.session.scalars(select(Workshop.code)))
    made = [_create_assessment(client, source_assessment, a_index, team, users, codes_taken,
                               checked)
            for a_index, source_assessment in enumerate(parsed.assessments)]
    for profile in parsed.data_profiles:
        add(DataProfile(client=client, created_at=profile.created_at, as_of=profile.as_of,
                        window_months=profile.window_months, rows=profile.rows,
                        customers=profile.customers, score=profile.score, unit=profile.unit,
                        result=dict(profile.result)))
    db.session.flush()
    _create_audit(parsed, client, made, users)
    db.session.flush()
    return client


def _create_audit(parsed: ClientFile, client: Client, made: list[Made],
                  users: dict[str, int]) -> None:
    """The file's audit trail, its rows named by their new ids."""
    for entry in parsed.audit:
        source = made[entry.assessment] if entry.assessment is not None else None
        roadmap = source.assessment.roadmap if source is not None and entry.roadmap else None
        subject = entry.subject
        if entry.milestone is not None and source is not None:
            subject = str(source.milestones[entry.milestone].id)
        elif entry.action == "participant.removed" and ":" in subject:
            a_index, _sep, r_index = subject.partition(":")
            subject = str(made[int(a_index)].respondents[int(r_index)].id) \
                if a_index.isdigit() and r_index.isdigit() and int(a_index) < len(made) \
                and int(r_index) < len(made[int(a_index)].respondents) else ""
        person = entry.actor.respondent
        db.session.add(AuditEntry(
            workspace_id=client.workspace_id, client_id=client.id,
            assessment_id=source.assessment.id if source is not None else None,
            roadmap_id=roadmap.id if roadmap is not None else None, at=entry.at,
            actor_kind=entry.actor.kind, actor_label=entry.actor.label,
            user_id=users.get((entry.actor.email or "").lower()),
            respondent_id=made[person[0]].respondents[person[1]].id if person else None,
            action=entry.action, subject=subject, subject_label=entry.subject_label,
            old=entry.old, new=entry.new))


@dataclass
class Made:
    """An assessment made from the file, with its respondents and milestones (by key)."""

    assessment: Assessment
    respondents: list[Respondent] = field(default_factory=list)
    milestones: dict[str, Milestone] = field(default_factory=dict)


def _create_assessment(client: Client, source: AssessmentIn, a_index: int,
                       team: dict[str, TeamMember], users: dict[str, int],
                       codes_taken: set[str], checked: CheckedFile) -> Made:
    add = db.session.add
    assessment = _set(Assessment(
        client=client, title=source.title, questionnaire_id=source.questionnaire,
        model_ids=list(source.models), targets=dict(source.targets), status=source.status,
        due_on=source.due_on, completed_at=source.completed_at,
    ), created_at=source.created_at)
    add(assessment)
    db.session.flush()  # agreed answers refer to it by id
    if source.self_assessment_link:
        issue_link(assessment, audited=False)  # a new secret, for the usual days
    made = Made(assessment)
    for person in source.respondents:
        respondent = _set(Respondent(
            assessment=assessment, kind=person.kind, name=person.name, role=person.role,
            user_id=users.get((person.consultant or "").lower()),
            last_stage=person.last_stage, last_question=person.last_question,
            finished_at=person.finished_at, removed_at=person.removed_at,
        ), created_at=person.created_at)
        add(respondent)
        made.respondents.append(respondent)
        for answer in person.answers:
            add(_set(Answer(respondent=respondent, question_id=answer.question,
                            value=answer.value, comment=answer.comment, flagged=answer.flagged,
                            revision=answer.revision), updated_at=answer.updated_at))
    for agreed in source.agreed_answers:
        add(_set(AgreedAnswer(assessment_id=assessment.id, question_id=agreed.question,
                              value=agreed.value, note=agreed.note,
                              decided_by=users.get((agreed.decided_by or "").lower())),
                 updated_at=agreed.updated_at))
    if source.workshop is not None:
        code = source.workshop.code
        while code in codes_taken:
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        codes_taken.add(code)
        add(_set(Workshop(assessment=assessment, code=code, named=source.workshop.named,
                          status=source.workshop.status,
                          locked_stages=list(source.workshop.locked_stages),
                          closed_at=source.workshop.closed_at),
                 created_at=source.workshop.created_at))
    if source.roadmap is not None:
        made.milestones = _create_roadmap(assessment, source.roadmap, a_index, team, checked)
    return made


def _create_roadmap(assessment: Assessment, source: RoadmapIn, a_index: int,
                    team: dict[str, TeamMember], checked: CheckedFile) -> dict[str, Milestone]:
    add = db.session.add
    roadmap = _set(Roadmap(assessment=assessment, model_id=source.model, title=source.title,
                           starts_on=source.starts_on, accepted_at=source.accepted_at),
                   created_at=source.created_at)
    add(roadmap)
    milestones: dict[str, Milestone] = {}
    for m_index, item in enumerate(source.milestones):
        milestone = _set(Milestone(
            roadmap=roadmap, stage=item.stage, position=item.position, origin=item.origin,
            origin_ref=item.origin_ref, title_en=item.title_en, title_fa=item.title_fa,
            owner=team[item.owner] if item.owner is not None else None,
            start_on=item.start_on, due_on=item.due_on, status=item.status,
            progress=item.progress, notes=item.notes, done_on=item.done_on,
        ), created_at=item.created_at, updated_at=item.updated_at)
        add(milestone)
        milestones[item.key] = milestone
        for e_index, evidence in enumerate(item.evidence):
            data = checked.files.get((a_index, m_index, e_index))
            add(_set(Evidence(
                milestone=milestone, kind=evidence.kind, label=evidence.label,
                url=evidence.url if evidence.kind == "link" else "",
                filename=evidence.filename if data is not None else "",
                content_type=evidence.content_type if data is not None else "",
                size=len(data) if data is not None else 0,
                sha256=evidence.sha256 if data is not None else "", data=data,
            ), created_at=evidence.created_at))
    for item in source.milestones:
        milestones[item.key].depends_on = [milestones[key] for key in item.depends_on]
    return milestones
