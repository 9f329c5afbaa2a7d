"""Accounts: workspaces and consultants. Operations flush, the caller commits."""

from __future__ import annotations

from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ..tables import User, Workspace

MIN_PASSWORD = 8


class AccountError(ValueError):
    pass


def normalise_email(email: str) -> str:
    email = email.strip().lower()
    if "@" not in email or len(email) > 254 or email.startswith("@") or email.endswith("@"):
        raise AccountError(f"'{email}' is not an e-mail address")
    return email


def create_user(email: str, password: str, *, name: str = "",
                workspace: Workspace | None = None, workspace_name: str | None = None) -> User:
    """A consultant in `workspace`, or in a new workspace of their own."""
    email = normalise_email(email)
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password must have at least {MIN_PASSWORD} characters")
    if db.session.scalar(select(User).where(User.email == email)) is not None:
        raise AccountError(f"an account for {email} already exists")
    if workspace is None:
        workspace = Workspace(name=workspace_name or name or email.split("@")[0])
        db.session.add(workspace)
    user = User(email=email, name=name, workspace=workspace,
                password_hash=generate_password_hash(password))
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> User | None:
    user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None or not check_password_hash(user.password_hash, password):
        return None
    return user
