"""Passwords: changing one's own, "forgot password" (the same answer with or without a mail
server), one-time reset links that expire, and the reset links the owner issues."""

from __future__ import annotations

import re
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.security import check_password_hash

from assessment.extensions import db
from assessment.tables import PasswordReset, User, utcnow

from .conftest import World
from .helpers import chunk, login, text_of
from .mailsink import MailSink, parts
from .persian import foreign_in_persian

PASSWORD = "correct-horse"
NEW = "battery-staple"
LINK = re.compile(r"http://crm\.test/password/reset/[A-Za-z0-9_-]+")
SAME_ANSWER = "If that address has an account, a link to set a new password is on its way."


def browsers(app: Flask, n: int, email: str = "ana@example.com",
             password: str = PASSWORD) -> list[FlaskClient]:
    found = []
    for _ in range(n):
        browser = app.test_client()
        login(browser, email, password)
        found.append(browser)
    return found


def signed_in_now(browser: FlaskClient) -> bool:
    return browser.get("/account").status_code == 200


def password_is(app: Flask, email: str, password: str) -> bool:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        assert user is not None
        return check_password_hash(user.password_hash, password)


def resets(app: Flask) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(PasswordReset)) or 0)


def main_text(page: str) -> str:
    """The text of a page's main part (the menu aside)."""
    return text_of(chunk(page, '<main id="main"', "</main>"))


def path_of(link: str) -> str:
    return link.removeprefix("http://crm.test")


def test_changing_the_password_ends_the_other_sessions_but_not_this_one(
        app: Flask, world: World) -> None:
    world.user()
    here, laptop, phone = browsers(app, 3)
    assert "/account/password" in here.get("/account").get_data(as_text=True)
    done = here.post("/account/password", data={"current": PASSWORD, "password": NEW,
                                                 "confirm": NEW})
    assert done.status_code == 302
    assert signed_in_now(here)
    assert not signed_in_now(laptop)
    assert not signed_in_now(phone)
    assert password_is(app, "ana@example.com", NEW)
    login(laptop, password=NEW)


def test_a_wrong_current_password_is_a_field_error_and_changes_nothing(
        app: Flask, world: World) -> None:
    world.user()
    here, other = browsers(app, 2)
    refused = here.post("/account/password", data={"current": "not-it-at-all", "password": NEW,
                                                    "confirm": NEW})
    assert refused.status_code == 200
    page = refused.get_data(as_text=True)
    assert re.search(r'id="current"[^>]*is-invalid|is-invalid[^>]*id="current"', page), page
    assert "That is not your current password." in page
    assert password_is(app, "ana@example.com", PASSWORD)
    assert signed_in_now(other)
    mismatch = here.post("/account/password", data={"current": PASSWORD, "password": NEW,
                                                     "confirm": NEW + "x"})
    assert "The two passwords differ." in mismatch.get_data(as_text=True)
    assert password_is(app, "ana@example.com", PASSWORD)


def test_forgot_password_mails_a_link_only_for_an_account(app: Flask, world: World,
                                                          mailbox: MailSink) -> None:
    world.user()
    visitor = app.test_client()
    visitor.get("/language/fa")
    assert "/password/forgot" in visitor.get("/login").get_data(as_text=True)
    known = visitor.post("/password/forgot", data={"email": "Ana@Example.com"},
                         follow_redirects=True)
    unknown = visitor.post("/password/forgot", data={"email": "nobody@example.com"},
                           follow_redirects=True)
    assert known.status_code == unknown.status_code == 200
    assert text_of(known.get_data(as_text=True)) == text_of(unknown.get_data(as_text=True))
    [message] = mailbox.messages
    assert message["To"] == "ana@example.com"
    text, html = parts(message)
    link = LINK.search(text)
    assert link
    assert link.group(0) in html
    assert foreign_in_persian(message["Subject"]) == []
    assert foreign_in_persian(text, allowed=[link.group(0), "ana@example.com"]) == []
    assert "۱" in text  # works an hour, in Persian digits
    assert resets(app) == 1


def test_without_a_mail_server_forgot_password_answers_the_same_and_makes_nothing(
        app: Flask, world: World, mailbox: MailSink) -> None:
    world.user()
    with_mail = app.test_client().post("/password/forgot", data={"email": "ana@example.com"},
                                       follow_redirects=True)
    app.config["SMTP_HOST"] = None
    without = app.test_client().post("/password/forgot", data={"email": "ana@example.com"},
                                     follow_redirects=True)
    assert SAME_ANSWER in text_of(without.get_data(as_text=True))
    assert text_of(with_mail.get_data(as_text=True)) == text_of(without.get_data(as_text=True))
    assert len(mailbox.messages) == 1
    assert resets(app) == 1


