"""Workspace scoping: every lookup by id goes through here, and answers 404 across workspaces."""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from .extensions import db
from .tables import Assessment, Client


def client_or_404(client_id: int) -> Client:
    client = db.session.scalar(
        select(Client).where(Client.id == client_id,
                             Client.workspace_id == current_user.workspace_id)
    )
    if client is None:
        abort(404)
    return client


def assessment_or_404(assessment_id: int) -> Assessment:
    assessment = db.session.scalar(
        select(Assessment).join(Client).where(
            Assessment.id == assessment_id, Client.workspace_id == current_user.workspace_id
        )
    )
    if assessment is None:
        abort(404)
    return assessment
