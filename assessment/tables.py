"""The ORM: ids, people, answers and dates. Model and question text stays in the YAML."""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime
from typing import Any

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from . import answers
from .extensions import db

ASSESSMENT_STATUSES = ("draft", "in_progress", "complete")
#: what a workshop participant may say they do
PARTICIPANT_ROLES = ("sales", "marketing", "service", "it", "management", "other")
MILESTONE_STATUSES = ("not_started", "in_progress", "blocked", "done")
#: where a milestone came from: a model's checklist, a priority gap, or the team
MILESTONE_ORIGINS = ("checklist", "gap", "team")
#: a roadmap that follows no catalogue model: the six canonical stages, filled by the team
CUSTOM_MODEL = "custom"
#: an account's role in a workspace: owner (everything, members and settings included) or
#: consultant (every client of the workspace)
WORKSPACE_ROLES = ("owner", "consultant")
#: an account's role on one client: viewer (reads results, reports, roadmap and trend) or
#: team (reads the roadmap, updates the milestones they own)
CLIENT_ROLES = ("viewer", "team")
#: what an invitation makes of the person who accepts it
INVITATION_ROLES = ("consultant", *CLIENT_ROLES)


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def new_token() -> str:
    return secrets.token_urlsafe(24)


class Workspace(db.Model):  # type: ignore[name-defined,misc]
    """A consultancy (or one consultant): everything under it is private to it."""

    __tablename__ = "workspaces"
    id: Mapped[int] = mapped_column(primary_key=True)
    #: shown on reports and the top bar
    name: Mapped[str] = mapped_column(String(120))
    #: brand colour for reports, as #rrggbb (brand.check_colour)
    brand_colour: Mapped[str] = mapped_column(String(7), default="#1f6f8b")
    #: the consultancy's logo in the reports' running header: PNG or JPEG bytes, checked by
    #: content, at most 512 KiB (brand.logo_type)
    logo: Mapped[bytes | None] = mapped_column(LargeBinary)
    logo_type: Mapped[str | None] = mapped_column(String(20))
    #: the confidentiality line of the reports' footer; empty: the app's own wording
    confidentiality: Mapped[str] = mapped_column(String(200), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    users: Mapped[list[User]] = relationship(back_populates="workspace")
    clients: Mapped[list[Client]] = relationship(back_populates="workspace")


class User(UserMixin, db.Model):  # type: ignore[name-defined,misc]
    """A consultant account."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"),
                                              index=True)
    #: stored lower-cased; the login name
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str] = mapped_column(String(256))
    #: preferred interface language, 'en' or 'fa'
    lang: Mapped[str | None] = mapped_column(String(2))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    #: set by the owner: the account no longer signs in, its history stays
    deactivated_at: Mapped[datetime | None] = mapped_column(DateTime)

    workspace: Mapped[Workspace] = relationship(back_populates="users")
    sign_ins: Mapped[list[SignIn]] = relationship(back_populates="user",
                                                  cascade="all, delete-orphan")
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="Membership.id")
    grants: Mapped[list[ClientGrant]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="ClientGrant.id")

    def signed_in_as(self, sign_in_id: str) -> User:
        """Mark the sign-in this request came with (kept on the object, not stored)."""
        self._sign_in_id = sign_in_id
        return self

    def get_id(self) -> str:
        """What the session and remember-me cookies carry: "<user id>:<sign-in id>".

        The user loader accepts it only while that sign-in lasts
        (`accounts.operations.signed_in_user`), so ending it ends every copy of the cookies.
        """
        return f"{self.id}:{getattr(self, '_sign_in_id', '')}"


class SignIn(db.Model):  # type: ignore[name-defined,misc]
    """One signed-in session of a user, so that it can be ended on the server.

    The session cookie and the remember-me cookie carry its id; a cookie whose sign-in is
    ended, expired or unknown no longer signs anyone in, even when replayed.
    """

    __tablename__ = "sign_ins"
    #: random, URL-safe; secret like the session it names
    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_token)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    #: after this moment the sign-in no longer counts (remember-me at most 30 days)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    #: set by logout, a password change or "sign out everywhere"
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)

    user: Mapped[User] = relationship(back_populates="sign_ins")


class Membership(db.Model):  # type: ignore[name-defined,misc]
    """An account's role in a workspace (`WORKSPACE_ROLES`); one account may have several."""

    __tablename__ = "memberships"
    __table_args__ = (
        UniqueConstraint("user_id", "workspace_id", name="uq_memberships_user_workspace"),
        CheckConstraint("role IN ('owner', 'consultant')", name="role"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"),
                                              index=True)
    role: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="memberships")
    workspace: Mapped[Workspace] = relationship()


class ClientGrant(db.Model):  # type: ignore[name-defined,misc]
    """An account's role on one client of a workspace (`CLIENT_ROLES`), for the client's own
    people; a team member's grant names the team member whose milestones they update."""

    __tablename__ = "client_grants"
    __table_args__ = (
        UniqueConstraint("user_id", "client_id", name="uq_client_grants_user_client"),
        CheckConstraint("role IN ('viewer', 'team')", name="role"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"),
                                           index=True)
    role: Mapped[str] = mapped_column(String(8))
    #: the person on the client's team this account is (role 'team')
    team_member_id: Mapped[int | None] = mapped_column(
        ForeignKey("team_members.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="grants")
    client: Mapped[Client] = relationship()
    team_member: Mapped[TeamMember | None] = relationship()


class Invitation(db.Model):  # type: ignore[name-defined,misc]
    """A one-time link that brings a person in: as a consultant of the workspace, or with a
    role on one of its clients. Only a hash of the link's secret is stored."""

    __tablename__ = "invitations"
    __table_args__ = (
        CheckConstraint("role IN ('consultant', 'viewer', 'team')", name="role"),
        CheckConstraint("(role = 'consultant') = (client_id IS NULL)", name="client_role"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"),
                                              index=True)
    #: stored lower-cased; whoever accepts signs in with it
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(120), default="")
    role: Mapped[str] = mapped_column(String(12))
    client_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"),
                                                  index=True)
    #: the existing team member the invited account becomes (role 'team')
    team_member_id: Mapped[int | None] = mapped_column(
        ForeignKey("team_members.id", ondelete="SET NULL"))
    #: SHA-256 of the link's secret, hex
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime)
    accepted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)

    workspace: Mapped[Workspace] = relationship()
    client: Mapped[Client | None] = relationship()
    team_member: Mapped[TeamMember | None] = relationship()


class PasswordReset(db.Model):  # type: ignore[name-defined,misc]
    """A one-time link that lets an account set a new password ("forgot password", or
    issued by the owner). Only a hash of the link's secret is stored."""

    __tablename__ = "password_resets"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: SHA-256 of the link's secret, hex
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: the owner who issued it; None when the user asked for it
    issued_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class Client(db.Model):  # type: ignore[name-defined,misc]
    """An organisation being assessed."""

    __tablename__ = "clients"
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"),
                                              index=True)
    name: Mapped[str] = mapped_column(String(200))
    sector: Mapped[str] = mapped_column(String(120), default="")
    size: Mapped[str] = mapped_column(String(40), default="")
    country: Mapped[str] = mapped_column(String(80), default="")
    contact: Mapped[str] = mapped_column(String(200), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    #: PNG or JPEG bytes, checked by content, at most 512 KiB
    logo: Mapped[bytes | None] = mapped_column(LargeBinary)
    logo_type: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    workspace: Mapped[Workspace] = relationship(back_populates="clients")
    assessments: Mapped[list[Assessment]] = relationship(
        back_populates="client", cascade="all, delete-orphan", order_by="Assessment.id"
    )
    team: Mapped[list[TeamMember]] = relationship(
        back_populates="client", cascade="all, delete-orphan", order_by="TeamMember.name"
    )
    data_profiles: Mapped[list[DataProfile]] = relationship(
        back_populates="client", cascade="all, delete-orphan",
        order_by="DataProfile.created_at, DataProfile.id"
    )


class Assessment(db.Model):  # type: ignore[name-defined,misc]
    """One assessment of a client with one questionnaire."""

    __tablename__ = "assessments"
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'in_progress', 'complete')", name="status"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"),
                                           index=True)
    title: Mapped[str] = mapped_column(String(200))
    #: id of a questionnaire in the catalogue
    questionnaire_id: Mapped[str] = mapped_column(String(60))
    #: ids of the deployment models to report against, in catalogue order
    model_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: target level 0-5 per canonical stage id
    targets: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(12), default="draft")
    #: secret for the executive self-assessment link (None: no link, or revoked)
    share_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    #: the link stops working after this moment (None: it does not expire)
    share_expires_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    due_on: Mapped[date | None] = mapped_column(Date)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime)

    client: Mapped[Client] = relationship(back_populates="assessments")
    respondents: Mapped[list[Respondent]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan", order_by="Respondent.id"
    )
    workshop: Mapped[Workshop | None] = relationship(
        back_populates="assessment", cascade="all, delete-orphan", uselist=False
    )
    roadmap: Mapped[Roadmap | None] = relationship(
        back_populates="assessment", cascade="all, delete-orphan", uselist=False
    )