def test_forgot_password_is_rate_limited_per_address_typed(app: Flask, world: World,
                                                           mailbox: MailSink) -> None:
    world.user()
    visitor = app.test_client()
    for _ in range(3):
        assert visitor.post("/password/forgot",
                            data={"email": "ana@example.com"}).status_code == 302
    refused = visitor.post("/password/forgot", data={"email": "ana@example.com"})
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert "Too many requests for a new password" in refused.get_data(as_text=True)
    assert len(mailbox.messages) == 3
    # another address typed is still answered
    assert visitor.post("/password/forgot", data={"email": "bo@example.com"}).status_code == 302


def mailed_link(app: Flask, mailbox: MailSink, email: str = "ana@example.com") -> str:
    app.test_client().post("/password/forgot", data={"email": email})
    found = LINK.search(parts(mailbox.messages[-1])[0])
    assert found
    return path_of(found.group(0))


def test_a_reset_link_sets_the_password_once_and_ends_every_session(
        app: Flask, world: World, mailbox: MailSink) -> None:
    world.user()
    laptop, phone = browsers(app, 2)
    link = mailed_link(app, mailbox)
    visitor = app.test_client()
    assert visitor.get(link).status_code == 200
    done = visitor.post(link, data={"password": NEW, "confirm": NEW})
    assert done.status_code == 302
    assert done.headers["Location"].endswith("/login")
    assert password_is(app, "ana@example.com", NEW)
    assert not signed_in_now(laptop)
    assert not signed_in_now(phone)
    again = visitor.post(link, data={"password": "a-third-one", "confirm": "a-third-one"})
    assert again.status_code == 410
    assert "This link no longer works" in again.get_data(as_text=True)
    assert password_is(app, "ana@example.com", NEW)
    assert app.test_client().get("/password/reset/unknown-token").status_code == 404


def test_a_reset_link_expires_after_an_hour(app: Flask, world: World,
                                            mailbox: MailSink) -> None:
    world.user()
    link = mailed_link(app, mailbox)
    with app.app_context():
        [reset] = db.session.scalars(select(PasswordReset)).all()
        assert timedelta(minutes=59) < reset.expires_at - utcnow() <= timedelta(hours=1)
        reset.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    visitor = app.test_client()
    visitor.get("/language/fa")
    expired = visitor.post(link, data={"password": NEW, "confirm": NEW})
    assert expired.status_code == 410
    assert foreign_in_persian(main_text(expired.get_data(as_text=True))) == []
    assert password_is(app, "ana@example.com", PASSWORD)


def test_the_owner_issues_a_reset_link_shown_and_mailed(app: Flask, world: World,
                                                        mailbox: MailSink) -> None:
    world.user()
    bea_id = world.user("bea@example.com", PASSWORD, join="ana@example.com")
    [bea_elsewhere] = browsers(app, 1, "bea@example.com")
    [ana] = browsers(app, 1)
    assert f"/members/{bea_id}/reset-link" in ana.get("/members").get_data(as_text=True)
    page = ana.post(f"/members/{bea_id}/reset-link").get_data(as_text=True)
    shown = LINK.search(page)
    assert shown, page
    assert "was mailed to" in text_of(page)
    [message] = mailbox.messages
    assert message["To"] == "bea@example.com"
    assert shown.group(0) in parts(message)[0]
    assert "the owner of your workspace" in parts(message)[0]
    visitor = app.test_client()
    assert visitor.post(path_of(shown.group(0)),
                        data={"password": NEW, "confirm": NEW}).status_code == 302
    assert password_is(app, "bea@example.com", NEW)
    assert not signed_in_now(bea_elsewhere)
    assert signed_in_now(ana)


def test_without_a_mail_server_the_owners_reset_link_is_shown(app: Flask,
                                                              world: World) -> None:
    world.user()
    bea_id = world.user("bea@example.com", PASSWORD, join="ana@example.com")
    [ana] = browsers(app, 1)
    page = ana.post(f"/members/{bea_id}/reset-link").get_data(as_text=True)
    assert LINK.search(page)
    assert "Send this link to bea@example.com" in text_of(page)


def test_a_consultant_cannot_issue_reset_links(app: Flask, world: World) -> None:
    ana_id = world.user()
    world.user("bea@example.com", PASSWORD, join="ana@example.com")
    [bea] = browsers(app, 1, "bea@example.com")
    assert bea.post(f"/members/{ana_id}/reset-link").status_code == 403
    assert resets(app) == 0
