"""Invitations: sent by mail through a real local SMTP server (or shown to copy), accepted
as a new account or by an existing one, and refused once used, withdrawn or expired."""

from __future__ import annotations

import re
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from assessment.extensions import db
from assessment.tables import ClientGrant, Invitation, Membership, User, utcnow

from .conftest import World
from .helpers import chunk, login, text_of
from .mailsink import MailSink, parts
from .persian import foreign_in_persian

PASSWORD = "correct-horse"
LINK = re.compile(r"http://crm\.test/invitations/[A-Za-z0-9_-]+")


def owner(app: Flask, world: World, lang: str = "en") -> FlaskClient:
    """Ana, owner of her workspace, signed in and reading the app in `lang`."""
    world.user()
    browser = app.test_client()
    browser.get(f"/language/{lang}")
    login(browser)
    return browser


def invite_consultant(browser: FlaskClient, email: str = "bea@example.com",
                      name: str = "Bea") -> str:
    """The owner invites a consultant; answers the page that follows, redirects followed."""
    response = browser.post("/members/invite", data={"email": email, "name": name},
                            follow_redirects=True)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def link_on(page: str) -> str:
    found = LINK.search(page)
    assert found, page[:2000]
    return found.group(0)


def main_text(page: str) -> str:
    """The text of a page's main part (the menu aside)."""
    return text_of(chunk(page, '<main id="main"', "</main>"))


def path_of(link: str) -> str:
    return link.removeprefix("http://crm.test")


def invitation_row(app: Flask, email: str) -> Invitation:
    with app.app_context():
        found = db.session.scalar(select(Invitation).where(Invitation.email == email))
        assert found is not None
        db.session.expunge(found)
        return found


def account(app: Flask, email: str) -> User | None:
    with app.app_context():
        return db.session.scalar(select(User).where(User.email == email))


def signed_in_now(browser: FlaskClient) -> bool:
    return browser.get("/account").status_code == 200


def test_the_invitation_is_mailed_in_the_inviters_language_and_accepted(
        app: Flask, world: World, mailbox: MailSink) -> None:
    browser = owner(app, world, "fa")
    page = invite_consultant(browser)
    assert "bea@example.com" in page
    assert not LINK.search(page)
    [message] = mailbox.messages
    assert message["To"] == "bea@example.com"
    assert message["From"] == "crm@example.com"
    text, html = parts(message)
    link = link_on(text)
    assert link in html
    assert 'dir="rtl"' in html
    assert 'lang="fa"' in html
    assert "دعوت" in message["Subject"]
    assert "دعوت" in text
    for piece in (message["Subject"], text, text_of(html)):
        assert foreign_in_persian(piece, allowed=[link, "ana", "Bea", "bea@example.com"]) == []
    assert "۷" in text  # the days it works, in Persian digits

    newcomer = app.test_client()
    newcomer.get("/language/fa")
    form = newcomer.get(path_of(link))
    assert form.status_code == 200
    assert "bea@example.com" in form.get_data(as_text=True)
    done = newcomer.post(path_of(link), data={"name": "Bea Consultant", "password": "a-new-pass",
                                              "confirm": "a-new-pass"})
    assert done.status_code == 302
    assert signed_in_now(newcomer)
    assert newcomer.get("/dashboard").status_code == 200
    with app.app_context():
        bea = db.session.scalar(select(User).where(User.email == "bea@example.com"))
        assert bea is not None
        assert bea.name == "Bea Consultant"
        [membership] = bea.memberships
        assert membership.role == "consultant"
        assert membership.workspace_id == bea.workspace_id


def test_in_english_the_mail_is_english(app: Flask, world: World, mailbox: MailSink) -> None:
    invite_consultant(owner(app, world, "en"))
    [message] = mailbox.messages
    text, html = parts(message)
    assert message["Subject"] == "An invitation to ana"
    assert "invites you to ana in CRM maturity as Consultant" in text
    assert 'dir="ltr"' in html
    assert "7 days" in text


def test_without_a_mail_server_the_link_is_shown_to_copy(app: Flask, world: World) -> None:
    page = invite_consultant(owner(app, world))
    link = link_on(page)
    assert "Send this invitation link to" in text_of(page)
    newcomer = app.test_client()
    assert newcomer.get(path_of(link)).status_code == 200


def test_a_refusing_mail_server_is_said_and_the_link_shown(app: Flask, world: World,
                                                          mailbox: MailSink) -> None:
    mailbox.refuse = True
    page = invite_consultant(owner(app, world))
    assert "The mail server did not take the e-mail" in text_of(page)
    assert "No such mailbox" in text_of(page)
    link_on(page)
    assert mailbox.messages == []


def test_an_unreachable_mail_server_is_said_within_the_timeout(app: Flask, world: World
                                                               ) -> None:
    from .helpers import free_port
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=free_port(), SMTP_TLS="none")
    page = invite_consultant(owner(app, world))
    assert "The mail server did not take the e-mail" in text_of(page)
    link_on(page)


