"""PDF reports: gather an assessment's figures, fill the print template, render with WeasyPrint.

The HTML handed to WeasyPrint is self-contained (print CSS inline, fonts and logos as
data: URLs, charts as inline SVG), so `--format html` writes exactly what is rendered.
Rendering runs in a forked child with a time limit and a fetcher that refuses everything
but data: URLs and the app's own static files.
"""

from __future__ import annotations

import base64
import gc
import math
import multiprocessing
import os
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from flask import Flask, current_app, g, render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from . import i18n, weasyprint_rtl
from .catalog import Catalog, data_dir
from .charts import radar_svg
from .extensions import db
from .schema import CANONICAL_STAGE_IDS, LEVELS, Question
from .scoring import AssessmentScore, QuestionScore
from .tables import Answer, Assessment, Respondent, utcnow
from .walk.operations import agreed_of, questionnaire_of, score_assessment

STATIC_DIR = Path(__file__).resolve().parent / "static"
#: Vazirmatn covers Persian and Latin in one file. (Two files of one family split by
#: unicode-range share a PostScript name, and WeasyPrint then embeds the wrong glyphs.)
#: TrueType rather than WOFF2 for print: WeasyPrint would decode WOFF2 on every render.
FONT_FILES = {400: "Vazirmatn-Regular.ttf", 700: "Vazirmatn-Bold.ttf"}
DEFAULT_TIMEOUT = 60.0
#: Reports rendered at once per server process; more wait their turn (REPORT_QUEUE_WAIT s).
RENDER_SLOTS = threading.BoundedSemaphore(int(os.environ.get("CRM_REPORT_SLOTS", "1")))
DEFAULT_QUEUE_WAIT = 30.0


class ReportError(RuntimeError):
    """The report could not be made; the message says why, for the user."""


# --- what the report shows ---------------------------------------------------------


@dataclass(frozen=True)
class QuestionRow:
    question: Question
    figures: QuestionScore
    comments: list[str]
    flags: int


@dataclass(frozen=True)
class ModelNext:
    stage_name: str
    action: str


def _data_url(data: bytes, mime: str) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


@cache
def font_faces() -> str:
    """@font-face rules for Vazirmatn with the fonts inline (read once per process)."""
    rules = []
    for weight, name in FONT_FILES.items():
        data = (data_dir("reports") / "fonts" / name).read_bytes()
        rules.append(f'@font-face {{ font-family: "Vazirmatn"; font-weight: {weight}; '
                     f'src: url("{_data_url(data, "font/ttf")}") format("truetype"); }}')
    return "\n".join(rules)


@cache
def print_css() -> str:
    return (data_dir("reports") / "report.css").read_text(encoding="utf-8")


def _comments(assessment: Assessment) -> tuple[dict[str, list[str]], dict[str, int]]:
    rows = db.session.execute(
        db.select(Answer.question_id, Answer.comment, Answer.flagged)
        .join(Respondent).where(Respondent.assessment_id == assessment.id)
    )
    comments: dict[str, list[str]] = {}
    flags: dict[str, int] = {}
    for question_id, comment, flagged in rows:
        if comment and comment.strip():
            comments.setdefault(question_id, []).append(comment.strip())
        if flagged:
            flags[question_id] = flags.get(question_id, 0) + 1
    return comments, flags


def _model_next(catalog: Catalog, result: AssessmentScore, model_id: str,
                lang: str) -> ModelNext | None:
    """The model's first stage, in its own order, that is below target or blocked by a gate."""
    model = catalog.models[model_id]
    targets = {s.stage: s.target for s in result.stages}
    for stage_score in result.model(model_id).stages:
        stage = model.stage(stage_score.stage)
        target = math.fsum(targets[c] * w for c, w in stage.maps_to.items())
        blocked = any(gate.status == "fail" for gate in stage_score.gates)
        below = stage_score.score is None or stage_score.score < target * 20 - 1e-9
        if blocked or below:
            return ModelNext(stage.name.get(lang), stage.checklist[0].text.get(lang))
    return None


