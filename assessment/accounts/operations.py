"""Accounts: workspaces, consultants and their sign-ins. Operations flush, the caller
commits.

A sign-in is a row (`SignIn`) that the session and remember-me cookies name; ending it on
the server ends every copy of those cookies. Failed sign-ins are counted per account and
per address on the rate limiter's shared storage, so every worker sees the same counts.
"""

from __future__ import annotations

import functools
import math
import secrets
import time
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from limits import RateLimitItem, RateLimitItemPerSecond
from sqlalchemy import delete, func, or_, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from .. import brand
from ..errors import FieldError
from ..extensions import db, limiter
from ..tables import WORKSPACE_ROLES, Membership, SignIn, User, Workspace, utcnow

MIN_PASSWORD = 8
#: the longest workspace name and confidentiality line (the columns' sizes)
WORKSPACE_NAME_CHARS = 120
CONFIDENTIALITY_CHARS = 200


class AccountError(ValueError):
    pass


def normalise_email(email: str) -> str:
    email = email.strip().lower()
    if "@" not in email or len(email) > 254 or email.startswith("@") or email.endswith("@"):
        raise AccountError(f"'{email}' is not an e-mail address")
    return email


def create_user(email: str, password: str, *, name: str = "",
                workspace: Workspace | None = None, workspace_name: str | None = None,
                role: str | None = None) -> User:
    """An account with a role in `workspace` (a consultant unless `role` says otherwise),
    or the owner of a new workspace of their own. `role` None with a workspace and
    `role` "none" make an account without a membership (for a client grant)."""
    email = normalise_email(email)
    check_password(password)
    if role not in (None, "none", *WORKSPACE_ROLES):
        raise AccountError(f"the role must be one of {', '.join(WORKSPACE_ROLES)}")
    if db.session.scalar(select(User).where(User.email == email)) is not None:
        raise AccountError(f"an account for {email} already exists")
    if workspace is None:
        workspace = Workspace(name=workspace_name or name or email.split("@")[0])
        db.session.add(workspace)
        if role not in (None, "owner"):
            raise AccountError("the first account of a new workspace is its owner")
        role = "owner"
    user = User(email=email, name=name, workspace=workspace,
                password_hash=generate_password_hash(password))
    db.session.add(user)
    if role != "none":
        db.session.add(Membership(user=user, workspace=workspace, role=role or "consultant"))
    db.session.flush()
    return user


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password must have at least {MIN_PASSWORD} characters")


def set_password(user: User, password: str) -> None:
    check_password(password)
    user.password_hash = generate_password_hash(password)


def authenticate(email: str, password: str) -> User | None:
    """The account with this e-mail and password, or None.

    An unknown e-mail costs the same hash work as a known one (checked against a stand-in
    hash), so the time of the answer does not tell which accounts exist.
    """
    user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None:
        check_password_hash(_stand_in_hash(), password)
        return None
    if not check_password_hash(user.password_hash, password):
        return None
    return user if user.deactivated_at is None else None


@functools.cache
def _stand_in_hash() -> str:
    """A hash made the way account passwords are, of a password nobody knows."""
    return generate_password_hash(secrets.token_urlsafe(16))


# --- failed sign-ins ------------------------------------------------------------------


def _failure_counters(email: str, address: str) -> list[tuple[RateLimitItem, str, str]]:
    """(limit, scope, key) of the two counts of failed sign-ins: per account, per address."""
    config = current_app.config
    window = int(config["LOGIN_FAILURE_WINDOW"])
    per_account = RateLimitItemPerSecond(int(config["LOGIN_FAILURES_PER_ACCOUNT"]), window)
    per_address = RateLimitItemPerSecond(int(config["LOGIN_FAILURES_PER_ADDRESS"]), window)
    # Counted per e-mail typed, whether or not it has an account: a refusal that came only
    # for real accounts would tell which exist.
    return [(per_account, "sign-in-account", email.strip().lower()),
            (per_address, "sign-in-address", address)]


def counters_wait(counters: list[tuple[RateLimitItem, str, str]]) -> int:
    """Seconds until none of these (limit, scope, key) counts is full any more; 0: now."""
    if not limiter.enabled:
        return 0
    strategy = limiter.limiter
    ends = [strategy.get_window_stats(item, scope, key).reset_time
            for item, scope, key in counters if not strategy.test(item, scope, key)]
    return max(1, math.ceil(max(ends) - time.time())) if ends else 0


def count_in(counters: list[tuple[RateLimitItem, str, str]]) -> None:
    """One more in each of these (limit, scope, key) counts."""
    if limiter.enabled:
        for item, scope, key in counters:
            limiter.limiter.hit(item, scope, key)


