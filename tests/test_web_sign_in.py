"""Sign-in hardening: failed sign-ins throttled, the same hash work for every e-mail, a new
session at sign-in and sign-out, sign-ins that end on the server, and cookie lifetimes."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.security import check_password_hash

from assessment.accounts import operations as ops
from assessment.extensions import db, limiter
from assessment.tables import SignIn, User, utcnow

from .conftest import World
from .helpers import login, text_of

EMAIL = "ana@example.com"
PASSWORD = "correct-horse"
ELSEWHERE = {"REMOTE_ADDR": "203.0.113.7"}


def attempt(client: FlaskClient, password: str, email: str = EMAIL, url: str = "/login",
            **kwargs: Any) -> Any:
    return client.post(url, data={"email": email, "password": password}, **kwargs)


def cookie(response: Any, name: str) -> str:
    """The Set-Cookie header of `name` in a response."""
    return next(c for c in response.headers.getlist("Set-Cookie") if c.startswith(name + "="))


def value(set_cookie: str) -> str:
    return set_cookie.split(";", 1)[0].split("=", 1)[1]


def lifetime(set_cookie: str) -> timedelta:
    """How far in the future a Set-Cookie header's Expires is."""
    expires = re.search(r"Expires=([^;]+)", set_cookie)
    assert expires, set_cookie
    return parsedate_to_datetime(expires.group(1)).replace(tzinfo=None) - utcnow()


def dashboard_with(app: Flask, name: str, copied: str) -> int:
    """The status of /dashboard from a fresh browser sending only this copied cookie."""
    browser = app.test_client()
    browser.set_cookie(name, copied, domain="crm.test")
    return browser.get("/dashboard").status_code


def form_token(page: str) -> str:
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert found, page[:300]
    return found.group(1)


# --- failed sign-ins ------------------------------------------------------------------


def test_the_sixth_failed_sign_in_for_an_account_is_refused_with_the_wait(
        client: FlaskClient, world: World) -> None:
    world.user()
    for _ in range(5):
        page = attempt(client, "wrong-password")
        assert page.status_code == 200
        assert "do not match an account" in page.get_data(as_text=True)
    refused = attempt(client, "wrong-password")
    assert refused.status_code == 429
    assert "Wait 15 minutes, then try again." in text_of(refused.get_data(as_text=True))
    assert 0 < int(refused.headers["Retry-After"]) <= 15 * 60
    assert 'name="email"' in refused.get_data(as_text=True)  # the form, shown again

    persian = attempt(client, "wrong-password", url="/login?lang=fa")
    assert persian.status_code == 429
    assert "۱۵ دقیقه صبر کنید" in text_of(persian.get_data(as_text=True))

    # The right password does not help, from this address or any other, until the
    # window has passed.
    assert attempt(client, PASSWORD).status_code == 429
    assert attempt(client, PASSWORD, environ_base=ELSEWHERE).status_code == 429
    assert client.get("/dashboard").status_code == 302
    limiter.reset()  # the fifteen minutes pass
    assert attempt(client, PASSWORD).status_code == 302
    assert client.get("/dashboard").status_code == 200


def test_a_success_is_not_counted_as_a_failure(app: Flask, world: World) -> None:
    world.user()
    for _ in range(6):
        browser = app.test_client()
        assert attempt(browser, PASSWORD).status_code == 302
    assert attempt(app.test_client(), "wrong-password").status_code == 200


def test_thirty_failures_from_one_address_stop_it_across_accounts(app: Flask,
                                                                   world: World) -> None:
    world.user()
    client = app.test_client()
    for n in range(30):  # three tries at each of ten e-mails, under the per-account limit
        assert attempt(client, "guess", email=f"user{n % 10}@example.com").status_code == 200
    assert attempt(client, PASSWORD).status_code == 429
    assert attempt(client, "guess", email="someone@example.com").status_code == 429
    # Another address is not held back by this one's failures.
    assert attempt(app.test_client(), PASSWORD, environ_base=ELSEWHERE).status_code == 302