def report_context(catalog: Catalog, assessment: Assessment, lang: str) -> dict[str, Any]:
    result = score_assessment(catalog, assessment)
    questionnaire = questionnaire_of(catalog, assessment)
    comments, flags = _comments(assessment)
    scored = [s for s in result.stages if s.score is not None]
    by_score = sorted(scored, key=lambda s: (-(s.score or 0), CANONICAL_STAGE_IDS.index(s.stage)))
    labels = [s.name.get(lang) for s in catalog.stages]
    radar = radar_svg(labels, [s.score for s in result.stages],
                      [s.target * 20 for s in result.stages], rtl=lang == "fa",
                      title=_("Radar of the six stages: current against target"),
                      show_labels=False)
    rows = {q.id: QuestionRow(q, result.questions[q.id], comments.get(q.id, []),
                              flags.get(q.id, 0)) for q in questionnaire.questions}
    stage_distribution = {
        stage: [sum(result.questions[q.id].distribution[level] for q in questionnaire.questions
                    if q.stage == stage) for level in LEVELS]
        for stage in CANONICAL_STAGE_IDS
    }
    stage_not_scored = {
        stage: sum(result.questions[q.id].not_applicable + result.questions[q.id].unknown
                   for q in questionnaire.questions if q.stage == stage)
        for stage in CANONICAL_STAGE_IDS
    }
    unanswered_questions = [q for q in questionnaire.questions
                            if result.questions[q.id].value is None]
    # Divergent questions and any the room settled by agreeing an answer: settled ones
    # first (the report must show them), then the widest spread.
    divergent = sorted((row for row in rows.values()
                        if row.figures.divergent or row.figures.agreed is not None),
                       key=lambda r: (r.figures.agreed is None, -(r.figures.spread or 0)))
    workspace = assessment.client.workspace
    when: datetime = assessment.completed_at or utcnow()
    return {
        "lang": lang,
        "dir": i18n.direction(lang),
        "assessment": assessment,
        "client": assessment.client,
        "workspace": workspace,
        "brand": workspace.brand_colour or "#1f6f8b",
        "logo": _data_url(assessment.client.logo, assessment.client.logo_type or "image/png")
        if assessment.client.logo else None,
        "report_date": when,
        "result": result,
        "questionnaire": questionnaire,
        "catalog": catalog,
        "radar": radar,
        "strongest": by_score[:3],
        "weakest": list(reversed(by_score[-3:])) if len(by_score) > 3 else list(
            reversed(by_score)),
        "failed_gates": [gate for gate in result.gates if gate.status == "fail"],
        "priorities": [(p, rows[p.question_id]) for p in result.priorities],
        "rows": rows,
        "stage_distribution": stage_distribution,
        "stage_not_scored": stage_not_scored,
        "unanswered_questions": unanswered_questions,
        "divergent": divergent[:15],
        "agreed_notes": {qid: row.note for qid, row in agreed_of(assessment).items()},
        "agreed_count": sum(1 for q in result.questions.values() if q.agreed is not None),
        "respondent_count": result.respondents,
        "model_next": {m.model: _model_next(catalog, result, m.model, lang)
                       for m in result.models},
        "citations": list(dict.fromkeys(
            [src.citation for m in result.models for src in catalog.models[m.model].sources]
            + [src.citation for src in questionnaire.sources])),
        "font_faces": font_faces(),
        "print_css": print_css(),
    }


@contextmanager
def report_language(app: Flask, lang: str) -> Iterator[None]:
    """Render in `lang` inside or outside a request (the CLI has none)."""
    from flask import has_request_context

    if has_request_context():
        previous = getattr(g, "lang", None)
        g.lang = lang
        try:
            with force_locale(lang):
                yield
        finally:
            g.lang = previous
        return
    with app.test_request_context("/"):
        # The request context shares an app context already pushed (the CLI's): put g.lang
        # back afterwards so later messages are not in the report's language.
        previous = getattr(g, "lang", None)
        g.lang = lang
        try:
            with force_locale(lang):
                yield
        finally:
            g.lang = previous


