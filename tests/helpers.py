"""Helpers the test modules share: signing in, reading pages and PDFs back as text, Persian
digits, a free port. Fixtures and the World builder live in conftest.py."""

from __future__ import annotations

import io
import re
import socket

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