def test_an_unknown_e_mail_costs_the_same_hash_work_as_a_known_one(
        client: FlaskClient, world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    world.user()
    checked: list[str] = []

    def counting(stored: str, password: str) -> bool:
        checked.append(stored)
        return check_password_hash(stored, password)

    monkeypatch.setattr(ops, "check_password_hash", counting)
    assert attempt(client, "wrong-password").status_code == 200
    assert attempt(client, "wrong-password", email="nobody@example.com").status_code == 200
    assert len(checked) == 2
    known, unknown = checked
    # made by the same method with the same cost ("scrypt:32768:8:1$salt$hash")
    assert unknown.split("$")[0] == known.split("$")[0]
    assert unknown != known


# --- a new session at sign-in and sign-out ----------------------------------------------


def test_the_form_token_from_before_signing_in_or_out_no_longer_works(app: Flask,
                                                                      world: World) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    world.user()
    client = app.test_client()
    before = form_token(client.get("/login").get_data(as_text=True))
    signed = client.post("/login", data={"email": EMAIL, "password": PASSWORD,
                                         "csrf_token": before})
    assert signed.status_code == 302
    assert client.post("/logout", data={"csrf_token": before}).status_code == 400
    inside = form_token(client.get("/dashboard").get_data(as_text=True))
    assert inside != before
    assert client.post("/logout", data={"csrf_token": inside}).status_code == 302
    again = client.post("/login", data={"email": EMAIL, "password": PASSWORD,
                                        "csrf_token": inside})
    assert again.status_code == 400


def test_signing_in_starts_a_new_session_keeping_only_the_language(client: FlaskClient,
                                                                   world: World) -> None:
    world.user()
    client.get("/language/fa?next=/models")
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    login(client)
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["lang"] == "fa"


# --- sign-ins that end on the server ------------------------------------------------------


def test_a_session_cookie_copied_before_logout_no_longer_signs_in(app: Flask, client: FlaskClient,
                                                                  world: World) -> None:
    world.user()
    session = value(cookie(client.post("/login", data={"email": EMAIL, "password": PASSWORD}),
                           "session"))
    assert dashboard_with(app, "session", session) == 200  # the copy works while signed in
    assert client.post("/logout").status_code == 302
    assert dashboard_with(app, "session", session) == 302


def test_a_remember_cookie_copied_before_logout_no_longer_signs_in(app: Flask,
                                                                   client: FlaskClient,
                                                                   world: World) -> None:
    world.user()
    signed = client.post("/login", data={"email": EMAIL, "password": PASSWORD,
                                         "remember": "y"})
    remember = value(cookie(signed, "remember_token"))
    assert dashboard_with(app, "remember_token", remember) == 200
    logout = client.post("/logout")
    assert value(cookie(logout, "remember_token")) == ""  # this browser drops it
    assert dashboard_with(app, "remember_token", remember) == 302


def test_sign_out_everywhere_ends_every_device(app: Flask, world: World) -> None:
    world.user()
    laptop, phone = app.test_client(), app.test_client()
    remember = value(cookie(laptop.post("/login", data={"email": EMAIL, "password": PASSWORD,
                                                        "remember": "y"}), "remember_token"))
    login(phone)
    account = phone.get("/account")
    assert account.status_code == 200
    assert account.get_data(as_text=True).count('<span class="badge text-bg-secondary">this '
                                                'browser</span>') == 1
    assert len(re.findall(r"<tr>\s*<td>", account.get_data(as_text=True))) == 2

    ended = phone.post("/account/sign-out-everywhere")
    assert ended.status_code == 302
    assert ended.headers["Location"].endswith("/login")
    assert phone.get("/dashboard").status_code == 302
    assert laptop.get("/dashboard").status_code == 302
    assert dashboard_with(app, "remember_token", remember) == 302
    login(laptop)  # signing in again works
    assert laptop.get("/dashboard").status_code == 200


def test_the_menu_leads_to_the_account_page_in_both_languages(client: FlaskClient,
                                                              world: World) -> None:
    world.user()
    login(client)
    assert 'href="/account"' in client.get("/dashboard").get_data(as_text=True)
    page = text_of(client.get("/account?lang=fa").get_data(as_text=True))
    assert "خروج از همه دستگاه‌ها" in page
    assert re.findall(r"\b(?:the|and|of|to|Sign|Account|browser)\b", page) == []


def test_end_sign_ins_can_keep_one(app: Flask, world: World) -> None:
    """What a password change calls: every other session ends, the one that changed it
    stays."""
    world.user()
    with app.app_context():
        user = db.session.scalar(select(User))
        kept, other, third = (ops.start_sign_in(user).id for _ in range(3))
        assert ops.end_sign_ins(user, except_id=kept) == 2
        db.session.commit()
        uid = user.id
    with app.app_context():
        assert ops.signed_in_user(f"{uid}:{kept}") is not None
        assert ops.signed_in_user(f"{uid}:{other}") is None
        assert ops.signed_in_user(f"{uid}:{third}") is None


@pytest.mark.parametrize(("cookie_id", "expired"), [
    pytest.param(lambda uid, sid: f"{uid}:{sid}", True, id="expired"),
    pytest.param(lambda uid, sid: f"{uid + 1}:{sid}", False, id="another-user"),
    pytest.param(lambda uid, sid: str(uid), False, id="user-alone-as-before"),
    pytest.param(lambda uid, sid: f"{uid}:unknown", False, id="unknown-sign-in"),
    pytest.param(lambda uid, sid: f"x:{sid}", False, id="not-a-user-id"),
])
def test_a_cookie_signs_in_only_while_its_sign_in_is_the_users_and_lasts(
        app: Flask, world: World, cookie_id: Callable[[int, str], str], expired: bool) -> None:
    uid = world.user()
    world.user("bo@example.com")
    with app.app_context():
        sign_in = ops.start_sign_in(db.session.get_one(User, uid))
        if expired:
            sign_in.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
        assert ops.signed_in_user(f"{uid}:{sign_in.id}") is (None if expired else sign_in.user)
        assert ops.signed_in_user(cookie_id(uid, sign_in.id)) is None


# --- remember-me and cookie lifetimes ---------------------------------------------------------


def test_keep_me_signed_in_is_unticked_on_the_form(client: FlaskClient) -> None:
    page = client.get("/login").get_data(as_text=True)
    box = re.search(r'<input[^>]*name="remember"[^>]*>', page)
    assert box
    assert "checked" not in box.group(0)


def test_cookies_last_thirty_days_at_most_and_are_secure_over_https(app: Flask,
                                                                    world: World) -> None:
    world.user()
    signed = app.test_client().post("/login", base_url="https://crm.test", data={
        "email": EMAIL, "password": PASSWORD, "remember": "y"})
    month = timedelta(days=30)
    for name in ("remember_token", "session"):
        sent = cookie(signed, name)
        assert month - timedelta(minutes=1) < lifetime(sent) <= month, sent
        assert "; Secure" in sent
        assert "HttpOnly" in sent
    with app.app_context():
        sign_in = db.session.scalars(select(SignIn)).one()
        assert month - timedelta(minutes=1) < sign_in.expires_at - utcnow() <= month
    plain = app.test_client().post("/login", data={"email": EMAIL, "password": PASSWORD,
                                                   "remember": "y"})
    assert "Secure" not in cookie(plain, "remember_token")


def test_an_expired_sign_in_no_longer_signs_in(app: Flask, client: FlaskClient,
                                               world: World) -> None:
    world.user()
    login(client)
    assert client.get("/dashboard").status_code == 200
    with app.app_context():
        sign_in = db.session.scalars(select(SignIn)).one()
        sign_in.expires_at = datetime(2000, 1, 1)
        db.session.commit()
    assert client.get("/dashboard").status_code == 302
