"""The readiness report's page on the client's customer data as measured (issue 20): the
latest profile's level beside what the answers say of the data stage, its identification
figures and charts. Only aggregates: a profile holds no value from any file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from .. import datafigures
from ..catalog import Catalog
from ..extensions import db
from ..profiling.operations import DATA_STAGE, differs, stated_level
from ..tables import Assessment, DataProfile, utcnow

#: the charts' widths on paper: the pyramid and the bars beside a column of names, the grid
CHART_MM = 118
GRID_MM = 62


@dataclass(frozen=True)
class DataPage:
    profile: DataProfile
    result: dict[str, Any]
    measured: int
    stated: float | None  #: the data stage's mean level from the answers, 0-5
    differs: bool
    stage: str  #: the data stage's id, for its name
    figures: datafigures.Figures
    limits: list[str]  #: what kept the level from one higher, in words
    unit: str  #: the money unit in words, or ""


def profile_for(assessment: Assessment) -> DataProfile | None:
    """The client's profile measured nearest to the report's date (the assessment's
    completion, else now), the newer of two as near: a baseline's report shows the data
    as it was then, a re-assessment's the data as measured since."""
    when: datetime = assessment.completed_at or utcnow()
    profiles = db.session.scalars(select(DataProfile)
                                  .where(DataProfile.client_id == assessment.client_id)
                                  .order_by(DataProfile.created_at.desc(),
                                            DataProfile.id.desc())).all()
    return min(profiles, key=lambda p: abs((p.created_at - when).total_seconds()),
               default=None)


def data_page(catalog: Catalog, assessment: Assessment, lang: str) -> DataPage | None:
    """The page's figures, or None when the client has no profile."""
    profile = profile_for(assessment)
    if profile is None:
        return None
    result = profile.result
    stated = stated_level(catalog, assessment)
    names = datafigures.limit_names()
    limits = [names[key] for key in (result.get("score_detail") or {}).get("limits", [])
              if key in names]
    return DataPage(profile, result, profile.score, stated, differs(stated, profile.score),
                    DATA_STAGE,
                    datafigures.figures(result, lang, width_mm=CHART_MM, grid_mm=GRID_MM),
                    limits, datafigures.unit_name(profile.unit))
