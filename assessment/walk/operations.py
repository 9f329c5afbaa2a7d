"""The walk: saving answers, progress, resuming, completing, and scoring an assessment."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Connection, bindparam, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm.attributes import set_committed_value

from .. import audit
from ..answers import NA, UNKNOWN
from ..answers import parse as parse_answer
from ..catalog import Catalog
from ..db import write_intent
from ..errors import FieldError
from ..extensions import db
from ..schema import CANONICAL_STAGE_IDS, Question, Questionnaire
from ..tables import (
    Answer,
    Assessment,
    Respondent,
    User,
    Workshop,
    utcnow,
)

MAX_COMMENT = 2000
UNSET: Any = object()
#: lazy: translated only when an answer is refused (the API's body check says the same)
BAD_ANSWER = _l("The answer must be a level 0-5, '%(na)s' or '%(unknown)s'.",
                na=NA, unknown=UNKNOWN)


@dataclass(frozen=True)
class StageProgress:
    stage: str
    answered: int
    total: int
    flagged: int

    @property
    def done(self) -> bool:
        return self.answered == self.total


def questions_by_stage(questionnaire: Questionnaire) -> dict[str, list[Question]]:
    out: dict[str, list[Question]] = {stage: [] for stage in CANONICAL_STAGE_IDS}
    for question in questionnaire.questions:
        out[question.stage].append(question)
    return out


def find_consultant_respondent(assessment: Assessment, user: User) -> Respondent | None:
    return db.session.scalar(select(Respondent).where(
        Respondent.assessment_id == assessment.id, Respondent.user_id == user.id))


def consultant_respondent(assessment: Assessment, user: User) -> Respondent:
    """The consultant as a respondent, made when they start answering (not when they look)."""
    found = find_consultant_respondent(assessment, user)
    if found is None:
        # Its own write transaction, even inside a reading (GET) request: a read
        # transaction upgraded to a write can fail at once under concurrent saves.
        db.session.commit()
        token = write_intent.set(True)
        try:
            found = Respondent(assessment=assessment, kind="consultant", user_id=user.id,
                               name=user.name or user.email)
            db.session.add(found)
            db.session.commit()
        finally:
            write_intent.reset(token)
    return found


def clean_value(raw: object) -> str | None:
    """An answer as stored, or None to clear it (see `answers.parse`), refused with a
    message in the reader's language."""
    return parse_answer(raw, BAD_ANSWER)


@dataclass(frozen=True)
class Who:
    """What saving an answer needs to know about the respondent (the API loads just this)."""

    id: int
    kind: str
    assessment_id: int
    questionnaire_id: str
    #: A participant's workshop as (status, locked stages), when the caller read it in the
    #: same transaction; None when there is no workshop; UNSET: save_answer reads it.
    room: Any = UNSET
    #: a workshop participant the facilitator removed: they can change nothing any more
    removed: bool = False


@dataclass(frozen=True)
class StoredAnswer:
    """An answer as stored, read back in the same statement that wrote it."""

    question_id: str
    value: str | None
    comment: str
    flagged: bool
    revision: int


_ANSWERS = Answer.__table__
_STORED_COLUMNS = (_ANSWERS.c.question_id, _ANSWERS.c.value, _ANSWERS.c.comment,
                   _ANSWERS.c.flagged, _ANSWERS.c.revision)
# Built once: on the hot path of a workshop, building a statement costs more than running it.
_ROOM = select(Workshop.status, Workshop.locked_stages).where(
    Workshop.assessment_id == bindparam("assessment_id"))
_STORED = select(*_STORED_COLUMNS).where(
    _ANSWERS.c.respondent_id == bindparam("respondent_id"),
    _ANSWERS.c.question_id == bindparam("question_id"))
_STORED_FOR_UPDATE = _STORED.with_for_update()
_MOVE_ON = update(Respondent.__table__).where(
    Respondent.__table__.c.id == bindparam("respondent_id")).values(
    last_stage=bindparam("stage"), last_question=bindparam("question"))


