"""Rendering print designs to PDF with WeasyPrint, shared by every report.

The HTML handed to WeasyPrint is self-contained (print CSS inline, fonts and logos as
data: URLs, charts as inline SVG), so `--format html` writes exactly what is rendered.
Rendering runs in a forked child with a time limit and a fetcher that refuses everything
but data: URLs and the app's own static files.

At most REPORT_SLOTS reports render at once on the whole installation: a render holds a
slot, an flock()ed file in the instance folder's `render-slots/`, which every server
process and command using that folder shares. A request in a served worker steps out of
the worker's one-request-at-a-time lock while it waits for a slot and for its child
(`web.out_of_turn`), so the worker serves other requests meanwhile.
"""

from __future__ import annotations

import base64
import fcntl
import gc
import multiprocessing
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from functools import cache
from pathlib import Path
from typing import Any

from flask import Flask, current_app, g, has_request_context
from flask_babel import force_locale
from flask_babel import gettext as _

from .. import brand, i18n, web
from ..catalog import data_dir
from ..tables import Client, Workspace
from . import rtl
from .fetcher import STATIC_DIR, make_fetcher

#: Vazirmatn covers Persian and Latin in one file. (Two files of one family split by
#: unicode-range share a PostScript name, and WeasyPrint then embeds the wrong glyphs.)
#: TrueType rather than WOFF2 for print: WeasyPrint would decode WOFF2 on every render.
FONT_FILES = {400: "Vazirmatn-Regular.ttf", 700: "Vazirmatn-Bold.ttf"}

#: Whether reports are tagged PDFs (WeasyPrint's `pdf_tags`): only if tags cost at most a
#: tenth more render time. Measured on the demo's report (`make bench-tags`, least of five
#: renders each way): English 1.93 s untagged, 2.22 s tagged (x1.15); Persian 2.22 s and
#: 2.28 s (x1.03). Over the limit in English, so off.
PDF_TAGS = False

#: The longest client and firm names the running header prints (longer ones are cut with
#: an ellipsis): together with the logo they fit one line of the header.
RUNNING_CLIENT_CHARS = 70
RUNNING_FIRM_CHARS = 50

#: The folder of render slots, in the instance folder (see `render_slot`).
SLOTS_DIR = "render-slots"
#: Seconds between looks for a free slot while waiting for one.
SLOT_POLL = 0.02


class ReportError(RuntimeError):
    """The report could not be made; the message says why, for the user."""


def data_url(data: bytes, mime: str) -> str:
    """Bytes as a data: URL, the only kind of URL a print design may load."""
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


@cache
def running_css() -> str:
    """The running header and footer every report shares (reports/running.css)."""
    return (data_dir("reports") / "running.css").read_text(encoding="utf-8")


def shorten(text: str, limit: int) -> str:
    """`text` on one line (each run of whitespace one space), cut to `limit` characters
    with an ellipsis when longer."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def brand_context(workspace: Workspace, client: Client) -> dict[str, Any]:
    """What every report takes from the consultancy's brand: its colour (checked, the only
    way a colour reaches the print CSS), the text colour that reads on it, the firm's logo
    and the names the running header and footer print, shortened to fit their line, and
    the running elements' own CSS (reports/_running.html prints them)."""
    colour = brand.print_colour(workspace.brand_colour)
    return {
        "brand": colour,
        "on_brand": brand.text_on(colour),
        "firm_logo": data_url(workspace.logo, workspace.logo_type or "image/png")
        if workspace.logo else None,
        "running_client": shorten(client.name, RUNNING_CLIENT_CHARS),
        "running_firm": shorten(workspace.name, RUNNING_FIRM_CHARS),
        "running_css": running_css(),
    }


@cache
def font_faces() -> str:
    """@font-face rules for Vazirmatn with the fonts inline (read once per process)."""
    rules = []
    for weight, name in FONT_FILES.items():
        data = (data_dir("reports") / "fonts" / name).read_bytes()
        rules.append(f'@font-face {{ font-family: "Vazirmatn"; font-weight: {weight}; '
                     f'src: url("{data_url(data, "font/ttf")}") format("truetype"); }}')
    return "\n".join(rules)


@contextmanager
def report_language(app: Flask, lang: str) -> Iterator[None]:
    """Render in `lang` inside or outside a request (the CLI has none).

    Outside a request a request context is made; it shares an app context already pushed
    (the CLI's), so g.lang is put back afterwards and later messages are not in the
    report's language.
    """
    with ExitStack() as stack:
        if not has_request_context():
            stack.enter_context(app.test_request_context("/"))
        previous = getattr(g, "lang", None)
        g.lang = lang
        try:
            with force_locale(lang):
                yield
        finally:
            g.lang = previous


