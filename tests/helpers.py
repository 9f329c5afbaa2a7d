"""Helpers the test modules share: signing in, reading pages and PDFs back as text, Persian
digits, a free port, a walk page's level choices. Fixtures and the World builder live in
conftest.py."""

from __future__ import annotations

import io
import re
import socket
from dataclasses import dataclass
from xml.etree.ElementTree import Element

import tinyhtml5
from flask.testing import FlaskClient
from pypdf import PdfReader

#: zero-width non-joiner: Persian writes it inside words; PDF text extraction keeps or drops it
ZWNJ = "\u200c"
PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
_TO_PERSIAN = str.maketrans("0123456789", PERSIAN_DIGITS)


def login(client: FlaskClient, email: str = "ana@example.com",
          password: str = "correct-horse") -> None:
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


def chunk(page: str, start: str, end: str) -> str:
    """The page from the first `start` to the first `end` after it."""
    first = page.index(start)
    return page[first:page.index(end, first + len(start))]


def text_of(html: str) -> str:
    """The text of an HTML page or fragment: tags dropped, each run of whitespace one space."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def read_pdf(data: bytes) -> tuple[PdfReader, str]:
    """A PDF opened with pypdf, and the text of its pages one after the other (as pypdf
    extracts it: right-to-left lines may come out in visual order)."""
    reader = PdfReader(io.BytesIO(data))
    return reader, "\n".join(page.extract_text() or "" for page in reader.pages)


def squash(text: str) -> str:
    """Extracted text made easy to search: no ZWNJ, each run of whitespace one space."""
    return re.sub(r"\s+", " ", text.replace(ZWNJ, ""))


def persian_digits(value: object) -> str:
    """`value` as text with its Latin digits written as Persian digits."""
    return str(value).translate(_TO_PERSIAN)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass(frozen=True)
class LevelChoice:
    """A level a question can be answered with, as a screen reader announces its radio."""

    value: str
    name: str  #: its accessible name (aria-labelledby): the level's number and name
    description: str  #: its accessible description (aria-describedby)


def _words(element: Element) -> str:
    return " ".join("".join(element.itertext()).split())


def level_choices(html: str, question_id: str) -> list[LevelChoice]:
    """The level choices of one question of a walk page, in page order. Fails unless the
    name and the description of each radio sit inside the radio's own label (so both are
    on the page, not behind a tap, and clicking either one chooses the level)."""
    root = tinyhtml5.parse(html, namespace_html_elements=False)
    by_id = {element.get("id"): element for element in root.iter() if element.get("id")}
    labels = {label.get("for"): label for label in root.iter("label")}
    choices = []
    for radio in by_id[f"q-{question_id}"].iter("input"):
        if radio.get("type") != "radio" or radio.get("aria-describedby") is None:
            continue
        name = by_id[radio.get("aria-labelledby")]
        description = by_id[radio.get("aria-describedby")]
        inside = list(labels[radio.get("id")].iter())
        assert name in inside, radio.get("id")
        assert description in inside, radio.get("id")
        choices.append(LevelChoice(radio.get("value", ""), _words(name), _words(description)))
    return choices