@functools.cache
def _upsert(dialect: str, fields: tuple[str, ...], only_if_changed: bool = False) -> Any:
    """Insert or update the given fields of one answer, returning the stored row.

    With `only_if_changed` an update that would change nothing is not made and returns no
    row: one statement instead of a read and a write when no revision is to be checked.
    """
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(_ANSWERS).values(
        respondent_id=bindparam("respondent_id"), question_id=bindparam("question_id"),
        value=bindparam("value"), comment=bindparam("comment"), flagged=bindparam("flagged"),
        revision=1, updated_at=bindparam("now"),
    )
    changed = or_(*(_ANSWERS.c[name].is_distinct_from(statement.excluded[name])
                    for name in fields))
    return statement.on_conflict_do_update(
        index_elements=["respondent_id", "question_id"],
        set_={**{name: bindparam(name) for name in fields},
              "revision": _ANSWERS.c.revision + 1, "updated_at": bindparam("now")},
        where=changed if only_if_changed else None,
    ).returning(*_STORED_COLUMNS)


def check_workshop_open(connection: Connection, assessment_id: int, stage: str) -> None:
    """A participant may answer only while the workshop is open and the stage unlocked."""
    check_room(connection.execute(_ROOM, {"assessment_id": assessment_id}).first(), stage)


def check_room(row: Any, stage: str) -> None:
    """The same check on a workshop's (status, locked stages) already read; None: none."""
    if row is None:
        return
    status, locked = row
    if status == "closed":
        raise FieldError("workshop", _l("The workshop is closed, so answers can no longer "
                                        "be changed."), status=409)
    if stage in (locked or ()):
        raise FieldError("stage", _l("The facilitator has locked this stage for now, so "
                                     "this answer was not saved."), status=409)


def removed_error() -> FieldError:
    """Why a removed workshop participant can no longer answer (410: their token is spent)."""
    return FieldError("respondent", _l("The facilitator has removed you from this workshop: "
                                       "your answers no longer count and can no longer be "
                                       "changed."), status=410)


class AnswerConflict(FieldError):
    """The answer changed since the version the change was based on (another device)."""

    def __init__(self, current: StoredAnswer | None):
        super().__init__("base_revision", _l("This answer was changed elsewhere in the "
                                             "meantime."), status=409)
        self.current = current


def _stored(row: Any) -> StoredAnswer | None:
    return None if row is None else StoredAnswer(*row)


