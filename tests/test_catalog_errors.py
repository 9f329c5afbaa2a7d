"""A broken catalogue file is reported as file:line: field: message and never half-loads."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from assessment.catalog import CatalogError, data_dir, load_files

WriteYaml = Callable[[str, str], Path]

GOOD_MODEL = """\
kind: model
id: own
name: {en: Own model, fa: مدل خودمان}
summary: {en: Our own model., fa: مدل خودمان.}
sources:
  - citation: Us (2026)
stages:
  - id: first
    name: {en: First, fa: نخست}
    description: {en: The first stage., fa: مرحله‌ی نخست.}
    maps_to: {vision: 0.4, strategy: 0.6}
    decision: {en: Approve the first stage., fa: مرحله‌ی نخست را تصویب کنید.}
    checklist:
      - id: do_it
        text: {en: Do it, fa: انجامش دهید}
        evidence: {en: Minutes, fa: صورت‌جلسه}
"""

GOOD_QUESTIONNAIRE_HEAD = """\
kind: questionnaire
id: own_q
name: {en: Own, fa: خودمان}
description: {en: Ours., fa: مال ما.}
minutes: 5
sources:
  - citation: Us (2026)
questions:
"""


#: the six level descriptions every question needs, on one line (the last of a question)
LEVELS_LINE = "    levels: {" + ", ".join(
    f"{v}: {{en: 'Level {v}', fa: 'سطح {v}'}}" for v in range(6)) + "}\n"


def question(qid: str, stage: str, informs: str = "own.first", weight: str = "1") -> str:
    return f"""\
  - id: {qid}
    stage: {stage}
    weight: {weight}
    text: {{en: 'How far is it done?', fa: 'تا چه اندازه انجام می‌شود؟'}}
    help: {{en: Help, fa: راهنما}}
    informs: [{informs}]
    recommendations:
      - levels: [0, 1, 2, 3, 4]
        text: {{en: Act, fa: اقدام}}
{LEVELS_LINE}"""


def six_questions(**override: str) -> str:
    stages = ["vision", "strategy", "process", "data", "technology", "metrics"]
    return "".join(question(f"q.{s}", s, **override) for s in stages)


def base_files() -> list[Path]:
    return [data_dir("models") / "stages.yaml", data_dir("models") / "scale.yaml"]


def problems_of(*files: Path) -> list[str]:
    with pytest.raises(CatalogError) as info:
        load_files([*base_files(), *files])
    return [str(p) for p in info.value.problems]


def test_good_user_files_load(write_yaml: WriteYaml) -> None:
    model = write_yaml("own.yaml", GOOD_MODEL)
    questions = write_yaml("own_q.yaml", GOOD_QUESTIONNAIRE_HEAD + six_questions())
    catalog = load_files([*base_files(), model, questions])
    assert list(catalog.models) == ["own"]
    assert catalog.models["own"].stages[0].maps_to == {"vision": 0.4, "strategy": 0.6}
    assert len(catalog.questionnaires["own_q"].questions) == 6


@pytest.mark.parametrize(
    ("needle", "replacement", "expected"),
    [
        # unknown key
        ("    maps_to:", "    colour: red\n    maps_to:",
         r"own\.yaml:11: stages\[0\]\.colour: unknown key"),
        # missing translation
        ("summary: {en: Our own model., fa: مدل خودمان.}", "summary: {en: Our own model.}",
         r"own\.yaml:4: summary\.fa: required but missing"),
        # untranslated Persian
        ("fa: نخست}", "fa: First}", r"own\.yaml:9: stages\[0\]\.name\.fa: .*no Persian letters"),
        # Arabic letter variants in Persian text
        ("fa: صورت‌جلسه}", "fa: صورت‌جلسه كامل}",
         r"own\.yaml:16: stages\[0\]\.checklist\[0\]\.evidence\.fa: Arabic letter"),
        # non-canonical stage in a mapping
        ("{vision: 0.4, strategy: 0.6}", "{vison: 0.4, strategy: 0.6}",
         r"own\.yaml:11: stages\[0\]\.maps_to\.vison: 'vison' is not a canonical stage"),
        # weights out of range / not adding up
        ("{vision: 0.4, strategy: 0.6}", "{vision: 1.4, strategy: 0.6}",
         r"own\.yaml:11: stages\[0\]\.maps_to\.vision: .*less than or equal to 1"),
        ("{vision: 0.4, strategy: 0.6}", "{vision: 0.4, strategy: 0.5}",
         r"own\.yaml:11: stages\[0\]\.maps_to: the mapping weights must add up to 1"),
        # a wrong type
        ("id: own\n", "id: 12\n", r"own\.yaml:2: id: Input should be a valid string"),
        # YAML syntax
        ("    checklist:", "    checklist: [\n", r"own\.yaml:\d+: YAML syntax"),
        # duplicate key in one mapping
        ("id: own\n", "id: own\nid: other\n",
         r"own\.yaml:3: id: duplicate key 'id' \(first on line 2\)"),
        # missing kind
        ("kind: model\n", "", r"own\.yaml:1: kind: must be one of: .*\(missing\)"),
    ],
)
def test_model_file_errors_name_file_line_and_field(
    write_yaml: WriteYaml, needle: str, replacement: str, expected: str
) -> None:
    assert needle in GOOD_MODEL
    broken = write_yaml("own.yaml", GOOD_MODEL.replace(needle, replacement, 1))
    found = problems_of(broken)
    assert any(re.search(expected, p) for p in found), found


def test_duplicate_stage_and_checklist_ids(write_yaml: WriteYaml) -> None:
    stage = GOOD_MODEL[GOOD_MODEL.index("  - id: first"):]
    broken = write_yaml("own.yaml", GOOD_MODEL + stage)
    found = problems_of(broken)
    assert "own.yaml:17: stages[1].id: duplicate stage id 'first' (first on line 8)" in found[0]
    assert any("stages[1].checklist[0].id: duplicate checklist item id 'do_it'" in p for p in found)


def test_duplicate_question_ids(write_yaml: WriteYaml) -> None:
    model = write_yaml("own.yaml", GOOD_MODEL)
    text = GOOD_QUESTIONNAIRE_HEAD + six_questions() + question("q.vision", "vision")
    found = problems_of(model, write_yaml("q.yaml", text))
    assert len(found) == 1
    assert found[0].endswith("q.yaml:69: questions[6].id: duplicate question id 'q.vision' "
                             "(first on line 9)")


def test_dangling_reference_to_a_model_stage(write_yaml: WriteYaml) -> None:
    model = write_yaml("own.yaml", GOOD_MODEL)
    text = GOOD_QUESTIONNAIRE_HEAD + six_questions().replace(
        "informs: [own.first]", "informs: [own.second]", 1)
    found = problems_of(model, write_yaml("q.yaml", text))
    assert len(found) == 1
    assert re.search(r"q\.yaml:14: questions\[0\]\.informs\[0\]: 'own\.second' is not a model "
                     r"stage \(no such stage in model 'own'\)", found[0]), found
    text = GOOD_QUESTIONNAIRE_HEAD + six_questions().replace(
        "informs: [own.first]", "informs: [nomodel.first]", 1)
    found = problems_of(model, write_yaml("q.yaml", text))
    assert "no model 'nomodel' in the catalogue" in found[0]


def test_question_weight_out_of_range(write_yaml: WriteYaml) -> None:
    model = write_yaml("own.yaml", GOOD_MODEL)
    text = GOOD_QUESTIONNAIRE_HEAD + six_questions(weight="9")
    found = problems_of(model, write_yaml("q.yaml", text))
    assert re.search(r"q\.yaml:11: questions\[0\]\.weight: .*less than or equal to 5", found[0])


def test_recommendations_must_cover_levels_0_to_4_once(write_yaml: WriteYaml) -> None:
    model = write_yaml("own.yaml", GOOD_MODEL)
    text = GOOD_QUESTIONNAIRE_HEAD + six_questions().replace("[0, 1, 2, 3, 4]", "[0, 1, 2]", 1)
    found = problems_of(model, write_yaml("q.yaml", text))
    assert re.search(r"q\.yaml:15: questions\[0\]\.recommendations: .*missing: 3, 4", found[0])


def test_questionnaire_must_cover_all_six_stages(write_yaml: WriteYaml) -> None:
    model = write_yaml("own.yaml", GOOD_MODEL)
    text = GOOD_QUESTIONNAIRE_HEAD + question("q.vision", "vision")
    found = problems_of(model, write_yaml("q.yaml", text))
    assert re.search(r"q\.yaml:\d+: questions: no question for stage\(s\): strategy, process",
                     found[0])


def test_two_models_with_one_id(write_yaml: WriteYaml) -> None:
    first = write_yaml("own.yaml", GOOD_MODEL)
    second = write_yaml("own2.yaml", GOOD_MODEL)
    found = problems_of(first, second)
    assert re.search(r"own2\.yaml:2: id: a model with id 'own' already exists in .*own\.yaml",
                     found[0])


def test_every_problem_is_reported_and_nothing_loads(write_yaml: WriteYaml) -> None:
    bad_model = write_yaml("own.yaml", GOOD_MODEL.replace("vision: 0.4", "vison: 0.4").replace(
        "fa: نخست}", "fa: First}"))
    bad_q = write_yaml("q.yaml", GOOD_QUESTIONNAIRE_HEAD + six_questions(weight="0"))
    found = problems_of(bad_model, bad_q)
    assert len(found) >= 2 + 6
    assert {p.split(":")[0].rsplit("/", 1)[-1] for p in found} == {"own.yaml", "q.yaml"}


def test_not_utf8_and_empty_files(write_yaml: WriteYaml, tmp_path: Path) -> None:
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("name: caf\xe9\n".encode("latin-1"))
    assert "not UTF-8" in problems_of(latin)[0]
    assert "the file is empty" in problems_of(write_yaml("empty.yaml", ""))[0]
    assert "mapping with a 'kind' key" in problems_of(write_yaml("list.yaml", "- 1\n"))[0]


def test_every_model_stage_needs_its_evidence(write_yaml: WriteYaml) -> None:
    """Rule 8 scores a model stage from its informing questions: too few is an error, at the
    line that asks for them, naming the stage and the count."""
    two_stages = GOOD_MODEL + GOOD_MODEL[GOOD_MODEL.index("  - id: first"):].replace(
        "id: first", "id: second").replace("id: do_it", "id: do_that")
    model = write_yaml("own.yaml", two_stages)
    one_on_second = six_questions().replace("informs: [own.first]", "informs: [own.second]", 1)
    head = GOOD_QUESTIONNAIRE_HEAD.replace("minutes: 5\n", "minutes: 5\nevidence_per_stage: 2\n")
    found = problems_of(model, write_yaml("q.yaml", head + one_on_second))
    assert found == [f"{found[0].split(':')[0]}:6: evidence_per_stage: model stage "
                     "'own.second' is informed by 1 question(s); each stage of a model this "
                     "questionnaire informs needs at least 2"]
    # one informing question per model stage is enough by default
    load_files([*base_files(), model, write_yaml("q.yaml", GOOD_QUESTIONNAIRE_HEAD
                                                 + one_on_second)])


def levels_block(*values: int) -> str:
    lines = "".join(f"      {v}: {{en: 'Level {v} here', fa: 'سطح {v} این‌جا'}}\n" for v in values)
    return "    levels:\n" + lines


def test_questions_may_describe_their_levels_on_a_scale_of_their_own(
    write_yaml: WriteYaml,
) -> None:
    scale = (data_dir("models") / "scale.yaml").read_text(encoding="utf-8").replace(
        "id: maturity", "id: agreement", 1)
    model = write_yaml("own.yaml", GOOD_MODEL)
    text = GOOD_QUESTIONNAIRE_HEAD + six_questions().replace(
        LEVELS_LINE, "    scale: agreement\n" + levels_block(0, 1, 2, 3, 4, 5), 1)
    catalog = load_files([*base_files(), write_yaml("agreement.yaml", scale), model,
                          write_yaml("q.yaml", text)])
    first = catalog.questionnaires["own_q"].questions[0]
    assert sorted(catalog.scales) == ["agreement", "maturity"]
    assert catalog.scale.id == "maturity"
    assert catalog.scale_of(first).id == "agreement"
    assert first.levels[5].en == "Level 5 here"


def test_level_descriptions_cover_all_six_levels_and_scales_have_unique_ids(
    write_yaml: WriteYaml,
) -> None:
    model = write_yaml("own.yaml", GOOD_MODEL)
    text = GOOD_QUESTIONNAIRE_HEAD + six_questions().replace(
        LEVELS_LINE, levels_block(0, 1, 2, 3, 4), 1)
    found = problems_of(model, write_yaml("q.yaml", text))
    assert any(re.search(r"q\.yaml:\d+: questions\[0\]\.levels: .*a description for each "
                         r"level 0 to 5 \(missing: 5\)", p) for p in found), found
    again = write_yaml("again.yaml", (data_dir("models") / "scale.yaml").read_text("utf-8"))
    found = problems_of(again)
    assert any(re.search(r"again\.yaml:3: id: a scale with id 'maturity' already exists", p)
               for p in found), found
def test_every_question_describes_its_levels(write_yaml: WriteYaml) -> None:
    """A respondent reads what each level means for the question: a question without its
    six descriptions is refused at its line, saying what to write."""
    model = write_yaml("own.yaml", GOOD_MODEL)
    text = GOOD_QUESTIONNAIRE_HEAD + six_questions().replace(LEVELS_LINE, "", 1)
    found = problems_of(model, write_yaml("q.yaml", text))
    assert found == [f"{found[0].split(':')[0]}:9: questions[0].levels: required but missing "
                     "(what each answer level 0 to 5 means for this question: six keys 0-5, "
                     "each {en: ..., fa: ...}; see docs/catalogue.md)"]
    # each description is a text in both languages, like every other text
    text = GOOD_QUESTIONNAIRE_HEAD + six_questions().replace(
        "{en: 'Level 3', fa: 'سطح 3'}", "{en: 'Level 3'}", 1)
    found = problems_of(model, write_yaml("q.yaml", text))
    assert found == [f"{found[0].split(':')[0]}:18: questions[0].levels.3.fa: required but "
                     "missing"]


def test_a_retired_question_id_is_never_given_to_a_new_question(write_yaml: WriteYaml) -> None:
    """Answers stay stored against a retired id (docs/catalogue.md): a new question taking
    it would inherit them, so the id is refused, at the question's line."""
    model = write_yaml("own.yaml", GOOD_MODEL)
    retired = "retired: [q.gone, q.merged]\n"
    catalog = load_files([*base_files(), model,
                          write_yaml("q.yaml", GOOD_QUESTIONNAIRE_HEAD + six_questions()
                                     + retired)])
    assert catalog.questionnaires["own_q"].retired == ["q.gone", "q.merged"]
    reused = six_questions().replace("id: q.data", "id: q.gone")
    found = problems_of(model, write_yaml("q.yaml", GOOD_QUESTIONNAIRE_HEAD + reused
                                          + retired))
    assert found == [f"{found[0].split(':')[0]}:39: questions[3].id: 'q.gone' is retired "
                     "(listed under 'retired'); a new question needs an id never used "
                     "before"]
    twice = "retired: [q.gone, q.gone]\n"
    found = problems_of(model, write_yaml("q.yaml", GOOD_QUESTIONNAIRE_HEAD + six_questions()
                                          + twice))
    assert len(found) == 1
    assert "retired[1]: duplicate retired id 'q.gone'" in found[0]


