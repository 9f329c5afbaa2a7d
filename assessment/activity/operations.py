"""Reading the audit trail: an assessment's, a roadmap's or a workspace's entries, newest
first, filtered by who and by date, described in the reader's language (and as CSV)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select

from .. import answers, i18n
from ..access import ROLE_NAMES
from ..catalog import Catalog
from ..extensions import db
from ..rollout.exports import Column, Sheet
from ..tables import Assessment, AuditEntry, Client, Milestone, Respondent, Workshop

PER_PAGE = 50
#: the most rows a CSV export holds (newest first)
MAX_EXPORT = 50_000

ACTION_NAMES = {
    "answer.set": _l("Answer saved"),
    "answer.cleared": _l("Answer cleared"),
    "agreed.set": _l("Agreed answer recorded"),
    "agreed.cleared": _l("Agreed answer removed"),
    "assessment.completed": _l("Assessment completed"),
    "assessment.reopened": _l("Assessment reopened"),
    "workshop.opened": _l("Workshop opened"),
    "workshop.closed": _l("Workshop closed"),
    "workshop.stage_locked": _l("Stage locked"),
    "workshop.stage_unlocked": _l("Stage opened for answers"),
    "participant.removed": _l("Participant removed"),
    "share.issued": _l("Self-assessment link issued"),
    "share.revoked": _l("Self-assessment link revoked"),
    "milestone.created": _l("Milestone added"),
    "milestone.changed": _l("Milestone changed"),
    "milestone.deleted": _l("Milestone deleted"),
    "milestone.status": _l("Milestone moved"),
    "membership.role": _l("Role in the workspace changed"),
    "membership.active": _l("Account deactivated or reactivated"),
    "grant.set": _l("Access to a client given"),
    "invitation.created": _l("Invitation sent"),
    "invitation.accepted": _l("Invitation accepted"),
    "invitation.revoked": _l("Invitation withdrawn"),
    "invitation.renewed": _l("Invitation sent again"),
    "data.profiled": _l("Customer data measured"),
}
FIELD_NAMES = {
    "value": _l("Answer"), "comment": _l("Comment"), "flagged": _l("Flagged for review"),
    "note": _l("Note"), "status": _l("Status"), "named": _l("Names shown"),
    "locked": _l("Locked"), "removed": _l("Removed"), "link": _l("Link works"),
    "last_day": _l("Last day"), "title_en": _l("Title in English"),
    "title_fa": _l("Title in Persian"), "stage": _l("Stage"), "owner": _l("Owner"),
    "start_on": _l("Start"), "due_on": _l("Due"), "progress": _l("Progress"),
    "notes": _l("Notes"),
    "role": _l("Role"), "active": _l("Active"), "email": _l("E-mail"),
    "customers": _l("Customers"), "score": _l("Measured data level"),
}
STATUS_NAMES = {
    "draft": _l("Draft"), "in_progress": _l("In progress"), "complete": _l("Complete"),
    "open": _l("Open"), "closed": _l("Closed"), "not_started": _l("Not started"),
    "blocked": _l("Blocked"), "done": _l("Done"),
}
ACTOR_KINDS = {
    "account": _l("Account"), "participant": _l("Workshop participant"),
    "link": _l("Self-assessment link"), "system": _l("Command line or import"),
}
#: fields whose values people typed (shown isolated, through the `user` filter)
USER_FIELDS = frozenset({"comment", "note", "title_en", "title_fa", "owner", "notes", "email"})
DATE_FIELDS = frozenset({"last_day", "start_on", "due_on"})


@dataclass(frozen=True)
class Scope:
    """Whose entries: a workspace's, narrowed to an assessment or a roadmap."""

    workspace_id: int
    assessment_id: int | None = None
    roadmap_id: int | None = None

    def query(self) -> Select[Any]:
        query = select(AuditEntry).where(AuditEntry.workspace_id == self.workspace_id)
        if self.assessment_id is not None:
            query = query.where(AuditEntry.assessment_id == self.assessment_id)
        if self.roadmap_id is not None:
            query = query.where(AuditEntry.roadmap_id == self.roadmap_id)
        return query


@dataclass(frozen=True)
class Filters:
    """Who (an actor key, see `actor_key`) and the first and last day (UTC), all optional."""

    who: str = ""
    since: date | None = None
    until: date | None = None

    def apply(self, query: Select[Any]) -> Select[Any]:
        if self.who:
            kind, _sep, ident = self.who.partition(":")
            query = query.where(AuditEntry.actor_kind == kind)
            if kind == "account" and ident.isdigit():
                query = query.where(AuditEntry.user_id == int(ident))
            elif kind in ("participant", "link") and ident.isdigit():
                query = query.where(AuditEntry.respondent_id == int(ident))
            elif ident:
                query = query.where(AuditEntry.actor_label == ident)
        if self.since is not None:
            query = query.where(AuditEntry.at >= datetime.combine(self.since, time.min))
        if self.until is not None:
            query = query.where(AuditEntry.at < datetime.combine(self.until + timedelta(days=1),
                                                                 time.min))
        return query