def save_answer(catalog: Catalog, respondent: Respondent | Who, question_id: str, *,
                value: object = UNSET, comment: object = UNSET,
                flagged: object = UNSET, base_revision: int | None = None,
                connection: Connection | None = None) -> StoredAnswer:
    """Store one answer (insert or update, atomically). Saving the same thing twice is harmless.

    Only the fields given are changed. With `base_revision` (the revision the change was
    made on; 0 for a new answer) a change made on an outdated copy is refused with
    AnswerConflict instead of overwriting a newer answer. Raises FieldError (and changes
    nothing) on bad input, for a participant while the workshop is closed or the
    question's stage locked, and for a participant the facilitator removed.

    Written with SQLAlchemy Core, a handful of short statements: in a workshop hundreds
    of these run a second, and on SQLite each holds the write lock until its commit.
    """
    who = respondent if isinstance(respondent, Who) else Who(
        respondent.id, respondent.kind, respondent.assessment_id,
        respondent.assessment.questionnaire_id, removed=respondent.removed_at is not None)
    if who.removed:
        raise removed_error()
    questionnaire = catalog.questionnaires[who.questionnaire_id]
    try:
        question = questionnaire.question(question_id)
    except KeyError:
        raise FieldError("question_id", _l("'%(id)s' is not a question of this assessment.",
                                                   id=question_id), status=404) from None
    changes: dict[str, Any] = {}
    if value is not UNSET:
        changes["value"] = clean_value(value)
    if comment is not UNSET:
        text = "" if comment is None else str(comment)
        if len(text) > MAX_COMMENT:
            raise FieldError("comment", _l("The comment is longer than %(n)s characters.",
                                               n=MAX_COMMENT))
        changes["comment"] = text
    if flagged is not UNSET:
        if not isinstance(flagged, bool):
            raise FieldError("flagged", _l("'flagged' must be true or false."))
        changes["flagged"] = flagged
    if not changes:
        raise FieldError("value", _l("Nothing to save: give a value, a comment or a flag."))
    if base_revision is not None and (isinstance(base_revision, bool)
                                      or not isinstance(base_revision, int)):
        raise FieldError("base_revision", _l("'base_revision' must be a whole number."))

    if connection is None:
        connection = db.session.connection()
    if who.kind == "participant":
        if who.room is UNSET:
            check_workshop_open(connection, who.assessment_id, question.stage)
        else:
            check_room(who.room, question.stage)
    dialect = connection.dialect.name
    key = {"respondent_id": who.id, "question_id": question.id}
    row = {**key, "value": None, "comment": "", "flagged": False, "now": utcnow(), **changes}
    fields = tuple(sorted(changes))
    # Read first (locked on PostgreSQL; SQLite's write lock is held from the start): the
    # audit trail needs the answer as it was, and an unchanged answer needs no write.
    stored = _stored(connection.execute(
        _STORED_FOR_UPDATE if dialect == "postgresql" else _STORED, key).first())
    if stored is not None and all(getattr(stored, k) == v for k, v in changes.items()):
        # Already stored as asked (a retry whose acknowledgement was lost): nothing to
        # do, and no conflict either.
        return stored
    if base_revision is None:
        written = connection.execute(_upsert(dialect, fields, only_if_changed=True),
                                     row).first()
        if written is None:
            return StoredAnswer(*connection.execute(_STORED, key).one())
        saved = StoredAnswer(*written)
    else:
        if (stored.revision if stored else 0) != base_revision:
            raise AnswerConflict(stored)
        saved = StoredAnswer(*connection.execute(_upsert(dialect, fields), row).one())
    audit.record_answer(
        connection, who.id, who.kind, question.id,
        None if stored is None else {k: getattr(stored, k) for k in fields},
        {k: getattr(saved, k) for k in fields}, at=row["now"])
    connection.execute(_MOVE_ON, {"respondent_id": who.id, "stage": question.stage,
                                  "question": question.id})
    if isinstance(respondent, Respondent):
        # Keep the session's copy in step with the row just written.
        set_committed_value(respondent, "last_stage", question.stage)
        set_committed_value(respondent, "last_question", question.id)
        if respondent.assessment.status == "draft":
            respondent.assessment.status = "in_progress"
    return saved


def answers_of(respondent: Respondent) -> dict[str, Answer]:
    rows = db.session.scalars(select(Answer).where(Answer.respondent_id == respondent.id))
    return {row.question_id: row for row in rows}


def progress(questionnaire: Questionnaire, answers: dict[str, Answer]) -> list[StageProgress]:
    out = []
    for stage, questions in questions_by_stage(questionnaire).items():
        out.append(StageProgress(
            stage=stage,
            answered=sum(1 for q in questions if q.id in answers
                         and answers[q.id].value is not None),
            total=len(questions),
            flagged=sum(1 for q in questions if q.id in answers and answers[q.id].flagged),
        ))
    return out


def resume_stage(questionnaire: Questionnaire, respondent: Respondent,
                 answers: dict[str, Answer]) -> str:
    """Where to take someone back to: their last stage, else the first one not finished."""
    if respondent.last_stage in CANONICAL_STAGE_IDS:
        return respondent.last_stage
    for item in progress(questionnaire, answers):
        if not item.done:
            return item.stage
    return CANONICAL_STAGE_IDS[0]


def complete(assessment: Assessment, respondent: Respondent | None = None) -> None:
    now = utcnow()
    if respondent is not None:
        respondent.finished_at = now
    before = assessment.status
    assessment.status = "complete"
    assessment.completed_at = assessment.completed_at or now
    audit.record("assessment.completed", assessment=assessment, old={"status": before},
                 new={"status": "complete"},
                 actor=audit.respondent_actor(respondent)
                 if respondent is not None and respondent.kind == "executive" else None)
    db.session.flush()


def reopen(assessment: Assessment) -> None:
    """A complete assessment in progress again: its answers (and its link) can change.

    It keeps the date it was first completed (trends and reports are dated by it), as
    completing it again does.
    """
    if assessment.status == "complete":
        assessment.status = "in_progress"
        audit.record("assessment.reopened", assessment=assessment,
                     old={"status": "complete"}, new={"status": "in_progress"})
        db.session.flush()