class Respondent(db.Model):  # type: ignore[name-defined,misc]
    """Someone who answers: the consultant, an executive via a link, a participant."""

    __tablename__ = "respondents"
    __table_args__ = (
        UniqueConstraint("assessment_id", "user_id", name="uq_respondents_assessment_user"),
        CheckConstraint("kind IN ('consultant', 'executive', 'participant')", name="kind"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(12))
    #: the consultant answering, when kind is 'consultant'
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(String(120), default="")
    role: Mapped[str] = mapped_column(String(40), default="")
    #: secret that lets a person without an account resume
    token: Mapped[str] = mapped_column(String(64), unique=True, default=new_token)
    #: where the person was in the walk, to resume there
    last_stage: Mapped[str | None] = mapped_column(String(20))
    last_question: Mapped[str | None] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    #: a workshop participant the facilitator removed: kept, with their answers, out of
    #: every score
    removed_at: Mapped[datetime | None] = mapped_column(DateTime)

    assessment: Mapped[Assessment] = relationship(back_populates="respondents")
    answers: Mapped[list[Answer]] = relationship(
        back_populates="respondent", cascade="all, delete-orphan"
    )


class Answer(db.Model):  # type: ignore[name-defined,misc]
    """One respondent's answer to one question (value, comment, review flag)."""

    __tablename__ = "answers"
    __table_args__ = (
        UniqueConstraint("respondent_id", "question_id", name="uq_answers_respondent_question"),
        CheckConstraint(f"value IS NULL OR value IN ({answers.SQL_VALUES})", name="value"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    respondent_id: Mapped[int] = mapped_column(
        ForeignKey("respondents.id", ondelete="CASCADE"), index=True
    )
    #: id of a question in the assessment's questionnaire
    question_id: Mapped[str] = mapped_column(String(60))
    #: one of answers.VALUES, or None when only a comment or flag was given
    value: Mapped[str | None] = mapped_column(String(7))
    comment: Mapped[str] = mapped_column(Text, default="")
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    #: bumped on every save; lets clients detect a stale write
    revision: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    respondent: Mapped[Respondent] = relationship(back_populates="answers")

    def scoring_value(self) -> answers.AnswerValue | None:
        return answers.scoring_value(self.value)


class Workshop(db.Model):  # type: ignore[name-defined,misc]
    """An assessment answered live by a room of participants who join with a short code."""

    __tablename__ = "workshops"
    __table_args__ = (CheckConstraint("status IN ('open', 'closed')", name="status"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), unique=True
    )
    #: what participants type on their phones: six letters and digits, no look-alikes
    code: Mapped[str] = mapped_column(String(12), unique=True)
    #: True: the facilitator sees who answered what; False: participants stay anonymous
    named: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(8), default="open")
    #: canonical stage ids that refuse answers for now
    locked_stages: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)

    assessment: Mapped[Assessment] = relationship(back_populates="workshop")


class AgreedAnswer(db.Model):  # type: ignore[name-defined,misc]
    """The answer a room settled on after discussing a question; kept beside the individual ones."""

    __tablename__ = "agreed_answers"
    __table_args__ = (
        UniqueConstraint("assessment_id", "question_id", name="uq_agreed_assessment_question"),
        CheckConstraint(f"value IN ({answers.SQL_VALUES})", name="value"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[str] = mapped_column(String(60))
    value: Mapped[str] = mapped_column(String(7))
    #: what the room said, in a line or two
    note: Mapped[str] = mapped_column(Text, default="")
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    def scoring_value(self) -> answers.AnswerValue:
        return answers.scoring_value(self.value)


class ApiToken(db.Model):  # type: ignore[name-defined,misc]
    """A consultant's key to the JSON API. Only a hash of the secret is stored."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    #: SHA-256 of the secret, hex
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: the first characters of the secret, to tell tokens apart in a list
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)

    user: Mapped[User] = relationship()


class TeamMember(db.Model):  # type: ignore[name-defined,misc]
    """A person on the client's project team who can own milestones; no account needed."""

    __tablename__ = "team_members"
    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"),
                                           index=True)
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254), default="")
    #: what they do on the project, in their own words
    role: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    client: Mapped[Client] = relationship(back_populates="team")


