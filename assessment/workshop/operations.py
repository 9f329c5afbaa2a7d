"""Live workshops: a join code, participants, stage locks, agreed answers, the live picture.

A workshop belongs to one assessment. Participants join with the workshop's short code
(no account) and become respondents of kind 'participant'; their answers go through the
same `save_answer` as everyone else's, which refuses them while the workshop is closed
or their stage is locked. The facilitator can remove a participant: their rows stay,
marked removed, and their answers count nowhere (`results.COUNTED`).
"""

from __future__ import annotations

import re
import secrets
from collections import Counter
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from .. import audit
from ..answers import VALUES, scoring_value
from ..catalog import Catalog
from ..errors import FieldError
from ..extensions import db
from ..i18n import digits
from ..results import COUNTED, agreed_of, questionnaire_of
from ..schema import CANONICAL_STAGE_IDS
from ..scoring import DIVERGENCE_THRESHOLD, diverges, level_spread
from ..tables import (
    PARTICIPANT_ROLES,
    AgreedAnswer,
    Answer,
    Assessment,
    Respondent,
    User,
    Workshop,
    utcnow,
)
from ..walk.operations import clean_value, questions_by_stage
from ..web import lang

#: no 0/O, 1/I/L: easy to read off a projector and type on a phone
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
MAX_NAME = 120
MAX_NOTE = 2000
#: answers shown per question in the live view: levels, then "n/a" and "don't know"
BUCKETS = VALUES


def normalise_code(raw: str) -> str:
    """What someone typed, as stored: upper case, without spaces or dashes."""
    return re.sub(r"[\s\-]", "", raw or "").upper()


def _new_code() -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if db.session.scalar(select(Workshop.id).where(Workshop.code == code)) is None:
            return code


def open_workshop(assessment: Assessment, *, named: bool | None = None) -> Workshop:
    """The assessment's workshop, made on first call and reopened if it was closed."""
    workshop = assessment.workshop
    before = None if workshop is None else workshop.status
    if workshop is None:
        workshop = Workshop(assessment=assessment, code=_new_code(), named=bool(named),
                            locked_stages=[])
        db.session.add(workshop)
    else:
        if named is not None:
            workshop.named = named
        workshop.status = "open"
        workshop.closed_at = None
    if assessment.status == "draft":
        assessment.status = "in_progress"
    if before != "open":
        audit.record("workshop.opened", assessment=assessment,
                     old=None if before is None else {"status": before},
                     new={"status": "open", "named": workshop.named})
    db.session.flush()
    return workshop


def close_workshop(workshop: Workshop) -> None:
    if workshop.status != "closed":
        audit.record("workshop.closed", assessment=workshop.assessment,
                     old={"status": workshop.status}, new={"status": "closed"})
    workshop.status = "closed"
    workshop.closed_at = utcnow()
    db.session.flush()


def set_stage_lock(workshop: Workshop, stage: str, locked: bool) -> None:
    if stage not in CANONICAL_STAGE_IDS:
        raise FieldError("stage", _l("'%(stage)s' is not a stage.", stage=stage), 404)
    current = set(workshop.locked_stages or ())
    if (stage in current) != locked:
        audit.record("workshop.stage_locked" if locked else "workshop.stage_unlocked",
                     assessment=workshop.assessment, subject=stage,
                     old={"locked": not locked}, new={"locked": locked})
    current.add(stage) if locked else current.discard(stage)
    # A new list, in stage order, so the JSON column sees the change.
    workshop.locked_stages = [s for s in CANONICAL_STAGE_IDS if s in current]
    db.session.flush()


def workshop_by_code(code: str) -> Workshop | None:
    return db.session.scalar(select(Workshop).where(Workshop.code == normalise_code(code)))


