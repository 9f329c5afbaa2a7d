"""The app's e-mail (invitations, password links), sent through the SMTP server that
`SMTP_HOST` names; with no server configured nothing is sent and the page shows the link.

A message is plain text with an HTML alternative, written in the language of the request
that sends it (the inviter's, the person asking for a reset link). Sending waits at most
`TIMEOUT` seconds for the server, outside the worker's lock (`web.out_of_turn`), so a slow
mail server holds up only the request that sends.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage

from flask import current_app, render_template

from .. import web

#: seconds to wait for the mail server at each step (connect, TLS, sign in, send)
TIMEOUT = 5.0
#: how the connection to the mail server is protected (`SMTP_TLS`)
TLS_MODES = ("none", "starttls", "ssl")


class MailError(RuntimeError):
    """The mail server could not be reached, or refused the message."""


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    text: str
    html: str


def configured() -> bool:
    """Whether the installation sends e-mail at all."""
    return bool(current_app.config["SMTP_HOST"])


def compose(to: str, template: str, **context: object) -> Mail:
    """The e-mail the templates `mail/<template>.subject.txt`, `.txt` and `.html` make, in
    the request's language."""
    subject = render_template(f"mail/{template}.subject.txt", **context).strip()
    return Mail(to=to, subject=" ".join(subject.split()),
                text=render_template(f"mail/{template}.txt", **context),
                html=render_template(f"mail/{template}.html", subject=subject, **context))


def message(mail: Mail) -> EmailMessage:
    found = EmailMessage()
    found["From"] = str(current_app.config["SMTP_FROM"])
    found["To"] = mail.to
    found["Subject"] = mail.subject
    found.set_content(mail.text)
    found.add_alternative(mail.html, subtype="html")
    return found


def send(mail: Mail) -> bool:
    """Send `mail` when a server is configured (answers True), else do nothing (False).
    Raises MailError when the server cannot be reached in time or refuses it."""
    if not configured():
        return False
    config = current_app.config
    settings = (str(config["SMTP_HOST"]), int(config["SMTP_PORT"]), str(config["SMTP_TLS"]),
                config["SMTP_USER"], config["SMTP_PASSWORD"])
    built = message(mail)
    try:
        # Nothing below touches the database or the request: other requests may run.
        with web.out_of_turn():
            _deliver(built, *settings)
    except web.NoSpareThread:
        _deliver(built, *settings)
    return True


def _deliver(built: EmailMessage, host: str, port: int, tls: str, user: object,
             password: object) -> None:
    if tls not in TLS_MODES:
        raise MailError(f"SMTP_TLS must be one of {', '.join(TLS_MODES)}, not {tls!r}")
    try:
        smtp: smtplib.SMTP
        if tls == "ssl":
            smtp = smtplib.SMTP_SSL(host, port, timeout=TIMEOUT,
                                    context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(host, port, timeout=TIMEOUT)
        with smtp:
            if tls == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if user:
                smtp.login(str(user), str(password or ""))
            smtp.send_message(built)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(str(exc) or type(exc).__name__) from exc