def actor_key(kind: str, user_id: int | None, respondent_id: int | None, label: str) -> str:
    """How the "who" filter names a person: by account or respondent, else by label."""
    if kind == "account" and user_id is not None:
        return f"account:{user_id}"
    if kind in ("participant", "link") and respondent_id is not None:
        return f"{kind}:{respondent_id}"
    return f"{kind}:{label}" if label else kind


@dataclass
class Page:
    entries: list[AuditEntry]
    total: int
    number: int
    pages: int
    rows: list[Row] = field(default_factory=list)


@dataclass(frozen=True)
class Change:
    field: str
    name: str
    old: str
    new: str
    #: user-typed values: the page shows them isolated
    user: bool


@dataclass(frozen=True)
class Row:
    entry: AuditEntry
    when: str
    who: str
    #: the label is what the person typed as their name (shown through `user`)
    who_is_text: bool
    kind: str
    action: str
    subject: str
    subject_is_text: bool
    changes: tuple[Change, ...]


def page(scope: Scope, filters: Filters, number: int = 1) -> Page:
    query = filters.apply(scope.query())
    total = int(db.session.scalar(select(func.count()).select_from(query.subquery())) or 0)
    pages = max(1, -(-total // PER_PAGE))
    number = min(max(1, number), pages)
    entries = list(db.session.scalars(
        query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(PER_PAGE).offset((number - 1) * PER_PAGE)))
    return Page(entries, total, number, pages)


def all_entries(scope: Scope, filters: Filters) -> list[AuditEntry]:
    return list(db.session.scalars(
        filters.apply(scope.query()).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(MAX_EXPORT)))


def people(scope: Scope, lang: str) -> list[tuple[str, str]]:
    """Everyone with an entry in the scope, for the "who" filter: (key, label)."""
    rows = db.session.execute(
        scope.query().with_only_columns(AuditEntry.actor_kind, AuditEntry.user_id,
                                        AuditEntry.respondent_id, AuditEntry.actor_label)
        .distinct()).all()
    hidden = _anonymous_respondents([r.respondent_id for r in rows if r.respondent_id])
    out: dict[str, str] = {}
    for kind, user_id, respondent_id, label in rows:
        key = actor_key(kind, user_id, respondent_id, label)
        out.setdefault(key, _who(kind, label, respondent_id in hidden)[0])
    return sorted(out.items(), key=lambda item: item[1].casefold())


def _anonymous_respondents(ids: Sequence[int]) -> set[int]:
    """Participants of workshops that do not show names: their name stays hidden here too."""
    if not ids:
        return set()
    return set(db.session.scalars(
        select(Respondent.id).join(Workshop, Workshop.assessment_id == Respondent.assessment_id)
        .where(Respondent.id.in_(set(ids)), Respondent.kind == "participant",
               Workshop.named.is_(False))))


def _who(kind: str, label: str, anonymous: bool) -> tuple[str, bool]:
    if kind == "system":
        return str(ACTOR_KINDS["system"]), False
    if kind == "participant" and (anonymous or not label):
        return str(ACTOR_KINDS["participant"]), False
    if kind == "link" and not label:
        return str(ACTOR_KINDS["link"]), False
    return label, True


def describe(catalog: Catalog, entries: Sequence[AuditEntry], lang: str) -> list[Row]:
    """The entries as people read them, in `lang` (the request's language)."""
    hidden = _anonymous_respondents([e.respondent_id for e in entries if e.respondent_id])
    milestone_ids = [int(e.subject) for e in entries
                     if e.action.startswith("milestone.") and e.subject.isdigit()]
    titles: dict[int, Milestone] = {}
    if milestone_ids:
        titles = {m.id: m for m in db.session.scalars(
            select(Milestone).where(Milestone.id.in_(set(milestone_ids))))}
    questionnaires = dict(db.session.execute(
        select(Assessment.id, Assessment.questionnaire_id).where(
            Assessment.id.in_({e.assessment_id for e in entries if e.assessment_id}))).all())
    rows = []
    for entry in entries:
        who, who_is_text = _who(entry.actor_kind, entry.actor_label,
                                entry.respondent_id in hidden)
        subject, subject_is_text = _subject(catalog, entry, lang, titles,
                                            questionnaires.get(entry.assessment_id or 0))
        rows.append(Row(
            entry=entry, when=when(entry.at, lang), who=who, who_is_text=who_is_text,
            kind=str(ACTOR_KINDS.get(entry.actor_kind, entry.actor_kind)),
            action=str(ACTION_NAMES.get(entry.action, entry.action)),
            subject=subject, subject_is_text=subject_is_text,
            changes=_changes(catalog, entry, lang)))
    return rows


def when(at: datetime, lang: str) -> str:
    """A moment in UTC: its day (Solar Hijri in Persian) and hour:minute."""
    return f"{i18n.format_date(at, lang)}، {i18n.digits(at.strftime('%H:%M'), lang)}" \
        if lang == "fa" else f"{i18n.format_date(at, lang)}, {at.strftime('%H:%M')}"


def _subject(catalog: Catalog, entry: AuditEntry, lang: str, milestones: dict[int, Milestone],
             questionnaire_id: str | None) -> tuple[str, bool]:
    """What the change was made to, and whether that is text someone typed."""
    action, subject = entry.action, entry.subject
    if action.startswith(("answer.", "agreed.")):
        if questionnaire_id in catalog.questionnaires:
            try:
                question = catalog.questionnaires[questionnaire_id].question(subject)
            except KeyError:
                pass
            else:
                return question.text.get(lang), False
        return subject, True
    if action.startswith("workshop.stage_"):
        try:
            return catalog.stage(subject).name.get(lang), False
        except KeyError:
            return subject, True
    if action.startswith("milestone."):
        found = milestones.get(int(subject)) if subject.isdigit() else None
        if found is not None:
            return found.title(lang), True
        return entry.subject_label, True
    if action.startswith(("membership.", "grant.", "invitation.")):
        return entry.subject_label, True  # the person's e-mail
    if action == "participant.removed":
        anonymous = entry.subject_label == "" or _anonymous_respondents(
            [int(subject)] if subject.isdigit() else [])
        if anonymous:
            return str(ACTOR_KINDS["participant"]), False
        return entry.subject_label, True
    return "", False


def _value(catalog: Catalog, name: str, value: Any, lang: str) -> str:
    if value is None or value == "":
        return "–"
    if name == "value":
        return answers.label(value, lang)
    if name in ("status",):
        return str(STATUS_NAMES.get(str(value), value))
    if name == "role":
        return str(ROLE_NAMES.get(str(value), value))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if name == "stage":
        try:
            return catalog.stage(str(value)).name.get(lang)
        except KeyError:
            return str(value)
    if name in DATE_FIELDS:
        try:
            return i18n.format_date(date.fromisoformat(str(value)), lang)
        except ValueError:
            return str(value)
    if name == "progress" and isinstance(value, int):
        return i18n.percent(value / 100, lang)
    if isinstance(value, int | float):
        return i18n.number(value, lang)
    return str(value)


def _changes(catalog: Catalog, entry: AuditEntry, lang: str) -> tuple[Change, ...]:
    old, new = entry.old or {}, entry.new or {}
    out = []
    for name in dict.fromkeys([*old, *new]):
        if name in ("link",) and entry.action == "share.issued" and old.get(name) is None:
            continue  # "the link works" says nothing a new link's last day does not
        out.append(Change(
            field=name, name=str(FIELD_NAMES.get(name, name)),
            old=_value(catalog, name, old.get(name), lang) if entry.old is not None else "",
            new=_value(catalog, name, new.get(name), lang) if entry.new is not None else "",
            user=name in USER_FIELDS))
    return tuple(out)


# --- CSV ------------------------------------------------------------------------------


def sheet(rows: Sequence[Row], title: str) -> Sheet:
    """The rows as a spreadsheet, headers in the request's language."""
    out = Sheet(title, [Column(_("When (UTC)")), Column(_("Who")), Column(_("As")),
                        Column(_("What")), Column(_("Subject"), "long"),
                        Column(_("Before"), "long"), Column(_("After"), "long")])
    for row in rows:
        out.rows.append([
            row.entry.at.strftime("%Y-%m-%d %H:%M:%S"), row.who, row.kind, row.action,
            row.subject,
            "\n".join(f"{c.name}: {c.old}" for c in row.changes if c.old),
            "\n".join(f"{c.name}: {c.new}" for c in row.changes if c.new),
        ])
    return out


def scope_title(client: Client | None, assessment: Assessment | None) -> str:
    if assessment is not None:
        return assessment.title
    if client is not None:
        return client.name
    return _("Activity")