class Roadmap(db.Model):  # type: ignore[name-defined,misc]
    """How a client rolls out CRM after an assessment: one deployment model's stages, in order."""

    __tablename__ = "roadmaps"
    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), unique=True
    )
    #: a catalogue model id, or 'custom'
    model_id: Mapped[str] = mapped_column(String(60))
    #: the team's name for a custom roadmap
    title: Mapped[str] = mapped_column(String(200), default="")
    starts_on: Mapped[date] = mapped_column(Date)
    #: None while the team is still reviewing the proposal
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    assessment: Mapped[Assessment] = relationship(back_populates="roadmap")
    milestones: Mapped[list[Milestone]] = relationship(
        back_populates="roadmap", cascade="all, delete-orphan",
        order_by="(Milestone.position, Milestone.id)",
    )


milestone_dependencies = Table(
    "milestone_dependencies",
    db.metadata,
    Column("milestone_id", ForeignKey("milestones.id", ondelete="CASCADE"), primary_key=True),
    Column("depends_on_id", ForeignKey("milestones.id", ondelete="CASCADE"), primary_key=True),
)


class Milestone(db.Model):  # type: ignore[name-defined,misc]
    """A piece of rollout work: a model checklist item, a gap to close, or the team's own."""

    __tablename__ = "milestones"
    __table_args__ = (
        CheckConstraint("status IN ('not_started', 'in_progress', 'blocked', 'done')",
                        name="status"),
        CheckConstraint("progress >= 0 AND progress <= 100", name="progress"),
        CheckConstraint("origin IN ('checklist', 'gap', 'team', 'data')", name="origin"),
        CheckConstraint("start_on IS NULL OR due_on IS NULL OR start_on <= due_on",
                        name="dates_in_order"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    roadmap_id: Mapped[int] = mapped_column(ForeignKey("roadmaps.id", ondelete="CASCADE"),
                                            index=True)
    #: the roadmap's stage: a model stage id, or a canonical stage id for a custom roadmap
    stage: Mapped[str] = mapped_column(String(60))
    #: order within the roadmap
    position: Mapped[int] = mapped_column(Integer, default=0)
    origin: Mapped[str] = mapped_column(String(10), default="team")
    #: the checklist item id (origin 'checklist'), question id (origin 'gap') or
    #: "<profile id>:<proposal>" (origin 'data': proposed by a customer-data profile)
    origin_ref: Mapped[str] = mapped_column(String(120), default="")
    title_en: Mapped[str] = mapped_column(Text, default="")
    title_fa: Mapped[str] = mapped_column(Text, default="")
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("team_members.id", ondelete="SET NULL"), index=True
    )
    start_on: Mapped[date | None] = mapped_column(Date)
    due_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default="not_started")
    progress: Mapped[int] = mapped_column(Integer, default=0)
    notes: Mapped[str] = mapped_column(Text, default="")
    #: the day it was marked done
    done_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    roadmap: Mapped[Roadmap] = relationship(back_populates="milestones")
    owner: Mapped[TeamMember | None] = relationship()
    depends_on: Mapped[list[Milestone]] = relationship(
        secondary=milestone_dependencies,
        primaryjoin="Milestone.id == milestone_dependencies.c.milestone_id",
        secondaryjoin="Milestone.id == milestone_dependencies.c.depends_on_id",
        order_by="Milestone.position",
    )
    evidence: Mapped[list[Evidence]] = relationship(
        back_populates="milestone", cascade="all, delete-orphan", order_by="Evidence.id"
    )

    def title(self, lang: str) -> str:
        """The title in `lang`, or in the other language when it has none there."""
        if lang == "fa":
            return self.title_fa or self.title_en
        return self.title_en or self.title_fa

    def overdue(self, today: date) -> bool:
        return self.status != "done" and self.due_on is not None and self.due_on < today