def test_a_questionnaire_may_select_another_ones_questions(write_yaml: WriteYaml) -> None:
    """The core workshop set takes the full set's questions word for word, by id."""
    model = write_yaml("own.yaml", GOOD_MODEL)
    full = write_yaml("own_q.yaml", GOOD_QUESTIONNAIRE_HEAD + six_questions())
    head = GOOD_QUESTIONNAIRE_HEAD.replace("id: own_q", "id: short").replace(
        "questions:\n", "questions_from: own_q\nselection:\n")
    ids = "".join(f"  - q.{s}\n" for s in ("vision", "strategy", "process", "data",
                                           "technology", "metrics"))
    catalog = load_files([*base_files(), model, full, write_yaml("short.yaml", head + ids)])
    short = catalog.questionnaires["short"]
    assert [q.id for q in short.questions] == [
        q.id for q in catalog.questionnaires["own_q"].questions]
    assert short.questions[0] is catalog.questionnaires["own_q"].questions[0]
    assert catalog.informing_questions["short"]["own.first"]

    broken = head + "  - q.vision\n  - q.nowhere\n  - q.strategy\n"
    found = problems_of(model, full, write_yaml("short.yaml", broken))
    assert any(re.search(r"short\.yaml:11: selection\[1\]: 'q\.nowhere' is not a question of "
                         r"'own_q'", p) for p in found), found
    assert any(re.search(r"short\.yaml:9: selection: no question for stage\(s\): process, "
                         r"data, technology, metrics", p) for p in found), found
    both = write_yaml("short.yaml", head.replace("selection:\n", "selection: [q.vision]\n"
                                                 "questions:\n") + six_questions())
    assert any("with questions_from, list the question ids under 'selection'" in p
               for p in problems_of(model, full, both))
