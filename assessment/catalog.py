"""Load and validate the YAML catalogue into frozen objects.

The catalogue is loaded whole or not at all: every problem in every file is collected
and reported as `file:line: field: message`, and a catalogue with any problem is never
returned.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from .schema import (
    CANONICAL_STAGE_IDS,
    CanonicalStage,
    CatalogFile,
    DeploymentModel,
    ModelStage,
    Question,
    Questionnaire,
    ScaleFile,
    StagesFile,
    missing_stages,
)
from .yamlsource import PathKey, YamlDocument, read_yaml

#: The five backbone models, in the order the product presents them.
BACKBONE_MODELS: tuple[str, ...] = ("lic", "gartner", "crm_strategy", "kalakota", "swift")
#: the scale every score is read on (models/scale.yaml); questions may use others
MATURITY_SCALE = "maturity"
#: Environment variable naming a directory of the user's own model/questionnaire files.
USER_DIR_ENV = "CRM_CATALOG_DIR"

_PACKAGE_DIR = Path(__file__).resolve().parent
_FILE_ADAPTER: TypeAdapter[Any] = TypeAdapter(CatalogFile)


def data_dir(name: str) -> Path:
    """Where a shipped data folder (models, questionnaires, templates, reports) lives.

    In an installed wheel the folders sit in `assessment/_data/`; in a checkout they
    sit beside the package.
    """
    installed = _PACKAGE_DIR / "_data" / name
    if installed.is_dir():
        return installed
    return _PACKAGE_DIR.parent / name


def shipped_files() -> list[Path]:
    return sorted(data_dir("models").glob("*.yaml")) + sorted(
        data_dir("questionnaires").glob("*.yaml")
    )


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files as given, and the *.yaml / *.yml files inside any directory given."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted([*path.glob("*.yaml"), *path.glob("*.yml")]))
        else:
            files.append(path)
    return files


@dataclass(frozen=True)
class Problem:
    file: Path
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{_display(self.file)}:{self.line}"
        if self.field:
            return f"{where}: {self.field}: {self.message}"
        return f"{where}: {self.message}"


class CatalogError(Exception):
    """The catalogue (or a file added to it) has problems; nothing was loaded."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        count = len(problems)
        head = f"{count} problem{'s' if count != 1 else ''} in the catalogue"
        super().__init__(head + ":\n" + "\n".join(f"  {p}" for p in problems))


