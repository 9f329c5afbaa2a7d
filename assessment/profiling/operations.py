"""Reading and comparing stored customer-data profiles (`tables.DataProfile`)."""

from __future__ import annotations

from sqlalchemy import select

from ..catalog import Catalog
from ..extensions import db
from ..results import score_assessment
from ..tables import Assessment, Client, DataProfile

#: the canonical stage the measured data level is set beside
DATA_STAGE = "data"


def latest_profile(client: Client) -> DataProfile | None:
    """The client's most recent measurement, if any."""
    return db.session.scalar(select(DataProfile).where(DataProfile.client_id == client.id)
                             .order_by(DataProfile.created_at.desc(), DataProfile.id.desc())
                             .limit(1))


def stated_level(catalog: Catalog, assessment: Assessment) -> float | None:
    """What the answers say of the data stage, as a mean level (0-5, not rounded), or None
    when no answer of that stage counts."""
    stage = score_assessment(catalog, assessment).stage(DATA_STAGE)
    return None if stage.score is None else stage.score / 20


def differs(stated: float | None, measured: int) -> bool:
    """Flagged like a workshop divergence: the measured level and what the answers say
    are a level or more apart."""
    return stated is not None and abs(stated - measured) >= 1