def build_html(assessment: Assessment, lang: str) -> str:
    """The self-contained HTML of the report, exactly as WeasyPrint gets it."""
    if lang not in i18n.LANGUAGES:
        raise ReportError(f"unknown language {lang!r}")
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    catalog: Catalog = app.extensions["catalog"]
    with report_language(app, lang):
        return render_template("reports/report.html", **report_context(catalog, assessment, lang))


# --- rendering ------------------------------------------------------------------


def _fetcher_class() -> Any:
    from weasyprint.urls import URLFetcher

    class StaticOnlyFetcher(URLFetcher):  # type: ignore[misc]
        """data: URLs and the app's own static files; nothing else, no redirects."""

        def __init__(self) -> None:
            super().__init__(allowed_protocols=("data", "file"), allow_redirects=False,
                             timeout=5)
            self.refused: list[str] = []

        def fetch(self, url: str, headers: Any = None) -> Any:
            scheme = url.split(":", 1)[0].lower()
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme == "file":
                path = Path(unquote(urlsplit(url).path)).resolve()
                if path.is_relative_to(STATIC_DIR) and path.is_file():
                    return super().fetch(url, headers)
            self.refused.append(url)
            raise ValueError(f"not fetched: {url} (only data: URLs and the app's static files)")

    return StaticOnlyFetcher


def make_fetcher() -> Any:
    return _fetcher_class()()


def prepare_renderer() -> None:
    """Load WeasyPrint into this process once, with its right-to-left lines fixed.

    Called before forking a child for a report: the child inherits it ready instead of
    importing WeasyPrint itself (about a second) on every report.
    """
    weasyprint_rtl.apply()


def render_pdf_here(html: str) -> bytes:
    """Render in this process (no time limit): used by the child and by benchmarks."""
    prepare_renderer()
    from weasyprint import HTML

    document = HTML(string=html, base_url=str(STATIC_DIR) + os.sep,
                    url_fetcher=make_fetcher())
    pdf: bytes = document.write_pdf()
    return pdf


def _child(html: str, connection: Any) -> None:
    # The child lives for one render and then exits: skip cyclic garbage collection,
    # which otherwise keeps walking the app's inherited objects and WeasyPrint's boxes.
    gc.freeze()
    gc.disable()
    try:
        connection.send(("ok", render_pdf_here(html)))
    except BaseException as exc:
        connection.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        connection.close()


def render_pdf(html: str, timeout: float | None = None) -> bytes:
    """Render in a forked child; give up (and kill it) after `timeout` seconds."""
    limit = timeout if timeout is not None else float(
        current_app.config.get("REPORT_TIMEOUT", DEFAULT_TIMEOUT))
    wait = float(current_app.config.get("REPORT_QUEUE_WAIT", DEFAULT_QUEUE_WAIT))
    if not RENDER_SLOTS.acquire(timeout=wait):
        raise ReportError(_("Other reports are being prepared right now. Please try again in "
                            "a minute."))
    try:
        prepare_renderer()
        return _render_in_child(html, limit)
    finally:
        RENDER_SLOTS.release()


def _render_in_child(html: str, limit: float) -> bytes:
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(html, sender), daemon=True)
    process.start()
    sender.close()
    try:
        if not receiver.poll(limit):
            process.kill()
            raise ReportError(_("The report took longer than %(n)s seconds and was stopped.",
                                n=round(limit)))
        try:
            kind, payload = receiver.recv()
        except EOFError:
            raise ReportError(_("The report could not be rendered.")) from None
    finally:
        receiver.close()
        process.join(timeout=5)
    if kind != "ok":
        raise ReportError(_("The report could not be rendered (%(reason)s).", reason=payload))
    pdf: bytes = payload
    return pdf


def write_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary file beside `path`, then move it: never a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # as an ordinary new file, not mkstemp's 0600
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def file_name(assessment: Assessment, lang: str, extension: str = "pdf") -> str:
    """An ASCII-safe download name."""
    import re

    base = f"{assessment.client.name}-{assessment.title}"
    safe = re.sub(r"[^A-Za-z0-9]+", "-", base).strip("-").lower() or f"assessment-{assessment.id}"
    return f"{safe[:80]}-{lang}.{extension}"