class Evidence(db.Model):  # type: ignore[name-defined,misc]
    """What shows a milestone is done: a link, or a small file kept in the database."""

    __tablename__ = "evidence"
    __table_args__ = (CheckConstraint("kind IN ('link', 'file')", name="kind"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    milestone_id: Mapped[int] = mapped_column(
        ForeignKey("milestones.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(4))
    label: Mapped[str] = mapped_column(String(200), default="")
    url: Mapped[str] = mapped_column(Text, default="")
    filename: Mapped[str] = mapped_column(String(255), default="")
    content_type: Mapped[str] = mapped_column(String(100), default="")
    size: Mapped[int] = mapped_column(Integer, default=0)
    #: SHA-256 of the file, hex
    sha256: Mapped[str] = mapped_column(String(64), default="")
    #: loaded only when the file is downloaded or exported, not with every listing
    data: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    milestone: Mapped[Milestone] = relationship(back_populates="evidence")


#: who can have made a change: a signed-in account, a workshop participant, someone
#: answering through an executive share link, or the command line and imports
AUDIT_ACTOR_KINDS = ("account", "participant", "link", "system")


class AuditEntry(db.Model):  # type: ignore[name-defined,misc]
    """One change, kept after what it describes: who, when, what, old -> new.

    Deleting a client deletes its entries (as it deletes everything else of the client);
    an assessment, roadmap, account or respondent that goes away leaves its entries, which
    keep a label of the person and of the subject as they were at the time.
    """

    __tablename__ = "audit_entries"
    __table_args__ = (
        CheckConstraint("actor_kind IN ('account', 'participant', 'link', 'system')",
                        name="actor_kind"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    #: None for a change of the workspace itself (its members, for example)
    client_id: Mapped[int | None] = mapped_column(
        ForeignKey("clients.id", ondelete="CASCADE"), index=True)
    assessment_id: Mapped[int | None] = mapped_column(
        ForeignKey("assessments.id", ondelete="SET NULL"), index=True)
    roadmap_id: Mapped[int | None] = mapped_column(
        ForeignKey("roadmaps.id", ondelete="SET NULL"), index=True)
    #: UTC
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    actor_kind: Mapped[str] = mapped_column(String(12))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    respondent_id: Mapped[int | None] = mapped_column(
        ForeignKey("respondents.id", ondelete="SET NULL"), index=True)
    #: the person's name or e-mail at the time, readable after they are gone
    actor_label: Mapped[str] = mapped_column(String(254), default="")
    #: what happened, as a code: 'answer.set', 'milestone.status', ...
    action: Mapped[str] = mapped_column(String(40))
    #: what it happened to: a question id, a stage id, a milestone's id ...
    subject: Mapped[str] = mapped_column(String(120), default="")
    #: a readable name of the subject at the time (a milestone's title, a person's name)
    subject_label: Mapped[str] = mapped_column(Text, default="")
    #: the changed values before and after, as small JSON objects (None: nothing before)
    old: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    new: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class DataProfile(db.Model):  # type: ignore[name-defined,misc]
    """One measurement of a client's customer data (files a consultant uploaded).

    Aggregates only: `result` is `customerdata.Profile.to_json()` (counts and shares,
    never a name, number, id or address from the files), and the files themselves are
    never stored. See docs/customer-data.md.
    """

    __tablename__ = "data_profiles"
    __table_args__ = (
        CheckConstraint("score BETWEEN 0 AND 5", name="score"),
        CheckConstraint("window_months BETWEEN 6 AND 12", name="window_months"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"),
                                           index=True)
    #: UTC
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: the day the profile is measured at, and the months of its activity window
    as_of: Mapped[date | None] = mapped_column(Date)
    window_months: Mapped[int] = mapped_column(Integer, default=12)
    rows: Mapped[int] = mapped_column(Integer, default=0)
    customers: Mapped[int] = mapped_column(Integer, default=0)
    #: the measured data level, 0-5 (customerdata/score.py)
    score: Mapped[int] = mapped_column(Integer, default=0)
    #: the files' money unit as the consultant labelled it ("rial", "toman" or ""): the
    #: shares do not depend on it
    unit: Mapped[str] = mapped_column(String(20), default="")
    result: Mapped[dict[str, Any]] = mapped_column(JSON)

    client: Mapped[Client] = relationship(back_populates="data_profiles")
