"""A real SMTP server for tests (aiosmtpd), run in a thread on a free local port: it keeps
what it is sent, or refuses every recipient when told to. No TLS and no sign-in: the app
under test sends with `SMTP_TLS` "none" and no `SMTP_USER` (the `mailbox` fixture in
conftest.py sets them; `mail_sink()` is the same server for a `with` block)."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from .helpers import free_port


class MailSink:
    """The handler: `messages` received, parsed; `refuse` turns every recipient away."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.refuse = False

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          options: list[str]) -> str:
        if self.refuse:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.original_content or envelope.content,
                                          policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        return "250 Message accepted"

    def start(self) -> tuple[Controller, int]:
        port = free_port()
        controller = Controller(self, hostname="127.0.0.1", port=port)
        controller.start()
        return controller, port


@contextmanager
def mail_sink() -> Iterator[tuple[int, list[EmailMessage]]]:
    """(port, the messages received so far) while the server runs."""
    sink = MailSink()
    controller, port = sink.start()
    try:
        yield port, sink.messages
    finally:
        controller.stop()


def parts(message: EmailMessage) -> tuple[str, str]:
    """The plain text and the HTML of a message."""
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None, message
    assert html is not None, message
    return str(text.get_content()), str(html.get_content())
