"""Clients and their assessments. Operations validate and flush; views commit."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .. import i18n
from ..brand import logo_type
from ..catalog import Catalog
from ..errors import FieldError
from ..extensions import db
from ..schema import CANONICAL_STAGE_IDS, LEVELS
from ..tables import Assessment, Client, Workspace
from . import share as links

CLIENT_FIELDS = ("name", "sector", "size", "country", "contact", "notes")


def workspace_clients(workspace_id: int, lang: str) -> list[Client]:
    """The workspace's clients by name, those whose name is written in the reader's
    language first: a Persian reader finds the Persian organisations at the top."""
    clients = db.session.scalars(
        select(Client).where(Client.workspace_id == workspace_id).order_by(Client.name)
    ).all()
    reading = i18n.direction(lang)
    return sorted(clients, key=lambda client: i18n.text_direction(client.name) != reading)


def save_client(workspace: Workspace, values: Mapping[str, str], logo: bytes | None = None,
                client: Client | None = None) -> Client:
    if client is None:
        client = Client(workspace=workspace)
        db.session.add(client)
    for name in CLIENT_FIELDS:
        setattr(client, name, (values.get(name) or "").strip())
    if not client.name:
        raise FieldError("name", _l("The organisation needs a name."))
    if logo:
        client.logo_type = logo_type(logo)
        client.logo = logo
    db.session.flush()
    return client


def check_targets(targets: Mapping[str, object]) -> dict[str, int]:
    out: dict[str, int] = {}
    for stage in CANONICAL_STAGE_IDS:
        value = targets.get(stage)
        if isinstance(value, bool) or not isinstance(value, int) or value not in LEVELS:
            raise FieldError(f"target_{stage}", _l("A target must be a level from 0 to 5."))
        out[stage] = value
    return out


def _settings(catalog: Catalog, title: str, model_ids: Iterable[str] | None,
              targets: Mapping[str, int] | None) -> tuple[str, list[str], dict[str, int]]:
    """Checked title, models (in catalogue order) and a target for every stage."""
    title = title.strip()
    if not title:
        raise FieldError("title", _l("The assessment needs a title."))
    chosen = list(model_ids) if model_ids is not None else list(catalog.models)
    if not chosen or any(m not in catalog.models for m in chosen):
        raise FieldError("models", _l("Choose at least one of the deployment models."))
    full_targets = check_targets(
        {**dict.fromkeys(CANONICAL_STAGE_IDS, catalog.default_target), **(targets or {})}
    )
    return title, [m for m in catalog.models if m in chosen], full_targets


def create_assessment(catalog: Catalog, client: Client, *, title: str, questionnaire_id: str,
                      model_ids: Iterable[str] | None = None,
                      targets: Mapping[str, int] | None = None,
                      due_on: date | None = None, share: bool = False) -> Assessment:
    if questionnaire_id not in catalog.questionnaires:
        raise FieldError("questionnaire", _l("There is no questionnaire '%(id)s'.",
                                                id=questionnaire_id))
    title, ordered, full_targets = _settings(catalog, title, model_ids, targets)
    assessment = Assessment(
        client=client, title=title, questionnaire_id=questionnaire_id, model_ids=ordered,
        targets=full_targets, status="draft", due_on=due_on,
    )
    db.session.add(assessment)
    db.session.flush()
    if share:
        links.issue_link(assessment)
    return assessment


def update_assessment(catalog: Catalog, assessment: Assessment, *, title: str,
                      model_ids: Iterable[str], targets: Mapping[str, int],
                      due_on: date | None) -> Assessment:
    """Change an assessment's settings; its questionnaire stays (answers refer to it)."""
    title, ordered, full_targets = _settings(catalog, title, model_ids, targets)
    assessment.title, assessment.model_ids, assessment.targets = title, ordered, full_targets
    assessment.due_on = due_on
    db.session.flush()
    return assessment