def sign_in_wait(email: str, address: str) -> int:
    """Seconds until this e-mail may be tried again from this address; 0: now."""
    return counters_wait(_failure_counters(email, address))


def count_failed_sign_in(email: str, address: str) -> None:
    """One more failed sign-in for this e-mail and this address (successes do not count)."""
    count_in(_failure_counters(email, address))


# --- sign-ins: what the session and remember-me cookies name --------------------------


def sign_in_lifetime() -> timedelta:
    """How long a sign-in lasts at most: as long as "keep me signed in" (30 days unless
    configured otherwise). Without it the browser forgets the session when it closes."""
    duration = current_app.config["REMEMBER_COOKIE_DURATION"]
    return duration if isinstance(duration, timedelta) else timedelta(seconds=int(duration))


def start_sign_in(user: User) -> SignIn:
    """A new sign-in of `user`; the user now carries its id (`User.get_id`).

    The user's sign-ins that have ended or expired are deleted: nothing needs them.
    """
    now = utcnow()
    db.session.execute(delete(SignIn).where(SignIn.user_id == user.id,
                                            or_(SignIn.ended_at.is_not(None),
                                                SignIn.expires_at <= now)))
    sign_in = SignIn(user_id=user.id, created_at=now, expires_at=now + sign_in_lifetime())
    db.session.add(sign_in)
    db.session.flush()
    user.signed_in_as(sign_in.id)
    return sign_in


def signed_in_user(cookie_id: str) -> User | None:
    """The user a session or remember-me cookie names ("<user id>:<sign-in id>"), while
    that sign-in is theirs, has not ended and has not expired; otherwise None."""
    user_id, _, sign_in_id = cookie_id.partition(":")
    if not user_id.isdigit() or not sign_in_id:
        return None
    sign_in = db.session.get(SignIn, sign_in_id)
    if (sign_in is None or sign_in.user_id != int(user_id) or sign_in.ended_at is not None
            or sign_in.expires_at <= utcnow() or sign_in.user.deactivated_at is not None):
        return None
    return sign_in.user.signed_in_as(sign_in.id)


def end_sign_in(sign_in_id: str | None) -> None:
    """End one sign-in (signing out): its cookies, wherever copied, no longer sign in."""
    if sign_in_id:
        db.session.execute(update(SignIn).where(SignIn.id == sign_in_id,
                                                SignIn.ended_at.is_(None))
                           .values(ended_at=utcnow()))


def end_sign_ins(user: User, except_id: str | None = None) -> int:
    """End every sign-in of `user` but `except_id` ("sign out everywhere", and what a
    password change must call, keeping the session that changed it). Answers how many
    ended."""
    ended = db.session.scalars(
        update(SignIn).where(SignIn.user_id == user.id, SignIn.ended_at.is_(None),
                             SignIn.id != (except_id or ""))
        .values(ended_at=utcnow()).returning(SignIn.id)).all()
    return len(ended)


def active_sign_ins(user: User) -> list[SignIn]:
    """The user's sign-ins that still count, newest first."""
    return list(db.session.scalars(
        select(SignIn).where(SignIn.user_id == user.id, SignIn.ended_at.is_(None),
                             SignIn.expires_at > utcnow())
        .order_by(SignIn.created_at.desc())))


# --- the workspace's settings: its name and the brand on its reports --------------------


def save_workspace(workspace: Workspace, *, name: str, brand_colour: str,
                   confidentiality: str = "", logo: bytes | None = None,
                   remove_logo: bool = False) -> Workspace:
    """Change the workspace's name, brand colour, confidentiality line and logo (a new
    `logo`, or none with `remove_logo`). FieldError on the first field that cannot be
    taken; nothing is changed then (the caller rolls back)."""
    name = " ".join(name.split())
    if not name:
        raise FieldError("name", _l("The workspace needs a name."))
    if len(name) > WORKSPACE_NAME_CHARS:
        raise FieldError("name", _l("At most %(n)s characters.", n=WORKSPACE_NAME_CHARS))
    colour = brand.check_colour(brand_colour)
    line = " ".join(confidentiality.split())
    if len(line) > CONFIDENTIALITY_CHARS:
        raise FieldError("confidentiality", _l("At most %(n)s characters.",
                                               n=CONFIDENTIALITY_CHARS))
    logo_type = brand.logo_type(logo) if logo else None
    workspace.name, workspace.brand_colour, workspace.confidentiality = name, colour, line
    if logo:
        workspace.logo, workspace.logo_type = logo, logo_type
    elif remove_logo:
        workspace.logo = workspace.logo_type = None
    db.session.flush()
    return workspace