def test_a_mail_server_without_the_tls_asked_for_is_said(app: Flask, world: World,
                                                       mailbox: MailSink) -> None:
    app.config["SMTP_TLS"] = "starttls"  # the sink offers no STARTTLS: nothing goes out
    page = invite_consultant(owner(app, world))
    assert "The mail server did not take the e-mail (STARTTLS" in text_of(page)
    link_on(page)
    assert mailbox.messages == []


def test_expired_used_revoked_and_unknown_links_open_nothing(app: Flask, world: World) -> None:
    browser = owner(app, world)
    links = {email: link_on(invite_consultant(browser, email)) for email in
             ("late@example.com", "used@example.com", "gone@example.com")}
    with app.app_context():
        late = db.session.scalar(select(Invitation).where(Invitation.email == "late@example.com"))
        assert late is not None
        late.expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    fields = {"name": "X", "password": "a-new-pass", "confirm": "a-new-pass"}
    used = app.test_client()
    assert used.post(path_of(links["used@example.com"]), data=fields).status_code == 302
    gone = invitation_row(app, "gone@example.com")
    assert browser.post(f"/members/invitations/{gone.id}/revoke").status_code == 302

    visitor = app.test_client()
    visitor.get("/language/fa")
    for email, link in links.items():
        for response in (visitor.get(path_of(link)), visitor.post(path_of(link), data=fields)):
            assert response.status_code == 410, email
            page = response.get_data(as_text=True)
            assert "این پیوند دیگر کار نمی‌کند" in page
            assert foreign_in_persian(main_text(page)) == []
    unknown = visitor.get("/invitations/not-a-real-token")
    assert unknown.status_code == 404
    assert "این پیوند دیگر کار نمی‌کند" in unknown.get_data(as_text=True)
    for email in ("late@example.com", "gone@example.com"):
        assert account(app, email) is None
    with app.app_context():  # the used one made one account, once
        assert db.session.scalar(select(User).where(User.email == "used@example.com"))


def test_an_existing_account_signs_in_first_then_accepts(app: Flask, world: World) -> None:
    ana = world.user()
    world.user("bea@example.com", PASSWORD)  # owner of a workspace of her own
    client_id = world.client(ana)
    browser = app.test_client()
    login(browser)
    page = browser.post(f"/clients/{client_id}/invite",
                        data={"email": "bea@example.com", "role": "viewer", "member": ""})
    link = path_of(link_on(page.get_data(as_text=True)))

    bea = app.test_client()
    asked = bea.get(link)
    assert asked.status_code == 302
    assert "/login" in asked.headers["Location"]
    signed = bea.post("/login?next=" + link, data={"email": "bea@example.com",
                                                   "password": PASSWORD,
                                                   "next": link})
    assert signed.headers["Location"].endswith(link)
    assert bea.get(link).status_code == 200
    assert account(app, "bea@example.com") is not None
    refused = bea.post(link, data={"password": "not-hers-at-all"})
    assert refused.status_code == 200
    assert "That is not the password of this account." in refused.get_data(as_text=True)
    assert bea.post(link, data={"password": PASSWORD}).status_code == 302
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "bea@example.com"))
        assert user is not None
        [grant] = user.grants
        assert (grant.client_id, grant.role) == (client_id, "viewer")
        assert len(user.memberships) == 1  # her own workspace's, nothing more
    assert bea.get(link).status_code == 410


def test_someone_signed_in_as_another_account_cannot_accept(app: Flask, world: World) -> None:
    browser = owner(app, world)
    link = path_of(link_on(invite_consultant(browser, "bea@example.com")))
    refused = browser.post(link, data={"name": "Bea", "password": "a-new-pass",
                                       "confirm": "a-new-pass"})
    assert refused.status_code == 403
    assert "Sign out, then open the link again" in text_of(refused.get_data(as_text=True))
    assert account(app, "bea@example.com") is None
    assert invitation_row(app, "bea@example.com").accepted_at is None


def test_a_team_member_is_invited_at_their_own_e_mail_and_linked(app: Flask,
                                                                 world: World) -> None:
    ana = world.user()
    client_id = world.client(ana)
    member_id = world.member(client_id, "Reza Team", "IT lead", "reza@client.example")
    browser = app.test_client()
    login(browser)
    form = browser.get(f"/clients/{client_id}/invite?member={member_id}")
    assert 'value="reza@client.example"' in form.get_data(as_text=True)
    page = browser.post(f"/clients/{client_id}/invite",
                        data={"email": "", "name": "", "role": "team", "member": str(member_id)})
    assert page.status_code == 200
    link = path_of(link_on(page.get_data(as_text=True)))
    invitation = invitation_row(app, "reza@client.example")
    assert (invitation.role, invitation.team_member_id, invitation.client_id) == \
        ("team", member_id, client_id)
    assert invitation.name == "Reza Team"

    reza = app.test_client()
    assert reza.post(link, data={"name": "Reza", "password": "a-new-pass",
                                 "confirm": "a-new-pass"}).status_code == 302
    assert signed_in_now(reza)
    with app.app_context():
        grant = db.session.scalar(select(ClientGrant).join(User).where(
            User.email == "reza@client.example"))
        assert grant is not None
        assert (grant.role, grant.team_member_id, grant.client_id) == \
            ("team", member_id, client_id)
        user = db.session.scalar(select(User).where(User.email == "reza@client.example"))
        assert user is not None
        assert user.memberships == []