def _display(file: Path) -> str:
    try:
        return str(file.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(file)


def format_field(path: Iterable[str | int]) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + part
    return out


@dataclass(frozen=True)
class Catalog:
    """The validated catalogue: stages, the answer scale, models and questionnaires."""

    stages_file: StagesFile
    scales: dict[str, ScaleFile]
    models: dict[str, DeploymentModel]
    questionnaires: dict[str, Questionnaire]
    sources: dict[str, Path] = field(default_factory=dict, compare=False)

    @property
    def scale(self) -> ScaleFile:
        """The maturity scale: the levels every score is read on."""
        return self.scales[MATURITY_SCALE]

    def scale_of(self, question: Question) -> ScaleFile:
        """The scale a question is answered on (its levels are 0-5 like every scale)."""
        return self.scales[question.scale]

    @property
    def stages(self) -> list[CanonicalStage]:
        return list(self.stages_file.stages)

    def stage(self, stage_id: str) -> CanonicalStage:
        return self.stages_file.stages[CANONICAL_STAGE_IDS.index(stage_id)]

    @property
    def default_target(self) -> int:
        return self.stages_file.default_target

    def model_stage(self, ref: str) -> tuple[DeploymentModel, ModelStage]:
        model_id, _, stage_id = ref.partition(".")
        model = self.models[model_id]
        return model, model.stage(stage_id)

    @cached_property
    def informing_questions(self) -> dict[str, dict[str, list[Question]]]:
        """questionnaire id -> model stage ref -> the questions that inform it."""
        out: dict[str, dict[str, list[Question]]] = {}
        for qid, questionnaire in self.questionnaires.items():
            refs: dict[str, list[Question]] = {}
            for question in questionnaire.questions:
                for ref in question.informs:
                    refs.setdefault(ref, []).append(question)
            out[qid] = refs
        return out


@dataclass
class _Parsed:
    doc: YamlDocument
    obj: Any


def _validate_file(doc: YamlDocument) -> tuple[Any | None, list[Problem]]:
    problems = [Problem(doc.file, p.line, format_field(p.path), p.message) for p in doc.problems]
    if problems:
        return None, problems
    data = doc.data
    if not isinstance(data, dict):
        return None, [Problem(doc.file, 1, "", "the file must be a mapping with a 'kind' key")]
    if data.get("kind") not in ("stages", "scale", "model", "questionnaire"):
        return None, [
            Problem(
                doc.file,
                doc.line_of(("kind",)),
                "kind",
                "must be one of: stages, scale, model, questionnaire"
                + (f" (found {data['kind']!r})" if "kind" in data else " (missing)"),
            )
        ]
    try:
        return _FILE_ADAPTER.validate_python(data), []
    except ValidationError as exc:
        return None, [_from_pydantic(doc, error) for error in exc.errors()]


#: what to write where a required key is missing, when its name alone does not say
_MISSING_HINTS = {
    "levels": " (what each answer level 0 to 5 means for this question: six keys 0-5, "
              "each {en: ..., fa: ...}; see docs/catalogue.md)",
}


def _from_pydantic(doc: YamlDocument, error: Any) -> Problem:
    # The first element of loc is the discriminator's tag ("model", ...); drop it.
    loc: PathKey = tuple(part for part in error["loc"][1:] if part != "[key]")
    message = error["msg"]
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    if error["type"] == "extra_forbidden":
        message = "unknown key (not part of the schema; a typo?)"
    elif error["type"] == "missing":
        message = "required but missing" + _MISSING_HINTS.get(str(loc[-1]) if loc else "", "")
    elif error["type"] == "literal_error" and error["loc"][-1] == "[key]":
        message = f"'{loc[-1]}' is not a canonical stage; use one of: " + ", ".join(
            CANONICAL_STAGE_IDS
        )
    return Problem(doc.file, doc.line_of(loc), format_field(loc), message)


def _duplicates(
    parsed: _Parsed, items: Iterable[tuple[str, PathKey]], what: str
) -> Iterator[Problem]:
    seen: dict[str, int] = {}
    for value, path in items:
        line = parsed.doc.line_of(path)
        if value in seen:
            yield Problem(
                parsed.doc.file, line, format_field(path),
                f"duplicate {what} '{value}' (first on line {seen[value]})",
            )
        else:
            seen[value] = line


def _check_unique_within(parsed: _Parsed) -> Iterator[Problem]:
    obj = parsed.obj
    if isinstance(obj, DeploymentModel):
        yield from _duplicates(
            parsed, ((s.id, ("stages", i, "id")) for i, s in enumerate(obj.stages)), "stage id"
        )
        checklist = [
            (item.id, ("stages", i, "checklist", j, "id"))
            for i, stage in enumerate(obj.stages)
            for j, item in enumerate(stage.checklist)
        ]
        yield from _duplicates(parsed, checklist, "checklist item id")
        gates = [
            (gate.id, ("stages", i, "gates", j, "id"))
            for i, stage in enumerate(obj.stages)
            for j, gate in enumerate(stage.gates)
        ]
        yield from _duplicates(parsed, gates, "gate id")
    elif isinstance(obj, Questionnaire):
        yield from _duplicates(
            parsed,
            ((q.id, ("questions", i, "id")) for i, q in enumerate(obj.questions)),
            "question id",
        )
        yield from _duplicates(
            parsed, ((qid, ("retired", i)) for i, qid in enumerate(obj.retired)),
            "retired id",
        )
        retired = set(obj.retired)
        for i, question in enumerate(obj.questions):
            if question.id in retired:
                # Stored answers to the retired question would count for this one.
                path: PathKey = ("questions", i, "id")
                yield Problem(parsed.doc.file, parsed.doc.line_of(path), format_field(path),
                              f"'{question.id}' is retired (listed under 'retired'); a new "
                              "question needs an id never used before")


def _check_references(
    parsed: _Parsed, model_stages: set[str], scales: set[str]
) -> Iterator[Problem]:
    obj = parsed.obj
    if not isinstance(obj, Questionnaire):
        return
    for i, question in enumerate(obj.questions):
        if question.scale not in scales:
            path: PathKey = ("questions", i, "scale")
            yield Problem(parsed.doc.file, parsed.doc.line_of(path), format_field(path),
                          f"unknown answer scale '{question.scale}'")
        for j, ref in enumerate(question.informs):
            if ref not in model_stages:
                path = ("questions", i, "informs", j)
                model_id = ref.partition(".")[0]
                hint = (
                    "no such stage in model '" + model_id + "'"
                    if any(s.startswith(model_id + ".") for s in model_stages)
                    else "no model '" + model_id + "' in the catalogue"
                )
                yield Problem(parsed.doc.file, parsed.doc.line_of(path), format_field(path),
                              f"'{ref}' is not a model stage ({hint})")
        for j, ref in enumerate(question.informs):
            if ref in question.informs[:j]:
                path = ("questions", i, "informs", j)
                yield Problem(parsed.doc.file, parsed.doc.line_of(path), format_field(path),
                              f"'{ref}' is listed twice")


def _resolve_selections(questionnaires: list[_Parsed]) -> Iterator[Problem]:
    """A questionnaire with `questions_from` takes the selected questions, word for word,
    from the one it names; after this, it is like any other (`parsed.obj` is replaced)."""
    own = {p.obj.id: p.obj for p in questionnaires if p.obj.questions_from is None}
    for parsed in questionnaires:
        obj = parsed.obj
        if obj.questions_from is None:
            continue
        base = own.get(obj.questions_from)
        if base is None:
            path: PathKey = ("questions_from",)
            yield Problem(parsed.doc.file, parsed.doc.line_of(path), format_field(path),
                          f"no questionnaire '{obj.questions_from}' with questions of its own")
            continue
        known = {q.id: q for q in base.questions}
        chosen: list[Question] = []
        for i, qid in enumerate(obj.selection):
            path = ("selection", i)
            if qid not in known:
                yield Problem(parsed.doc.file, parsed.doc.line_of(path), format_field(path),
                              f"'{qid}' is not a question of '{base.id}'")
            elif known[qid] in chosen:
                yield Problem(parsed.doc.file, parsed.doc.line_of(path), format_field(path),
                              f"'{qid}' is selected twice")
            else:
                chosen.append(known[qid])
        uncovered = missing_stages(chosen)
        if uncovered:
            path = ("selection",)
            yield Problem(parsed.doc.file, parsed.doc.line_of(path), format_field(path),
                          "no question for stage(s): " + ", ".join(uncovered))
        parsed.obj = obj.model_copy(update={"questions": chosen})


def _check_evidence(parsed: _Parsed, models: list[DeploymentModel]) -> Iterator[Problem]:
    """Rule 8 scores a model stage from the questions that inform it: every stage of a
    model the questionnaire informs at all needs `evidence_per_stage` of them."""
    questionnaire = parsed.obj
    counts: dict[str, int] = {}
    for question in questionnaire.questions:
        for ref in question.informs:
            counts[ref] = counts.get(ref, 0) + 1
    informed = {ref.partition(".")[0] for ref in counts}
    wanted = questionnaire.evidence_per_stage
    path: PathKey = ("evidence_per_stage",)
    line = (parsed.doc.line_of(path) if "evidence_per_stage" in parsed.doc.data
            else parsed.doc.line_of(("id",)))
    for model in models:
        if model.id not in informed:
            continue
        for stage in model.stages:
            ref = f"{model.id}.{stage.id}"
            found = counts.get(ref, 0)
            if found < wanted:
                yield Problem(parsed.doc.file, line, format_field(path),
                              f"model stage '{ref}' is informed by {found} question(s); "
                              f"each stage of a model this questionnaire informs needs at "
                              f"least {wanted}")


def load_catalog(
    extra: Iterable[Path] = (), *, include_user_dir: bool = True
) -> Catalog:
    """Load the shipped catalogue plus `extra` files (and the user directory, if set).

    Raises CatalogError listing every problem found; never returns a partial catalogue.
    """
    files = shipped_files()
    user_dir = os.environ.get(USER_DIR_ENV)
    if include_user_dir and user_dir:
        directory = Path(user_dir)
        if not directory.is_dir():
            raise CatalogError(
                [Problem(directory, 1, "", f"{USER_DIR_ENV} names a folder that does not exist")]
            )
        files += expand_paths([directory])
    files += expand_paths(extra)
    return load_files(files)


def load_files(files: Iterable[Path]) -> Catalog:
    problems: list[Problem] = []
    parsed: list[_Parsed] = []
    seen_files: set[Path] = set()
    for file in files:
        resolved = file.resolve()
        if resolved in seen_files:
            continue
        seen_files.add(resolved)
        if not file.is_file():
            problems.append(Problem(file, 1, "", "no such file"))
            continue
        doc = read_yaml(file)
        obj, file_problems = _validate_file(doc)
        problems.extend(file_problems)
        if obj is not None:
            parsed.append(_Parsed(doc, obj))

    for item in parsed:
        problems.extend(_check_unique_within(item))

    stages = [p for p in parsed if isinstance(p.obj, StagesFile)]
    scales = [p for p in parsed if isinstance(p.obj, ScaleFile)]
    models = [p for p in parsed if isinstance(p.obj, DeploymentModel)]
    questionnaires = [p for p in parsed if isinstance(p.obj, Questionnaire)]

    for extra_file in stages[1:]:
        problems.append(Problem(extra_file.doc.file, extra_file.doc.line_of(("kind",)), "kind",
                                "a second 'stages' file; the catalogue has exactly one "
                                f"(the first is {_display(stages[0].doc.file)})"))
    for kind, group in (("model", models), ("questionnaire", questionnaires), ("scale", scales)):
        yield_ids = ((p.obj.id, p) for p in group)
        first: dict[str, _Parsed] = {}
        for obj_id, p in yield_ids:
            if obj_id in first:
                problems.append(Problem(p.doc.file, p.doc.line_of(("id",)), "id",
                                        f"a {kind} with id '{obj_id}' already exists in "
                                        f"{_display(first[obj_id].doc.file)}"))
            else:
                first[obj_id] = p

    problems.extend(_resolve_selections(questionnaires))
    model_stage_refs = {f"{p.obj.id}.{s.id}" for p in models for s in p.obj.stages}
    scale_ids = {p.obj.id for p in scales}
    for item in questionnaires:
        if item.obj.questions_from is None:  # a selection's questions were checked at home
            problems.extend(_check_references(item, model_stage_refs, scale_ids))
        problems.extend(_check_evidence(item, [p.obj for p in models]))

    if not problems and not stages:
        problems.append(Problem(data_dir("models"), 1, "", "no 'stages' file in the catalogue"))
    if not problems and not any(p.obj.id == MATURITY_SCALE for p in scales):
        problems.append(Problem(data_dir("models"), 1, "",
                                f"no scale '{MATURITY_SCALE}' in the catalogue: every score "
                                "is read on it"))
    if problems:
        raise CatalogError(problems)

    def model_order(p: _Parsed) -> tuple[int, str]:
        model_id = p.obj.id
        rank = BACKBONE_MODELS.index(model_id) if model_id in BACKBONE_MODELS else 99
        return rank, model_id

    sources = {f"{p.obj.kind}:{getattr(p.obj, 'id', p.obj.kind)}": p.doc.file for p in parsed}
    return Catalog(
        stages_file=stages[0].obj,
        scales={p.obj.id: p.obj for p in scales},
        models={p.obj.id: p.obj for p in sorted(models, key=model_order)},
        questionnaires={p.obj.id: p.obj for p in questionnaires},
        sources=sources,
    )
