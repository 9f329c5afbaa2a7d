"""An executive's self-assessment link: one link, one respondent, a life the consultant controls.

- Whoever holds the link answers as the assessment's executive respondent, made when the
  link is first started (with old data holding several, the first of them): the same
  person on every device, never another respondent.
- A link works until the end of its last day (UTC; `SHARE_LINK_DAYS` after it is issued,
  unless the consultant chooses another day), until it is revoked, or until a new one
  replaces it. The respondent and the answers stay whatever happens to the link.
- Once the assessment is complete, the link only shows the results: every write through
  it is refused (409) until the consultant reopens the assessment.

Operations validate and flush; views commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .. import audit
from ..errors import FieldError
from ..extensions import db
from ..tables import Assessment, Respondent, new_token, utcnow

MAX_NAME = 120
MAX_ROLE = 40


@dataclass(frozen=True)
class LinkState:
    """What the assessment page says about the link."""

    token: str | None
    #: the last day the link works (None: it does not expire)
    last_day: date | None
    expired: bool

    @property
    def works(self) -> bool:
        return self.token is not None and not self.expired


def last_moment(day: date) -> datetime:
    """The end of `day`: a link that works until that day works all of it."""
    return datetime.combine(day, time.max)


def today() -> date:
    return utcnow().date()


def state(assessment: Assessment) -> LinkState:
    expires = assessment.share_expires_at
    return LinkState(assessment.share_token, expires.date() if expires else None,
                     expires is not None and expires < utcnow())


def issue_link(assessment: Assessment, *, audited: bool = True) -> str:
    """A new link (the old one, if any, stops working), for `SHARE_LINK_DAYS` from today.

    An import makes one without an audit entry (`audited=False`): it restores a link the
    file had, with the file's own history.
    """
    replaced = assessment.share_token is not None
    assessment.share_token = new_token()
    days = int(current_app.config["SHARE_LINK_DAYS"])
    assessment.share_expires_at = last_moment(today() + timedelta(days=days))
    # The secret itself is never recorded: only that there is a (new) link, and its last day.
    if audited:
        audit.record("share.issued", assessment=assessment,
                     old={"link": True} if replaced else None,
                     new={"link": True,
                          "last_day": (today() + timedelta(days=days)).isoformat()})
    db.session.flush()
    return assessment.share_token


def revoke_link(assessment: Assessment) -> None:
    """The link stops working; nothing answered through it is lost."""
    if assessment.share_token is not None:
        audit.record("share.revoked", assessment=assessment, old={"link": True},
                     new={"link": False})
    assessment.share_token = None
    assessment.share_expires_at = None
    db.session.flush()


def set_last_day(assessment: Assessment, day: date | None) -> None:
    """The link works until the end of `day`, from today on."""
    if assessment.share_token is None:
        raise FieldError("last_day", _l("This assessment has no link: issue one first."),
                         status=409)
    if day is None:
        raise FieldError("last_day", _l("Give the last day the link works."))
    if day < today():
        raise FieldError("last_day", _l("The last day cannot be in the past: to stop the "
                                        "link at once, revoke it."))
    assessment.share_expires_at = last_moment(day)
    db.session.flush()


def assessment_by_link(token: str) -> Assessment | None:
    """The assessment a working link opens; None for an unknown, revoked or expired link."""
    if not token:
        return None
    assessment: Assessment | None = db.session.scalar(
        select(Assessment).where(Assessment.share_token == token))
    if assessment is None or state(assessment).expired:
        return None
    return assessment


def link_respondent(assessment: Assessment) -> Respondent | None:
    """The person who answers through the link: the assessment's first executive."""
    found: Respondent | None = db.session.scalar(
        select(Respondent).where(Respondent.assessment_id == assessment.id,
                                 Respondent.kind == "executive")
        .order_by(Respondent.id).limit(1))
    return found


def read_only(assessment: Assessment) -> bool:
    """Whether the link only shows the results: once the assessment is complete."""
    return assessment.status == "complete"


def check_writable(assessment: Assessment) -> None:
    """A complete assessment's answers cannot be changed through its link."""
    if read_only(assessment):
        raise FieldError("assessment", _l(
            "This self-assessment is complete, so its answers can no longer be changed. "
            "If something needs correcting, ask the consultant to reopen it."), status=409)


def start(assessment: Assessment, name: str, role: str) -> Respondent:
    """The link's respondent, made the first time (with the name and role given then).

    Started again, on this device or another, it is the same respondent, unchanged.
    """
    check_writable(assessment)
    # Two devices starting at once: the second waits for the first (the assessment row
    # is locked on PostgreSQL; a writing request holds SQLite's write lock from its start).
    db.session.scalar(select(Assessment.id).where(Assessment.id == assessment.id)
                      .with_for_update())
    respondent = link_respondent(assessment)
    if respondent is None:
        respondent = Respondent(assessment=assessment, kind="executive",
                                name=name.strip()[:MAX_NAME], role=role.strip()[:MAX_ROLE])
        db.session.add(respondent)
        db.session.flush()
    return respondent