def test_the_team_page_offers_to_invite_each_member(app: Flask, world: World) -> None:
    ana = world.user()
    client_id = world.client(ana)
    member_id = world.member(client_id, "Reza Team", "", "reza@client.example")
    browser = app.test_client()
    login(browser)
    page = browser.get(f"/clients/{client_id}/team").get_data(as_text=True)
    assert f"/clients/{client_id}/invite?member={member_id}" in page


def test_pending_invitations_are_listed_sent_again_and_withdrawn(
        app: Flask, world: World, mailbox: MailSink) -> None:
    browser = owner(app, world)
    invite_consultant(browser, "bea@example.com")
    [first] = mailbox.messages
    old = path_of(link_on(parts(first)[0]))
    members = browser.get("/members").get_data(as_text=True)
    invitation = invitation_row(app, "bea@example.com")
    assert "bea@example.com" in members
    assert f"/members/invitations/{invitation.id}/resend" in members

    with app.app_context():  # a week later, nearly expired
        row = db.session.get(Invitation, invitation.id)
        assert row is not None
        row.expires_at = utcnow() + timedelta(hours=1)
        db.session.commit()
    again = browser.post(f"/members/invitations/{invitation.id}/resend")
    assert again.status_code == 302
    second = mailbox.messages[1]
    new = path_of(link_on(parts(second)[0]))
    assert new != old
    assert app.test_client().get(old).status_code == 404  # the old link is forgotten
    assert app.test_client().get(new).status_code == 200
    assert invitation_row(app, "bea@example.com").expires_at > utcnow() + timedelta(days=6)

    assert browser.post(f"/members/invitations/{invitation.id}/revoke").status_code == 302
    assert app.test_client().get(new).status_code == 410
    pending = chunk(browser.get("/members").get_data(as_text=True), "Pending invitations",
                    "Invite a consultant")
    assert "bea@example.com" not in pending
    assert browser.post(f"/members/invitations/{invitation.id}/resend").status_code == 409


def test_a_consultant_invites_the_clients_people_but_not_consultants(
        app: Flask, world: World) -> None:
    ana = world.user()
    world.user("bea@example.com", PASSWORD, join="ana@example.com")
    client_id = world.client(ana)
    bea = app.test_client()
    login(bea, "bea@example.com")
    page = bea.post(f"/clients/{client_id}/invite",
                    data={"email": "viewer@client.example", "role": "viewer", "member": ""})
    link_on(page.get_data(as_text=True))
    assert bea.post("/members/invite", data={"email": "c@example.com"}).status_code == 403
    invitation = invitation_row(app, "viewer@client.example")
    for action in ("resend", "revoke"):
        assert bea.post(f"/members/invitations/{invitation.id}/{action}").status_code == 403
    with app.app_context():
        assert db.session.scalar(select(Invitation).where(
            Invitation.email == "c@example.com")) is None
        assert db.session.scalars(select(Membership)).all() != []


def test_people_changes_are_in_the_owners_activity(app: Flask, world: World) -> None:
    """Who invited whom, who accepted, who changed a role: in the workspace's activity,
    with the person's e-mail and the roles before and after, in both languages."""
    from assessment.tables import AuditEntry

    browser = owner(app, world)
    link = link_on(invite_consultant(browser))
    newcomer = app.test_client()
    newcomer.post(path_of(link), data={"name": "Bea", "password": "a-new-pass",
                                       "confirm": "a-new-pass"})
    bea = account(app, "bea@example.com")
    assert bea is not None
    assert browser.post(f"/members/{bea.id}/role", data={"role": "owner"}).status_code == 302
    with app.app_context():
        entries = {e.action: e for e in db.session.scalars(select(AuditEntry))}
    assert set(entries) >= {"invitation.created", "invitation.accepted", "membership.role"}
    assert entries["invitation.created"].actor_label == "ana"  # her name, else her e-mail
    assert entries["invitation.accepted"].actor_label == "Bea"  # the one who accepted
    assert entries["membership.role"].old == {"role": "consultant"}
    assert entries["membership.role"].new == {"role": "owner"}
    page = text_of(browser.get("/activity").get_data(as_text=True))
    assert "Invitation accepted" in page
    assert "Role in the workspace changed" in page
    assert "Workspace owner" in page
    persian = browser.get("/activity?lang=fa").get_data(as_text=True)
    assert "نقش در فضای کاری تغییر کرد" in persian
    assert foreign_in_persian(main_text(persian),
                              allowed=["ana", "Bea", "ana@example.com", "bea@example.com"]) == []