def prepare_renderer() -> None:
    """Load WeasyPrint into this process once, with its right-to-left lines fixed.

    Called before forking a child for a report: the child inherits it ready instead of
    importing WeasyPrint itself (about a second) on every report.
    """
    rtl.apply()


def reading_direction(document: Any, pdf: Any) -> None:
    """A `write_pdf` finisher: a viewer shows the pages of a right-to-left report (its
    <html lang>, as WeasyPrint read it) from right to left, as a Persian book is read
    (the catalog's /ViewerPreferences /Direction /R2L). Left-to-right is a viewer's own
    default, so other reports get no entry."""
    import pydyf

    if i18n.direction(document.metadata.lang or "") == "rtl":
        preferences = pdf.catalog.get("ViewerPreferences") or pydyf.Dictionary()
        preferences["Direction"] = "/R2L"
        pdf.catalog["ViewerPreferences"] = preferences


def render_pdf_here(html: str, *, tags: bool = PDF_TAGS) -> bytes:
    """Render in this process (no time limit): used by the child and by benchmarks.
    `tags`: a tagged PDF (its structure for screen readers and reflow; see PDF_TAGS)."""
    prepare_renderer()
    from weasyprint import HTML

    document = HTML(string=html, base_url=str(STATIC_DIR) + os.sep,
                    url_fetcher=make_fetcher())
    pdf: bytes = document.write_pdf(finisher=reading_direction, pdf_tags=tags)
    return pdf


def _child(make: Callable[[str], bytes], html: str, connection: Any) -> None:
    # The child lives for one render and then exits: skip cyclic garbage collection,
    # which otherwise keeps walking the app's inherited objects and WeasyPrint's boxes.
    gc.freeze()
    gc.disable()
    try:
        connection.send(("ok", make(html)))
    except BaseException as exc:
        connection.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        connection.close()


def _busy() -> ReportError:
    return ReportError(_("Other reports are being prepared right now. Please try again in "
                         "a minute."))


@contextmanager
def render_slot(wait: float) -> Iterator[None]:
    """Hold one of the installation's REPORT_SLOTS render slots; ReportError (busy) when
    none came free within `wait` seconds.

    A slot is an exclusive flock() on `render-slots/slot-N.lock` in the instance folder:
    the kernel drops it when its holder ends, however it ends. A forked render child
    shares the open file; the slot is unlocked explicitly, which frees it for the child
    too.
    """
    folder = Path(current_app.instance_path) / SLOTS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    slots = max(1, int(current_app.config["REPORT_SLOTS"]))
    deadline = time.monotonic() + wait
    while True:
        for number in range(slots):
            handle = os.open(folder / f"slot-{number}.lock", os.O_RDWR | os.O_CREAT, 0o666)
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(handle)
                continue
            try:
                yield
                return
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
                os.close(handle)
        if time.monotonic() >= deadline:
            raise _busy()
        time.sleep(SLOT_POLL)


def render_pdf(html: str, timeout: float | None = None) -> bytes:
    """Render in a forked child; give up (and kill it) after `timeout` seconds.

    Waits up to REPORT_QUEUE_WAIT seconds for a render slot; in a served worker, other
    requests run meanwhile. Touch no database session around it from another thread.
    """
    return render_in_child(render_pdf_here, html, timeout)


def render_in_child(make: Callable[[str], bytes], html: str,
                    timeout: float | None = None) -> bytes:
    """`make(html)` (a PDF, a Word document) in a forked child under a render slot, as
    `render_pdf`: given up, and the child killed, after `timeout` seconds."""
    limit = timeout if timeout is not None else float(current_app.config["REPORT_TIMEOUT"])
    wait = float(current_app.config["REPORT_QUEUE_WAIT"])
    prepare_renderer()  # once per process; it patches WeasyPrint, so not beside others
    try:
        with web.out_of_turn(), render_slot(wait):
            return _render_in_child(make, html, limit)
    except web.NoSpareThread:
        raise _busy() from None


def _render_in_child(make: Callable[[str], bytes], html: str, limit: float) -> bytes:
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(make, html, sender), daemon=True)
    # Forked while no other request of this worker runs the app: the child then holds
    # no lock some other thread had taken.
    try:
        with web.back_in_turn():
            try:
                process.start()
            finally:
                # Closed before the lock is let go: a child another thread forks next
                # never inherits this pipe's sending end.
                sender.close()
    except BaseException:
        receiver.close()
        raise
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
        # The answer is in; the child's exit (tearing down a copy of this process, a
        # few tens of milliseconds) is waited for beside the reply, not before it.
        threading.Thread(target=_reap, args=(process,), daemon=True).start()
    if kind != "ok":
        raise ReportError(_("The report could not be rendered (%(reason)s).", reason=payload))
    made: bytes = payload
    return made


def _reap(process: Any) -> None:
    process.join(timeout=5)
    if process.is_alive():  # sent its answer but did not end: not left running
        process.kill()
        process.join()


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