def join(workshop: Workshop, name: object = "", role: object = "") -> Respondent:
    """Add a participant. Raises FieldError (and adds nobody) on bad input or a closed room."""
    if workshop.status != "open":
        raise FieldError("workshop", _l("This workshop is closed and takes no new "
                                        "participants."), 409)
    name_text = "" if name is None else str(name).strip()
    role_text = "" if role is None else str(role).strip().lower()
    if len(name_text) > MAX_NAME:
        raise FieldError("name", _l("The name is longer than %(n)s characters.", n=MAX_NAME))
    if role_text and role_text not in PARTICIPANT_ROLES:
        raise FieldError("role", _l("Choose a role from the list: %(roles)s.",
                                    roles=", ".join(PARTICIPANT_ROLES)))
    participant = Respondent(assessment_id=workshop.assessment_id, kind="participant",
                             name=name_text, role=role_text)
    db.session.add(participant)
    db.session.flush()
    return participant


def participant_by_token(token: str) -> Respondent | None:
    if not token:
        return None
    return db.session.scalar(select(Respondent).where(
        Respondent.token == token, Respondent.kind == "participant"))


def participants(assessment: Assessment, *, removed: bool | None = False) -> list[Respondent]:
    """The participants in the order they joined: those who count (by default), those the
    facilitator removed (`removed=True`), or all of them (`removed=None`)."""
    query = select(Respondent).where(Respondent.assessment_id == assessment.id,
                                     Respondent.kind == "participant")
    if removed is not None:
        query = query.where(Respondent.removed_at.is_not(None) if removed else COUNTED)
    return list(db.session.scalars(query.order_by(Respondent.id)))


def remove_participant(participant: Respondent) -> None:
    """Take a participant out of the workshop for good.

    Their answers stay stored but leave every score and view; their token no longer lets
    them save, resume or join again (`save_answer` refuses a removed respondent).
    """
    if participant.removed_at is None:
        participant.removed_at = utcnow()
        audit.record("participant.removed", assessment=participant.assessment,
                     subject=str(participant.id), subject_label=participant.name,
                     old={"removed": False}, new={"removed": True})
        db.session.flush()


def record_agreed(catalog: Catalog, assessment: Assessment, question_id: str, value: object,
                  note: object = "", user: User | None = None) -> AgreedAnswer | None:
    """Record (or, with an empty value, clear) the answer the room agreed on."""
    questionnaire = questionnaire_of(catalog, assessment)
    try:
        questionnaire.question(question_id)
    except KeyError:
        raise FieldError("question_id", _l("'%(id)s' is not a question of this "
                                           "assessment.", id=question_id), 404) from None
    cleaned = clean_value(value)
    note_text = "" if note is None else str(note).strip()
    if len(note_text) > MAX_NOTE:
        raise FieldError("note", _l("The note is longer than %(n)s characters.", n=MAX_NOTE))
    row = db.session.scalar(select(AgreedAnswer).where(
        AgreedAnswer.assessment_id == assessment.id, AgreedAnswer.question_id == question_id))
    before = None if row is None else {"value": row.value, "note": row.note}
    if cleaned is None:
        if row is not None:
            audit.record("agreed.cleared", assessment=assessment, subject=question_id,
                         old=before, new={"value": None, "note": ""})
            db.session.delete(row)
            db.session.flush()
        return None
    audit.record("agreed.set", assessment=assessment, subject=question_id, old=before,
                 new={"value": cleaned, "note": note_text})
    if row is None:
        row = AgreedAnswer(assessment_id=assessment.id, question_id=question_id)
        db.session.add(row)
    row.value = cleaned
    row.note = note_text
    row.decided_by = user.id if user is not None else None
    row.updated_at = utcnow()
    db.session.flush()
    return row


