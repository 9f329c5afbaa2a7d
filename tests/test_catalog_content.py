"""The shipped catalogue says what the product promises about its content."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from assessment.catalog import BACKBONE_MODELS, Catalog
from assessment.schema import CANONICAL_STAGE_IDS, Localized
from assessment.scoring import score

MODEL_STAGES = {
    "lic": ["align_strategy", "infrastructure", "segmentation", "personalisation", "evaluation"],
    "gartner": ["vision", "strategy", "customer_experience", "collaboration", "processes",
                "information", "technology", "metrics"],
    "crm_strategy": ["vision", "strategy", "customer_experience", "collaboration", "process",
                     "information", "technology", "metrics"],
    "kalakota": ["acquire", "enhance", "retain"],
    "swift": ["knowledge_discovery", "market_planning", "customer_interaction",
              "analysis_refinement"],
}


def test_five_backbone_models_with_their_stages_in_order(catalog: Catalog) -> None:
    assert tuple(catalog.models) == BACKBONE_MODELS
    for model_id, stages in MODEL_STAGES.items():
        model = catalog.models[model_id]
        assert [s.id for s in model.stages] == stages
        assert model.sources
        for stage in model.stages:
            assert len(stage.checklist) >= 3, f"{model_id}.{stage.id}"


def test_every_model_has_a_readiness_gate(catalog: Catalog) -> None:
    for model in catalog.models.values():
        assert any(stage.gates for stage in model.stages), model.id


def test_gartner_experience_and_collaboration_have_a_documented_place(catalog: Catalog) -> None:
    gartner = catalog.models["gartner"]
    assert "strategy" in gartner.stage("customer_experience").maps_to
    assert "process" in gartner.stage("collaboration").maps_to
    assert gartner.design_notes is not None


@pytest.mark.parametrize(
    ("qid", "low", "high", "minutes"),
    [("executive", 25, 35, (15, 20)), ("workshop", 80, 120, None)],
)
def test_question_banks_have_the_promised_size(
    catalog: Catalog, qid: str, low: int, high: int, minutes: tuple[int, int] | None
) -> None:
    questionnaire = catalog.questionnaires[qid]
    assert low <= len(questionnaire.questions) <= high
    if minutes:
        assert minutes[0] <= questionnaire.minutes <= minutes[1]
    per_stage = Counter(q.stage for q in questionnaire.questions)
    assert set(per_stage) == set(CANONICAL_STAGE_IDS)
    assert min(per_stage.values()) >= 4


@pytest.mark.parametrize("qid", ["executive", "workshop"])
def test_every_model_stage_is_informed_by_some_question(catalog: Catalog, qid: str) -> None:
    informed = catalog.informing_questions[qid]
    for model in catalog.models.values():
        for stage in model.stages:
            assert informed.get(f"{model.id}.{stage.id}"), f"{qid}: {model.id}.{stage.id}"


def test_domain_content_sits_where_it_belongs(catalog: Catalog) -> None:
    workshop = catalog.questionnaires["workshop"].questions
    tagged: dict[str, set[str]] = {}
    for question in workshop:
        for tag in question.tags:
            tagged.setdefault(tag, set()).add(question.stage)
    # Peppers and Rogers' identification questions belong in the data stage.
    identify = [q for q in workshop if "idic_identify" in q.tags]
    assert len([q for q in identify if q.stage == "data"]) >= 6
    assert Counter(q.stage for q in identify).most_common(1)[0][0] == "data"
    # The customer pyramid in strategy and/or data.
    assert tagged["customer_pyramid"] & {"strategy", "data"}
    # The four goal types and three kinds of CRM system are all covered.
    for tag in ("goal_acquisition", "goal_loyalty", "goal_wallet_share", "goal_retention",
                "crm_operational", "crm_analytical", "crm_collaborative"):
        assert tag in tagged, tag


def _all_texts(catalog: Catalog) -> list[tuple[str, Localized]]:
    found: list[tuple[str, Localized]] = []

    def walk(where: str, node: object) -> None:
        if isinstance(node, Localized):
            found.append((where, node))
        elif isinstance(node, BaseModel):
            for name in type(node).model_fields:
                walk(f"{where}.{name}", getattr(node, name))
        elif isinstance(node, list | tuple):
            for i, item in enumerate(node):
                walk(f"{where}[{i}]", item)

    for model in catalog.models.values():
        walk(model.id, model)
    for questionnaire in catalog.questionnaires.values():
        walk(questionnaire.id, questionnaire)
    walk("stages", catalog.stages_file)
    walk("scale", catalog.scale)
    return found


def test_persian_texts_are_translated_not_left_in_english(catalog: Catalog) -> None:
    latin_word = re.compile(r"\b[a-z]{3,}\b")  # acronyms (CRM, ERP) are upper case
    offenders = [(where, text.fa) for where, text in _all_texts(catalog)
                 if latin_word.search(text.fa)]
    assert offenders == []


def test_questions_are_unique_and_texts_differ_between_languages(catalog: Catalog) -> None:
    for where, text in _all_texts(catalog):
        assert text.en != text.fa, where
    for questionnaire in catalog.questionnaires.values():
        texts = [q.text.en for q in questionnaire.questions]
        assert len(texts) == len(set(texts)), questionnaire.id


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_shipped_model_stages_score_from_their_own_evidence(
    catalog: Catalog, data: st.DataObject
) -> None:
    """Rule 8 on the shipped workshop: each model stage is the weighted mean of the values
    of the questions that inform it, so it lies within them; without a value, no score."""
    questionnaire = catalog.questionnaires["workshop"]
    ids = [q.id for q in questionnaire.questions]
    answer = st.one_of(st.integers(0, 5), st.just("na"), st.just("unknown"))
    responses = data.draw(st.lists(st.dictionaries(st.sampled_from(ids), answer), max_size=4))
    result = score(catalog, questionnaire, {f"r{i}": a for i, a in enumerate(responses)})
    informing = catalog.informing_questions["workshop"]
    for model in result.models:
        for stage in model.stages:
            evidence = [(v, q.weight) for q in informing[f"{model.model}.{stage.stage}"]
                        if (v := result.questions[q.id].value) is not None]
            if not evidence:
                assert stage.score is None
                continue
            mean = sum(v * w for v, w in evidence) / sum(w for _, w in evidence)
            assert stage.score == pytest.approx(mean * 20)
            assert min(v for v, _ in evidence) * 20 - 1e-9 <= stage.score
            assert stage.score <= max(v for v, _ in evidence) * 20 + 1e-9
