"""Consultants' API tokens: issued once, stored as a SHA-256 hash, sent as a bearer token."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any, TypeVar, cast

from flask import current_app, g, request
from flask_babel import gettext as _
from sqlalchemy import or_, select, update
from sqlalchemy.exc import SQLAlchemyError

from ..access import workspace_role
from ..db import write_intent
from ..extensions import db
from ..tables import ApiToken, User, utcnow
from .errors import ApiError

PREFIX_LENGTH = 8
#: the shortest prefix `tokens revoke` accepts
PREFIX_MIN = 4
#: last_used_at is written at most this often per token
TOUCH_INTERVAL = timedelta(minutes=1)
REALM = 'Bearer realm="crm-maturity"'

F = TypeVar("F", bound=Callable[..., Any])


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def issue_token(user: User, name: str = "") -> tuple[ApiToken, str]:
    """A new token for `user`: the row (flushed) and the secret, which is not kept anywhere."""
    # A fixed, recognisable start: the secret can never begin with "-" (which a command
    # line would take for an option), and secret scanners can spot a leaked one.
    secret = "crm_" + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name.strip()[:120], token_hash=hash_secret(secret),
                     prefix=secret[:PREFIX_LENGTH])
    db.session.add(token)
    db.session.flush()
    return token, secret


def find_token(ref: str) -> list[ApiToken]:
    """Tokens an id, a prefix or the whole secret names (more than one: ambiguous)."""
    ref = ref.strip()
    if not ref:
        return []
    if ref.isdigit():
        by_id = db.session.get(ApiToken, int(ref)) if int(ref) < 2**63 else None
        if by_id is not None:
            return [by_id]
    by_hash = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_secret(ref)))
    if by_hash is not None:
        return [by_hash]
    if not PREFIX_MIN <= len(ref) <= PREFIX_LENGTH:
        return []
    return list(db.session.scalars(
        select(ApiToken).where(ApiToken.prefix.startswith(ref, autoescape=True))
        .order_by(ApiToken.id)))


def bearer_secret() -> str | None:
    """The token of the Authorization header ("Bearer TOKEN"), if there is one."""
    header = request.headers.get("Authorization", "")
    scheme, _sep, secret = header.strip().partition(" ")
    secret = secret.strip()
    if scheme.lower() != "bearer" or not secret:
        return None
    return secret


def rate_key() -> str:
    """Consultant routes are limited per token (by its hash), else per address."""
    secret = bearer_secret()
    if secret is None:
        return "anonymous:" + (request.remote_addr or "")
    return "token:" + hash_secret(secret)


def authenticate() -> User:
    """The consultant whose token the request carries; ApiError 401 otherwise."""
    secret = bearer_secret()
    if secret is None:
        raise ApiError(401, _("Send an API token in the Authorization header: "
                              "'Authorization: Bearer TOKEN'."),
                       headers={"WWW-Authenticate": REALM})
    row = db.session.execute(
        select(ApiToken.id, ApiToken.revoked_at, ApiToken.last_used_at, User)
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.token_hash == hash_secret(secret))
    ).first()
    if row is None or row.revoked_at is not None or not _may_use_api(row.User):
        raise ApiError(401, _("This API token is not valid or has been revoked."),
                       headers={"WWW-Authenticate": REALM + ', error="invalid_token"'})
    user = cast(User, row.User)
    g.api_workspace_id = user.workspace_id  # read before _touch commits (and expires) it
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at >= TOUCH_INTERVAL:
        _touch(row.id, now)
    return user


def _may_use_api(user: User) -> bool:
    """Only an active member (owner or consultant) of the token's workspace; a client's own
    people (grants only) have no API."""
    return user.deactivated_at is None and workspace_role(user, user.workspace_id) is not None


def _touch(token_id: int, now: Any) -> None:
    """Record that the token was used, in a short write transaction of its own."""
    db.session.commit()  # nothing is written yet: this only ends the reading transaction
    reset = write_intent.set(True)
    try:
        db.session.execute(
            update(ApiToken)
            .where(ApiToken.id == token_id,
                   or_(ApiToken.last_used_at.is_(None),
                       ApiToken.last_used_at <= now - TOUCH_INTERVAL))
            .values(last_used_at=now)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
    except SQLAlchemyError:  # bookkeeping only: never fail the request over it
        db.session.rollback()
        current_app.logger.warning("could not record the use of API token %s", token_id,
                                   exc_info=True)
    finally:
        write_intent.reset(reset)


def consultant_required(view: F) -> F:
    """The view runs only for a valid token; `g.api_user` is its consultant."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        g.api_user = authenticate()
        return view(*args, **kwargs)

    return cast(F, wrapped)


def current_consultant() -> User:
    return cast(User, g.api_user)


def current_workspace_id() -> int:
    return cast(int, g.api_workspace_id)
