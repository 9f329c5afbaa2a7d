"""What the results page and the pages around it show of the scores (docs/scoring.md, rules
version 2): maturity apart from readiness, verdicts with their reasons, what a model stage
rests on, uncertain questions, gaps in levels, "to go further", and all of it in Persian."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask.testing import FlaskClient

from assessment.schema import Question

from .conftest import Signed, World
from .helpers import text_of

Rule = Callable[[int, int, Question], str | None]


def by_stage(default: str = "3", **levels: str) -> Rule:
    """Everyone gives each question its stage's level (`default` for the stages not named)."""
    return lambda _person, _n, question: levels.get(question.stage, default)


def chunk(page: str, start: str, end: str) -> str:
    """The page from the first `start` to the first `end` after it."""
    first = page.index(start)
    return page[first:page.index(end, first + len(start))]


def results(client: FlaskClient, assessment_id: int, lang: str = "en") -> str:
    response = client.get(f"/assessments/{assessment_id}/results?lang={lang}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def visible_main(page: str) -> str:
    """The text a reader sees in the page's main part: no tags, scripts or styles."""
    main = chunk(page, "<main", "</main>")
    return text_of(re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", main, flags=re.S))


def answered(signed_in: Signed, answers: Rule | list[dict[str, str]], *,
             respondents: int | None = None, **settings: object) -> tuple[FlaskClient, World, int]:
    client, world, user_id = signed_in
    assessment_id = world.answered(world.client(user_id), answers, respondents=respondents,
                                   **settings)
    return client, world, assessment_id


def test_each_chosen_model_has_a_verdict_with_its_reasons(signed_in: Signed) -> None:
    client, _, aid = answered(signed_in, by_stage(data="1"), respondents=2,
                              model_ids=["lic", "gartner"])
    page = results(client, aid)
    assert "Maturity index" in page
    lic = text_of(chunk(page, 'data-testid="readiness-lic"', "</ul>"))
    gartner = text_of(chunk(page, 'data-testid="readiness-gartner"', "</ul>"))
    assert 'data-testid="readiness-kalakota"' not in page  # not chosen
    assert "Not ready" in lic
    assert ("Segmentation by purchasing behaviour: Data is at level 1; this stage should not "
            "start before it reaches level 2.") in lic
    assert "Ready" in gartner
    assert "Not ready" not in gartner
    assert "Every gate passes, and Strategy and Process are at or above their targets." in gartner
    assert 'data-testid="verdict-lic">Not ready<' in page
    assert 'class="badge text-bg-danger" data-testid="verdict-lic"' in page
    assert 'class="badge text-bg-success" data-testid="verdict-gartner"' in page
    persian = results(client, aid, "fa")
    assert 'data-testid="verdict-lic">آماده نیست<' in persian
    assert 'data-testid="verdict-gartner">آماده<' in persian
    assert "داده در سطح ۱ است؛ این مرحله نباید پیش از رسیدن آن به سطح ۲ آغاز شود." in persian


def test_one_respondent_is_self_reported_on_the_results_and_client_pages(
        signed_in: Signed) -> None:
    client, world, user_id = signed_in
    client_id = world.client(user_id)
    alone = world.answered(client_id, by_stage(), title="CEO alone")
    pair = world.answered(client_id, by_stage(), respondents=2, title="Board of two")
    page = results(client, alone)
    assert 'data-testid="confidence">Self-reported<' in page
    assert "nobody else's view has tested these answers" in page
    assert 'data-testid="confidence">خوداظهاری<' in results(client, alone, "fa")
    assert 'data-testid="confidence">High confidence<' in results(client, pair)
    detail = client.get(f"/clients/{client_id}?lang=en").get_data(as_text=True)
    one = text_of(chunk(detail, "CEO alone", "See results"))
    two = text_of(chunk(detail, "Board of two", "See results"))
    assert "Self-reported" in one
    assert "High confidence" in two
    assert "Maturity index" in one


def test_an_uncertain_question_is_marked_and_not_applicable_is_not(signed_in: Signed) -> None:
    # Of three people one rates vision.01 and two do not know: uncertain. Two say vision.02
    # does not apply to them and the third rates it: it applies to one, who rated it.
    given = {"exec.vision.01": ("2", "unknown", "unknown"), "exec.vision.02": ("2", "na", "na")}
    client, _, aid = answered(
        signed_in, lambda person, _n, q: given[q.id][person] if q.id in given else "3",
        respondents=3)
    page = results(client, aid)
    doubtful = chunk(page, '<tr data-question="exec.vision.01">', "</tr>")
    applies = chunk(page, '<tr data-question="exec.vision.02">', "</tr>")
    assert ">uncertain</span>" in doubtful
    assert 'title="Uncertain: fewer than half of the people it applies to gave a level' in doubtful
    assert "67%" in doubtful  # its don't-know share
    assert "uncertain" not in applies
    assert "0%" in applies
    assert 'data-testid="uncertain-count">1 question is uncertain' in page
    vision = text_of(chunk(page, '<tr data-stage="vision">', "</tr>"))
    # two "don't know" among the 13 answers that apply (15 less the two "not applicable")
    assert vision.split()[-2:] == ["15%", "1"]
    assert ">نامطمئن</span>" in chunk(results(client, aid, "fa"),
                                      '<tr data-question="exec.vision.01">', "</tr>")


def test_a_question_at_level_four_shows_its_advice_to_go_further(signed_in: Signed,
                                                                 world: World) -> None:
    client, _, aid = answered(
        signed_in, lambda _p, _n, q: "4" if q.id == "exec.vision.01" else "2", respondents=2)
    question = world.catalog.questionnaires["executive"].question("exec.vision.01")
    advice = question.recommendation_for(4)
    assert advice is not None
    assert advice != question.recommendation_for(2)
    page = results(client, aid)
    further = chunk(page, 'id="further"', "</section>")
    priorities = chunk(page, "Priorities and recommendations", "</section>")
    assert "To go further" in further
    assert question.text.en in further
    assert advice.text.en in further
    assert "at 4.0, target 3" in text_of(further)  # the default target
    assert question.text.en not in priorities
    assert advice.text.fa in results(client, aid, "fa")


def test_stage_gaps_are_in_levels(signed_in: Signed) -> None:
    client, _, aid = answered(
        signed_in, lambda person, _n, q: ("2" if person == 0 else "3") if q.stage == "vision"
        else "3", respondents=2, targets={"vision": 5})
    page = results(client, aid)
    gap = chunk(page, 'data-testid="gap-vision"', "</td>")
    assert "2.5 levels" in text_of(gap)  # target 5, mean level 2.5
    assert 'style="width: 50.0%"' in gap  # the bar spans 0 to 5 levels
    assert "Gap (levels)" in page
    assert "on target" in chunk(page, 'data-testid="gap-strategy"', "</td>")
    assert "۲٫۵ سطح" in chunk(results(client, aid, "fa"), 'data-testid="gap-vision"', "</td>")


def test_a_model_stage_shows_what_it_rests_on(signed_in: Signed, world: World) -> None:
    informing = world.catalog.informing_questions["executive"]["kalakota.acquire"]
    # the first: rated by one of three (uncertain); the second: by nobody (no value)
    doubted, unrated = informing[0].id, informing[1].id
    client, _, aid = answered(
        signed_in, lambda p, _n, q: ("unknown" if q.id == unrated or (q.id == doubted and p < 2)
                                     else "3"), respondents=3)
    page = results(client, aid)
    kalakota = chunk(page, 'data-model="kalakota"', "</details>")
    acquire = text_of(chunk(kalakota, 'data-model-stage="acquire"', "</li>"))
    total = len(informing)
    assert f"{total - 1} of {total} questions · 1 uncertain" in acquire
    evidence = chunk(kalakota, 'data-evidence="acquire"', "</ul>")
    assert (f"scored from the {total} questions that inform it; {total - 1} with a value, "
            "1 uncertain.") in text_of(evidence)
    for question in informing:
        assert question.text.en in evidence
    assert "(no value)" in text_of(evidence)


def test_the_persian_results_page_is_persian_throughout(signed_in: Signed,
                                                        world: World) -> None:
    client, _, aid = answered(
        signed_in, lambda _p, _n, q: "4" if q.id == "exec.vision.01" else "2", respondents=2,
        targets={"vision": 5})
    page = results(client, aid, "fa")
    text = visible_main(page)
    assert re.findall(r"[0-9]", text) == [], re.findall(r".{20}[0-9].{20}", text)[:5]
    # "x of y" reads «x از y»: a slash between Persian digits reads as a decimal sign
    assert re.findall(r"[۰-۹]\s*/\s*[۰-۹]", text) == []
    assert re.search(r"[۰-۹]+ از ۱۰۰", text)
    radar = chunk(page, "<svg", "</svg>")
    for stage in world.catalog.stages:
        assert stage.name.fa in radar
        assert stage.name.en not in radar
    questionnaire = world.catalog.questionnaires["executive"]
    for question_id, level in (("exec.vision.02", 2), ("exec.vision.01", 4)):
        advice = questionnaire.question(question_id).recommendation_for(level)
        assert advice is not None
        assert advice.text.fa in page
        assert advice.text.en not in page
    english = re.findall(r"\b(?:the|and|of|to|is|at|levels?|Ready|Readiness|Maturity)\b", text)
    assert english == []


def test_the_rules_page_is_version_two_in_both_languages(client: FlaskClient) -> None:
    english = text_of(client.get("/how-scores-work?lang=en").get_data(as_text=True))
    assert "Scoring rules, version 2." in english
    assert "Two words, two meanings" in english
    assert "Rule 10: priorities, recommendations and going further" in english
    assert '"don\'t know" and unanswered lower it, "not applicable" does not' in english
    persian = text_of(client.get("/how-scores-work?lang=fa").get_data(as_text=True))
    assert "قاعده‌های امتیازدهی، نسخه‌ی ۲." in persian
    assert "شاخص بلوغ" in persian
    assert "شاخص آمادگی" in persian  # named once, as what version 1 called it
    assert persian.count("قاعده‌ی ") >= 10


def test_the_model_page_shows_its_design_apart_from_its_evidence(client: FlaskClient,
                                                                  world: World) -> None:
    catalog = world.catalog
    page = client.get("/models/kalakota?lang=en").get_data(as_text=True)
    evidence = chunk(page, 'data-testid="evidence-acquire"', "</p>")
    design = text_of(chunk(page, 'data-testid="design-acquire"', "</p>"))
    for questionnaire_id, questionnaire in catalog.questionnaires.items():
        n = len(catalog.informing_questions[questionnaire_id]["kalakota.acquire"])
        assert f"{questionnaire.name.en}</bdi>: {n} questions" in evidence
    assert "Scored from the questions that inform it" in evidence
    assert "draws on these stages (this does not score it)" in design
    assert "Strategy 40%" in design
    assert "Maps onto" not in page
    decision = text_of(chunk(page, 'data-testid="decision-enhance"', "</p>"))
    assert catalog.models["kalakota"].stage("enhance").decision.en in decision
    persian = client.get("/models/kalakota?lang=fa").get_data(as_text=True)
    decision = text_of(chunk(persian, 'data-testid="decision-enhance"', "</p>"))
    assert catalog.models["kalakota"].stage("enhance").decision.fa in decision
    assert "تصمیم هیئت‌مدیره" in decision


def test_a_core_workshop_is_walked_scored_and_read_through_every_model(
        signed_in: Signed, world: World) -> None:
    """The 37-question core set runs end to end: its walk shows its own questions with their
    level descriptions, and its results give every chosen model a verdict."""
    client, _, user_id = signed_in
    aid = world.answered(world.client(user_id), by_stage(data="1"), respondents=3,
                         questionnaire="core")
    core = world.catalog.questionnaires["core"]
    walk = client.get(f"/assessments/{aid}/walk/vision?lang=en").get_data(as_text=True)
    vision = [q for q in core.questions if q.stage == "vision"]
    for question in vision:
        assert question.text.en in walk
        assert question.levels[3].en in walk
    assert "ws.vision.04" not in walk  # in the full set only
    page = results(client, aid)
    for model in world.catalog.models:
        assert f'data-testid="readiness-{model}"' in page
    assert "Not ready" in page  # data at level 1 fails the data gates