def live_snapshot(catalog: Catalog, assessment: Assessment, role: str | None = None,
                  lang: str = "en") -> dict[str, Any]:
    """What the facilitator's screen shows, as plain JSON-ready data.

    Only participants count (the room); `role` narrows to one role. Spread is the
    population standard deviation of the levels given, as in the scoring rules, and a
    question diverges at the same threshold.
    """
    questionnaire = questionnaire_of(catalog, assessment)
    workshop = assessment.workshop
    query = select(Respondent.id, Respondent.role).where(
        Respondent.assessment_id == assessment.id, Respondent.kind == "participant", COUNTED)
    people = db.session.execute(query).all()
    roles = Counter(row.role or "other" for row in people)
    chosen = {row.id for row in people if not role or (row.role or "other") == role}
    answers_query = (
        select(Answer.respondent_id, Answer.question_id, Answer.value)
        .join(Respondent)
        .where(Respondent.assessment_id == assessment.id, Respondent.kind == "participant",
               Answer.value.is_not(None), COUNTED)
    )
    counts: dict[str, Counter[str]] = {q.id: Counter() for q in questionnaire.questions}
    answered_by: dict[str, Counter[str]] = {stage: Counter() for stage in CANONICAL_STAGE_IDS}
    stage_of = {q.id: q.stage for q in questionnaire.questions}
    for respondent_id, question_id, value in db.session.execute(answers_query):
        if respondent_id not in chosen or question_id not in counts or value is None:
            continue
        counts[question_id][value] += 1
        answered_by[stage_of[question_id]][str(respondent_id)] += 1
    agreed = agreed_of(assessment)

    questions: list[dict[str, Any]] = []
    for question in questionnaire.questions:
        tally = counts[question.id]
        given = [scoring_value(value) for value, n in tally.items() for _ in range(n)]
        levels = [answer for answer in given if isinstance(answer, int)]
        mean, spread = level_spread(levels) or (None, None)
        divergent = diverges(len(levels), spread)
        row = agreed.get(question.id)
        questions.append({
            "id": question.id,
            "stage": question.stage,
            "text": question.text.get(lang),
            "counts": {bucket: tally.get(bucket, 0) for bucket in BUCKETS},
            "answers": sum(tally.values()),
            "mean": None if mean is None else round(mean, 2),
            "spread": None if spread is None else round(spread, 2),
            "divergent": divergent,
            "agreed": None if row is None else {"value": row.value, "note": row.note},
        })
    by_stage = questions_by_stage(questionnaire)
    stages = []
    for stage in CANONICAL_STAGE_IDS:
        total = len(by_stage[stage])
        done = sum(1 for n in answered_by[stage].values() if n >= total)
        answers = sum(answered_by[stage].values())
        stages.append({
            "id": stage,
            "name": catalog.stage(stage).name.get(lang),
            "questions": total,
            "finished": done,
            "share": answers / (total * len(chosen)) if chosen and total else 0.0,
            "locked": bool(workshop and stage in (workshop.locked_stages or ())),
        })
    diverging = sorted((q for q in questions if q["divergent"]),
                       key=lambda q: (-float(q["spread"] or 0), str(q["id"])))
    return {
        "status": workshop.status if workshop else None,
        "code": workshop.code if workshop else None,
        "joined": len(people),
        "shown": len(chosen),
        "role": role or None,
        "roles": {r: roles.get(r, 0) for r in PARTICIPANT_ROLES},
        "stages": stages,
        "questions": questions,
        "divergent": [q["id"] for q in diverging],
        "threshold": DIVERGENCE_THRESHOLD,
        "answers": int(db.session.scalar(
            select(func.count(Answer.id)).join(Respondent).where(
                Respondent.assessment_id == assessment.id,
                Respondent.kind == "participant", COUNTED)) or 0),
    }


def participant_labels(assessment: Assessment, named: bool) -> dict[int, str]:
    """How the facilitator sees each participant: their name only in a named workshop.

    Removed participants keep their number, so nobody else's label changes.
    """
    labels = {}
    for number, person in enumerate(participants(assessment, removed=None), start=1):
        anonymous = _("Participant %(n)s", n=digits(number, lang()))
        labels[person.id] = (person.name or anonymous) if named else anonymous
    return labels
