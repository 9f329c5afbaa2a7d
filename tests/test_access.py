"""Roles: each role against every route of the URL map, invitations, password changes and
resets, deactivation, the workspace switcher and a team member's own work."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from assessment.accounts import people
from assessment.accounts.operations import AccountError, create_user
from assessment.api.auth import issue_token
from assessment.clients.operations import create_assessment, save_client
from assessment.extensions import db
from assessment.tables import (
    ClientGrant,
    Membership,
    Milestone,
    PasswordReset,
    TeamMember,
    User,
    Workspace,
)

from .isolation import PASSWORD, Route, build_workspace, changed, login, routes, send, snapshot

#: routes anyone may reach whatever their roles (links, rooms, the API's own tokens), and
#: an account's own pages; the matrix leaves them out (logging out would end the run)
NOT_ROLE_ROUTES = frozenset({
    "static", "accounts.login", "accounts.set_language", "accounts.logout",
    "accounts.account", "accounts.sign_out_everywhere", "people.accept", "people.forgot",
    "people.reset", "people.password", "people.switch",
    "rollout.mine", "rollout.my_milestones",
    "workshop.enter_code", "workshop.join", "workshop.save", "workshop.complete",
    "workshop.done", "workshop.review", "workshop.resume", "workshop.stage",
    "workshop.stage_post", "workshop.resume_link",
})
NOT_ROLE_BLUEPRINTS = ("pages.", "share.", "api.")
#: what the issue lets each role of a client's own people do, written out here (not read
#: from the app) so that a policy that drifts fails
ROADMAP_READING = {"rollout.roadmap", "rollout.evidence_download", "clients.client_logo",
                   "status.status_pdf"}
ALLOWED = {
    # a client viewer reads the measurement of their own customer data (aggregates only)
    "viewer": ROADMAP_READING | {"walk.results", "walk.report", "walk.report_docx",
                                 "trend.client_trend", "rollout.my_client",
                                 "profiling.result"},
    "team": ROADMAP_READING | {"rollout.milestone_status",
                               "rollout.evidence_link", "rollout.evidence_file",
                               "rollout.evidence_delete", "rollout.my_update",
                               "rollout.my_evidence"},
}
OWNER_ONLY = {"people.members", "people.invite_consultant", "people.set_role",
              "people.deactivate", "people.reactivate", "people.reset_link",
              "people.revoke_invitation", "people.resend_invitation"}


def _role_route(route: Route) -> bool:
    endpoint = route.rule.endpoint
    return endpoint not in NOT_ROLE_ROUTES and not endpoint.startswith(NOT_ROLE_BLUEPRINTS)


@pytest.fixture
def site(app: Flask) -> dict[str, Any]:
    """The victim data set of the isolation tests, plus a client viewer and a team member
    (the team member Mina, who owns the data set's milestone) of its client, and a second
    client of the same workspace with its own assessment."""
    values = build_workspace(app, "owner@example.com", "Client A")
    with app.app_context():
        catalog = app.extensions["catalog"]
        owner = db.session.scalar(select(User).where(User.email == "owner@example.com"))
        assert owner is not None
        client = owner.workspace.clients[0]
        viewer = create_user("viewer@example.com", PASSWORD, workspace=owner.workspace,
                             role="none")
        people.grant(viewer, client, "viewer")
        team = create_user("team@example.com", PASSWORD, workspace=owner.workspace,
                           role="none")
        people.grant(team, client, "team", db.session.get(TeamMember, values["member_id"]))
        other = save_client(owner.workspace, {"name": "Client B"})
        elsewhere = create_assessment(catalog, other, title="B", questionnaire_id="executive")
        db.session.commit()
        values["other_assessment_id"] = elsewhere.id
        values["other_client_id"] = other.id
        values["owner_id"] = owner.id
        unowned = db.session.scalar(select(Milestone.id).where(Milestone.owner_id.is_(None)))
        values["unowned_milestone_id"] = unowned
    return values


def _signed_in(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    login(client, email)
    return client


def _requests(app: Flask, client: FlaskClient, route: Route,
              values: dict[str, Any]) -> Iterator[tuple[int, list[str]]]:
    """Each response's status and the tables it changed."""
    for response_of in range(1 if route.method == "GET" else 2):
        with app.app_context():
            before = snapshot(db)
        response = send(client, route, values)[response_of] if route.method != "GET" else \
            client.get(route.url)
        with app.app_context():
            after = snapshot(db)
        yield response.status_code, changed(before, after)


@pytest.mark.parametrize("role", ["viewer", "team"])
def test_a_clients_own_people_reach_only_what_their_role_allows(
        app: Flask, site: dict[str, Any], role: str) -> None:
    client = _signed_in(app, f"{role}@example.com")
    checked = allowed = 0
    matrix = [route for route in routes(app, site) if _role_route(route)]
    for route in matrix:
        endpoint = route.rule.endpoint
        if endpoint in ALLOWED[role]:
            continue
        for status, tables in _requests(app, client, route, site):
            if endpoint == "clients.dashboard":
                assert status == 302, route
            else:
                assert status in (403, 404), (str(route), status)
            assert tables == [], (str(route), tables)
            checked += 1
    # then what the role may do, deletions last (they remove what others read)
    for route in sorted((r for r in matrix if r.rule.endpoint in ALLOWED[role]),
                        key=lambda r: ("delete" in r.rule.endpoint, r.method != "GET")):
        response = client.get(route.url) if route.method == "GET" else \
            send(client, route, site)[0]
        assert response.status_code not in (401, 403, 404), str(route)
        assert response.status_code < 500, str(route)
        allowed += 1
    assert checked >= 100
    assert allowed == len(ALLOWED[role])


def test_a_consultant_reaches_everything_but_the_owners_pages(app: Flask,
                                                              site: dict[str, Any]) -> None:
    client = _signed_in(app, "colleague-owner@example.com")
    refused = 0
    for route in routes(app, site):
        if not _role_route(route) or route.rule.endpoint not in OWNER_ONLY:
            continue
        for status, tables in _requests(app, client, route, site):
            assert (status, tables) == (403, []), str(route)
            refused += 1
    assert refused >= len(OWNER_ONLY)
    for endpoint in ("clients.dashboard", "clients.client_detail", "walk.results"):
        url = next(route.url for route in routes(app, site)
                   if route.rule.endpoint == endpoint)
        assert client.get(url).status_code == 200, endpoint


def test_the_owner_reaches_the_members_page(app: Flask, site: dict[str, Any]) -> None:
    page = _signed_in(app, "owner@example.com").get("/members")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for email in ("colleague-owner@example.com", "viewer@example.com", "team@example.com",
                  "invited-owner@example.com"):
        assert email in html


def test_the_people_of_one_client_never_reach_another_client(app: Flask,
                                                             site: dict[str, Any]) -> None:
    for role in ("viewer", "team"):
        client = _signed_in(app, f"{role}@example.com")
        assert client.get(f"/assessments/{site['other_assessment_id']}/results") \
            .status_code in (403, 404)
        assert client.get(f"/clients/{site['other_client_id']}/trend").status_code in (403, 404)
        assert client.get(f"/assessments/{site['other_assessment_id']}/roadmap").status_code \
            == 404
    # their own client's results, for the viewer
    viewer = _signed_in(app, "viewer@example.com")
    assert viewer.get(f"/assessments/{site['assessment_id']}/results").status_code == 200
    # a team member never sees the individual answers (the results or the review)
    team = _signed_in(app, "team@example.com")
    assert team.get(f"/assessments/{site['assessment_id']}/results").status_code == 403
    assert team.get(f"/assessments/{site['assessment_id']}/review").status_code == 403


def test_a_team_member_changes_their_own_milestones_and_no_other(app: Flask,
                                                                site: dict[str, Any]) -> None:
    team = _signed_in(app, "team@example.com")
    unowned = site["unowned_milestone_id"]
    with app.app_context():
        before = snapshot(db)
    for path, data in ((f"/milestones/{unowned}/status", {"status": "done", "progress": "100"}),
                       (f"/my/milestones/{unowned}", {"status": "done", "notes": "Not mine"}),
                       (f"/milestones/{unowned}/evidence/link",
                        {"url": "https://x.example/", "label": "x"})):
        assert team.post(path, data=data).status_code == 404, path
    with app.app_context():
        assert changed(before, snapshot(db)) == []
    own = site["milestone_id"]
    assert team.post(f"/milestones/{own}/status",
                     data={"status": "done", "progress": "100"}).status_code == 302
    assert team.post(f"/my/milestones/{own}", data={
        "status": "done", "progress": "100", "notes": "Signed off"}).status_code == 302
    with app.app_context():
        milestone = db.session.get(Milestone, own)
        assert milestone is not None
        assert (milestone.status, milestone.notes) == ("done", "Signed off")
    # the roadmap page reads; "my milestones" lists theirs, with its form
    assert team.get(f"/assessments/{site['assessment_id']}/roadmap").status_code == 200
    work = team.get("/my/milestones").get_data(as_text=True)
    assert f'data-milestone="{own}"' in work
    assert f'data-milestone="{unowned}"' not in work
    assert f'action="/my/milestones/{own}"' in work
    # a team member lands on their milestones (rollout.mine sends them on)
    assert team.get("/dashboard").headers["Location"].endswith("/my")
    assert team.get("/my").headers["Location"].endswith("/my/milestones")


def test_a_token_of_someone_without_a_membership_opens_no_api(app: Flask,
                                                             site: dict[str, Any]) -> None:
    with app.app_context():
        viewer = db.session.scalar(select(User).where(User.email == "viewer@example.com"))
        assert viewer is not None
        _token, secret = issue_token(viewer)
        db.session.commit()
    response = app.test_client().get("/api/v1/clients",
                                     headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 401


# --- invitations -----------------------------------------------------------------------


def _link(html: str, path: str) -> str:
    """The path of the link a page shows to copy."""
    found = re.search(rf'value="https?://[^/"]+({path}[^"]+)"', html)
    assert found, html[:2000]
    return found.group(1)


def test_the_owner_invites_a_consultant_who_sets_a_password(app: Flask) -> None:
    with app.app_context():
        create_user("owner@example.com", PASSWORD, name="Owner")
        db.session.commit()
    owner = _signed_in(app, "owner@example.com")
    page = owner.post("/members/invite", data={"email": "Sara@Example.com", "name": "Sara"})
    assert page.status_code == 200
    link = _link(page.get_data(as_text=True), "/invitations/")
    guest = app.test_client()
    form = guest.get(link)
    assert form.status_code == 200
    assert "sara@example.com" in form.get_data(as_text=True)
    short = guest.post(link, data={"name": "Sara", "password": "short", "confirm": "short"})
    assert short.status_code == 200  # refused: too short; the link still works
    done = guest.post(link, data={"name": "Sara", "password": "a-long-secret",
                                  "confirm": "a-long-secret"})
    assert done.status_code == 302
    # used once only
    assert guest.get(link).status_code == 410
    guest.post("/login", data={"email": "sara@example.com", "password": "a-long-secret"})
    assert guest.get("/dashboard").status_code == 200
    assert guest.get("/members").status_code == 403
    with app.app_context():
        sara = db.session.scalar(select(User).where(User.email == "sara@example.com"))
        assert sara is not None
        assert sara.name == "Sara"
        assert [(m.role, m.workspace.name) for m in sara.memberships] == [
            ("consultant", "Owner")]


def test_a_consultant_invites_a_team_member_linked_to_the_team(app: Flask) -> None:
    values = build_workspace(app, "owner@example.com", "Client A")
    consultant = _signed_in(app, "colleague-owner@example.com")
    page = consultant.post(f"/clients/{values['client_id']}/invite",
                           data={"email": "mina@example.com", "role": "team",
                                 "member": str(values["member_id"])})
    link = _link(page.get_data(as_text=True), "/invitations/")
    mina = app.test_client()
    assert mina.post(link, data={"password": "mina-secret", "confirm": "mina-secret"}) \
        .status_code == 302
    mina.post("/login", data={"email": "mina@example.com", "password": "mina-secret"})
    work = mina.get("/my/milestones").get_data(as_text=True)
    assert f'data-milestone="{values["milestone_id"]}"' in work
    with app.app_context():
        grant = db.session.scalar(select(ClientGrant))
        assert grant is not None
        assert (grant.role, grant.team_member_id) == ("team", values["member_id"])
    # a team member of another client's team is refused
    other = build_workspace(app, "stranger@example.com", "Client X")
    refused = consultant.post(f"/clients/{values['client_id']}/invite",
                              data={"email": "x@example.com", "role": "team",
                                    "member": str(other["member_id"])})
    assert refused.status_code == 404


def test_invitations_expire_after_the_configured_days(app: Flask) -> None:
    app.config["INVITATION_DAYS"] = 3
    with app.app_context():
        owner = create_user("owner@example.com", PASSWORD)
        invitation, _secret = people.invite(owner.workspace, "a@example.com", "consultant",
                                            owner)
        assert invitation.expires_at - invitation.created_at == timedelta(days=3)


def test_the_owner_issues_a_reset_link_and_deactivates_a_member(app: Flask) -> None:
    with app.app_context():
        owner = create_user("owner@example.com", PASSWORD)
        colleague = create_user("bo@example.com", PASSWORD, workspace=owner.workspace)
        _token, secret = issue_token(colleague)
        db.session.commit()
        bo_id = colleague.id
    bo = _signed_in(app, "bo@example.com")
    boss = _signed_in(app, "owner@example.com")
    page = boss.post(f"/members/{bo_id}/reset-link")
    link = _link(page.get_data(as_text=True), "/password/reset/")
    assert app.test_client().get(link).status_code == 200
    assert boss.post(f"/members/{bo_id}/deactivate").status_code == 302
    # signed out at once, cannot sign in, the reset link and the API token stop working
    assert bo.get("/dashboard").status_code == 302
    assert app.test_client().post("/login", data={"email": "bo@example.com",
                                                  "password": PASSWORD}).status_code == 200
    assert app.test_client().get(link).status_code == 410
    assert app.test_client().get("/api/v1/clients", headers={
        "Authorization": f"Bearer {secret}"}).status_code == 401
    with app.app_context():
        assert db.session.get(User, bo_id) is not None  # history stays
        assert db.session.scalar(select(PasswordReset.used_at)) is None
    assert boss.post(f"/members/{bo_id}/reactivate").status_code == 302
    login(app.test_client(), "bo@example.com")


def test_a_workspace_keeps_an_owner(app: Flask) -> None:
    with app.app_context():
        owner = create_user("owner@example.com", PASSWORD)
        colleague = create_user("bo@example.com", PASSWORD, workspace=owner.workspace)
        with pytest.raises(AccountError):
            people.set_role(owner.workspace, owner, "consultant")
        with pytest.raises(AccountError):
            people.set_active(owner.workspace, owner, False)
        people.set_role(owner.workspace, colleague, "owner")
        people.set_role(owner.workspace, owner, "consultant")
        assert {m.user.email: m.role for m in db.session.scalars(select(Membership))} == {
            "owner@example.com": "consultant", "bo@example.com": "owner"}


def test_the_switcher_moves_between_an_accounts_workspaces(app: Flask) -> None:
    with app.app_context():
        first = create_user("ana@example.com", PASSWORD, workspace_name="First")
        second = create_user("bo@example.com", PASSWORD, workspace_name="Second")
        db.session.add(Membership(user=first, workspace=second.workspace, role="consultant"))
        save_client(second.workspace, {"name": "Second's client"})
        stranger = Workspace(name="Stranger")
        db.session.add(stranger)
        db.session.commit()
        second_id, stranger_id = second.workspace_id, stranger.id
    ana = _signed_in(app, "ana@example.com")
    assert "Second&#39;s client" not in ana.get("/dashboard").get_data(as_text=True)
    assert 'id="switcher"' in ana.get("/dashboard").get_data(as_text=True)
    assert ana.post("/workspace/switch", data={"workspace": str(stranger_id)}) \
        .status_code == 404
    assert ana.post("/workspace/switch", data={"workspace": str(second_id)}).status_code == 302
    assert "Second&#39;s client" in ana.get("/dashboard").get_data(as_text=True)


def test_users_create_takes_a_role(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from assessment.app import create_app
    from assessment.cli import main

    monkeypatch.setenv("CRM_INSTANCE_PATH", str(tmp_path / "cli-instance"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    runner = CliRunner()
    first = runner.invoke(main, ["users", "create", "ana@example.com", "--password-stdin"],
                          input="long-enough\n")
    assert first.exit_code == 0, first.output
    assert "as owner" in first.output
    second = runner.invoke(main, ["users", "create", "bo@example.com", "--join",
                                  "ana@example.com", "--role", "owner", "--password-stdin"],
                           input="long-enough\n")
    assert second.exit_code == 0, second.output
    refused = runner.invoke(main, ["users", "create", "cy@example.com", "--role",
                                   "consultant", "--password-stdin"], input="long-enough\n")
    assert refused.exit_code != 0
    app = create_app()
    with app.app_context():
        roles = {m.user.email: m.role for m in db.session.scalars(select(Membership))}
        db.engine.dispose()
    assert roles == {"ana@example.com": "owner", "bo@example.com": "owner"}


def test_an_existing_account_accepts_with_its_own_password(app: Flask) -> None:
    values = build_workspace(app, "owner@example.com", "Client A")
    with app.app_context():
        ana = create_user("ana@example.com", PASSWORD, workspace_name="Ana's own")
        owner = db.session.scalar(select(User).where(User.email == "owner@example.com"))
        assert owner is not None
        _invitation, secret = people.invite(owner.workspace, "ana@example.com", "viewer",
                                            owner, client=owner.workspace.clients[0])
        db.session.commit()
        ana_id = ana.id
    signed_in = _signed_in(app, "ana@example.com")
    form = signed_in.get(f"/invitations/{secret}").get_data(as_text=True)
    assert 'name="confirm"' not in form  # no new password: the account's own
    wrong = signed_in.post(f"/invitations/{secret}", data={"password": "not-hers-at-all"})
    assert wrong.status_code == 200
    done = signed_in.post(f"/invitations/{secret}", data={"password": PASSWORD})
    assert done.status_code == 302
    with app.app_context():
        grants = db.session.scalars(select(ClientGrant).where(ClientGrant.user_id == ana_id))
        assert [(g.role, g.client_id) for g in grants] == [("viewer", values["client_id"])]
        names = [w.name for w in people.workspaces_of(db.session.get(User, ana_id))]
    assert sorted(names) == ["Ana's own", "owner"]
    # now in the inviting workspace, as its client's viewer: results, not the client list
    assert signed_in.get(f"/assessments/{values['assessment_id']}/results").status_code == 200
    assert signed_in.get("/dashboard").headers["Location"].endswith("/my")  # grants land there


def test_the_migration_makes_the_first_account_of_each_workspace_its_owner(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from flask_migrate import upgrade
    from sqlalchemy import text

    from assessment.app import create_app

    monkeypatch.delenv("DATABASE_URL", raising=False)
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "t", "TESTING": True})
    with app.app_context():
        upgrade(revision="0004_hardening")
        with db.engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO workspaces (id, name, brand_colour, created_at) VALUES "
                "(1, 'A', '#000000', '2026-01-01'), (2, 'B', '#000000', '2026-01-01')"))
            for user_id, workspace_id in ((1, 1), (2, 2), (3, 1)):
                connection.execute(text(
                    "INSERT INTO users (id, workspace_id, email, name, password_hash, "
                    "created_at) VALUES (:id, :w, :e, '', 'x', '2026-01-01')"),
                    {"id": user_id, "w": workspace_id, "e": f"u{user_id}@example.com"})
        upgrade()
        with db.engine.connect() as connection:
            rows = connection.execute(text(
                "SELECT user_id, workspace_id, role FROM memberships ORDER BY user_id")).all()
        db.engine.dispose()
    assert [tuple(row) for row in rows] == [(1, 1, "owner"), (2, 2, "owner"),
                                            (3, 1, "consultant")]
