"""The client's own people: a team member's milestones and a client viewer's pages."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from assessment.accounts.operations import create_user
from assessment.accounts.people import grant
from assessment.extensions import db
from assessment.tables import Client, Evidence, Milestone, TeamMember, User
from tests.conftest import World
from tests.helpers import login, text_of
from tests.persian import foreign_in_persian

TODAY = date(2026, 3, 1)
PDF = b"%PDF-1.4\n% a small evidence file\n"


def _account(world: World, email: str, client_id: int, role: str,
             member_id: int | None = None) -> int:
    """An account that holds only a grant on one client (as an accepted invitation makes)."""
    with world.app.app_context():
        client = db.session.get(Client, client_id)
        user = create_user(email, "correct-horse", name=email.split("@")[0],
                           workspace=client.workspace, role="none")
        grant(user, client, role, db.session.get(TeamMember, member_id) if member_id else None)
        db.session.commit()
        return user.id


def _milestone(world: World, milestone_id: int) -> dict[str, Any]:
    def read(session: Any) -> dict[str, Any]:
        m = session.get(Milestone, milestone_id)
        return {"status": m.status, "progress": m.progress, "notes": m.notes,
                "evidence": len(m.evidence), "owner": m.owner_id, "due": m.due_on}
    return dict(world.query(read))


@pytest.fixture
def rollout(app: Flask, world: World) -> dict[str, Any]:
    """A consultant's client with a roadmap whose milestones belong to Sara and to Reza,
    due on fixed dates around TODAY; Sara is a team member who signs in, Vida a viewer."""
    app.config["TODAY"] = TODAY
    consultant = world.user()
    client_id = world.client(consultant, "Acme Trading")
    assessment_id = world.answered(client_id, "2", complete=True)
    sara = world.member(client_id, "Sara", "Sales lead", "sara@example.com")
    reza = world.member(client_id, "Reza", "IT")
    plan = world.roadmap(assessment_id, starts_on=TODAY - timedelta(days=60), accepted=True,
                         owners=[reza])
    ids = plan.milestone_ids
    # Sara's: one undated, one due later, one overdue, one due soon, one overdue longer,
    # one done long ago.
    dues = [None, TODAY + timedelta(days=30), TODAY - timedelta(days=3),
            TODAY + timedelta(days=2), TODAY - timedelta(days=20), TODAY - timedelta(days=40)]
    for milestone_id, due in zip(ids, dues, strict=False):
        world.edit_milestone(milestone_id, owner_id=sara, due_on=due,
                             start_on=due - timedelta(days=10) if due else None)
    world.move(ids[5], "done", on=TODAY - timedelta(days=41))
    # Another client of the same workspace: Sara never sees it.
    other_client = world.client(consultant, "Other Corp")
    other_assessment = world.answered(other_client, "3", complete=True)
    other_member = world.member(other_client, "Sara elsewhere")
    world.roadmap(other_assessment, starts_on=TODAY, accepted=True, owners=[other_member])
    _account(world, "sara@example.com", client_id, "team", sara)
    _account(world, "vida@example.com", client_id, "viewer")
    return {"assessment": assessment_id, "client": client_id, "other_client": other_client,
            "other_assessment": other_assessment, "mine": ids[:6], "reza": ids[6],
            "sara": sara, "reza_member": reza}


def _order(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'class="card[^"]*my-milestone[^"]*" id="m(\d+)"', page)]


def test_my_milestones_are_overdue_first_then_due_then_undated(
        client: FlaskClient, rollout: dict[str, Any]) -> None:
    login(client, "sara@example.com")
    page = client.get("/my/milestones?lang=en").get_data(as_text=True)
    undated, later, overdue, soon, overdue_longer, done = rollout["mine"]
    assert _order(page) == [overdue_longer, overdue, soon, later, undated, done]
    assert str(rollout["reza"]) not in _order(page)
    assert "Acme Trading" in page
    assert "Other Corp" not in page
    assert "overdue" in text_of(page)
    assert "no due date" in text_of(page)


def test_sign_in_lands_a_team_member_on_their_milestones(
        client: FlaskClient, rollout: dict[str, Any]) -> None:
    response = client.post("/login", data={"email": "sara@example.com",
                                           "password": "correct-horse"})
    while response.status_code == 302:
        response = client.get(response.headers["Location"])
    assert response.request.path == "/my/milestones"
    assert client.get("/dashboard").headers["Location"].endswith("/my")


def test_a_team_member_updates_their_own_milestone(
        client: FlaskClient, world: World, rollout: dict[str, Any]) -> None:
    login(client, "sara@example.com")
    mine = rollout["mine"][1]
    response = client.post(f"/my/milestones/{mine}?lang=en", data={
        "status": "in_progress", "progress": "40", "notes": "Waiting for the price lists"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/my/milestones#m{mine}")
    after = _milestone(world, mine)
    assert (after["status"], after["progress"], after["notes"]) == (
        "in_progress", 40, "Waiting for the price lists")
    response = client.post(f"/my/milestones/{mine}/evidence", data={
        "file": (io.BytesIO(PDF), "minutes.pdf"), "label": "Kick-off minutes"},
        content_type="multipart/form-data")
    assert response.status_code == 302
    assert _milestone(world, mine)["evidence"] == 1
    page = client.get("/my/milestones?lang=en").get_data(as_text=True)
    assert "Kick-off minutes" in page
    assert "Waiting for the price lists" in page
    # A bad progress is refused and changes nothing.
    client.post(f"/my/milestones/{mine}?lang=en",
                data={"status": "done", "progress": "140", "notes": ""})
    assert _milestone(world, mine)["status"] == "in_progress"


@pytest.mark.parametrize(("path", "data"), [
    ("/my/milestones/{id}", {"status": "done", "progress": "100", "notes": "mine now"}),
    ("/my/milestones/{id}/evidence", {"file": (io.BytesIO(PDF), "x.pdf")}),
    ("/milestones/{id}/status", {"status": "done"}),
    ("/milestones/{id}", {"title_en": "Taken over", "stage": "strategy", "status": "done"}),
    ("/milestones/{id}/delete", {}),
    ("/milestones/{id}/evidence/file", {"file": (io.BytesIO(PDF), "x.pdf")}),
])
def test_a_team_member_cannot_change_another_persons_milestone(
        client: FlaskClient, world: World, rollout: dict[str, Any], path: str,
        data: dict[str, Any]) -> None:
    login(client, "sara@example.com")
    theirs = rollout["reza"]
    before = _milestone(world, theirs)
    evidence = world.count(Evidence)
    milestones = world.count(Milestone)
    response = client.post(path.format(id=theirs), data=data,
                           content_type="multipart/form-data")
    assert response.status_code in (403, 404)
    assert _milestone(world, theirs) == before
    assert (world.count(Evidence), world.count(Milestone)) == (evidence, milestones)
    # Nor on another client's roadmap.
    other = world.query(lambda s: s.scalar(select(Milestone.id).join(Milestone.owner).where(
        TeamMember.client_id == rollout["other_client"]).limit(1)))
    assert client.post(f"/my/milestones/{other}", data={
        "status": "done", "progress": "100", "notes": ""}).status_code in (403, 404)


def test_the_roadmap_offers_a_team_member_only_their_own_milestones(
        client: FlaskClient, rollout: dict[str, Any]) -> None:
    login(client, "sara@example.com")
    for view in ("list", "board", "timeline"):
        page = client.get(f"/assessments/{rollout['assessment']}/roadmap?lang=en&view={view}")
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        moves = set(re.findall(r'action="/milestones/(\d+)/status"', html))
        assert moves == ({str(m) for m in rollout["mine"]} if view != "timeline" else set())
        for control in ("/roadmap/milestones/new", "/delete", "/roadmap/accept",
                        "/roadmap/discard", f"/clients/{rollout['client']}/team",
                        "/export", "/dashboard", f"/assessments/{rollout['assessment']}\"",
                        f"/milestones/{rollout['reza']}\"", "/walk", "/review"):
            assert control not in html, (view, control)
    assert client.get(f"/assessments/{rollout['other_assessment']}/roadmap").status_code == 404


def test_a_consultant_still_has_every_control(client: FlaskClient,
                                              rollout: dict[str, Any]) -> None:
    login(client)
    html = client.get(f"/assessments/{rollout['assessment']}/roadmap?lang=en").get_data(
        as_text=True)
    assert f'action="/milestones/{rollout["reza"]}/status"' in html
    assert "/roadmap/milestones/new" in html
    assert f"/milestones/{rollout['reza']}\"" in html


def test_a_viewer_reads_results_reports_roadmap_and_trend_only(
        client: FlaskClient, world: World, rollout: dict[str, Any]) -> None:
    response = client.post("/login", data={"email": "vida@example.com",
                                           "password": "correct-horse"})
    while response.status_code == 302:
        response = client.get(response.headers["Location"])
    assert response.request.path == f"/my/clients/{rollout['client']}"
    page = response.get_data(as_text=True)
    assessment = rollout["assessment"]
    for link in (f"/assessments/{assessment}/results", f"/assessments/{assessment}/report.pdf",
                 f"/assessments/{assessment}/report.docx", f"/assessments/{assessment}/roadmap",
                 f"/clients/{rollout['client']}/trend"):
        assert link in page
        assert client.get(link).status_code == 200, link
    for hidden in ("/walk", "/review", "/workshop", "/edit", "/export", "/team"):
        assert hidden not in page
    for path in (f"/assessments/{assessment}/results", f"/clients/{rollout['client']}/trend"):
        html = client.get(path + "?lang=en").get_data(as_text=True)
        for hidden in ("/dashboard", f"/clients/{rollout['client']}\"", "/export",
                       "/reassess", "/assessments/new", f"/assessments/{assessment}\""):
            assert hidden not in html, (path, hidden)
    roadmap = client.get(f"/assessments/{assessment}/roadmap?lang=en").get_data(as_text=True)
    assert "/status\"" not in roadmap
    assert "/roadmap/milestones/new" not in roadmap
    before = _milestone(world, rollout["reza"])
    assert client.post(f"/milestones/{rollout['reza']}/status",
                       data={"status": "done"}).status_code in (403, 404)
    assert client.post(f"/my/milestones/{rollout['mine'][0]}",
                       data={"status": "done", "notes": ""}).status_code in (403, 404)
    assert _milestone(world, rollout["reza"]) == before
    for refused in (f"/assessments/{assessment}/review", f"/assessments/{assessment}/walk",
                    f"/clients/{rollout['other_client']}", f"/my/clients/{rollout['other_client']}",
                    "/dashboard"):
        assert client.get(refused).status_code in (302, 403, 404), refused
    assert client.get(f"/my/clients/{rollout['other_client']}").status_code in (403, 404)


@pytest.mark.parametrize("who", ["sara@example.com", "vida@example.com"])
def test_the_pages_of_the_clients_people_are_in_persian(
        client: FlaskClient, rollout: dict[str, Any], who: str) -> None:
    login(client, who)
    pages = ["/my/milestones"] if who.startswith("sara") else [f"/my/clients/{rollout['client']}"]
    pages += [f"/assessments/{rollout['assessment']}/roadmap?view={v}"
              for v in ("list", "board", "timeline")]
    for path in pages:
        html = client.get(path + ("&" if "?" in path else "?") + "lang=fa").get_data(as_text=True)
        # Links to the English copy of a report say so in English, marked lang="en".
        text = text_of(re.sub(r'<(\w+)[^>]*\blang="en"[^>]*>.*?</\1>', " ", html, flags=re.S))
        assert not foreign_in_persian(text, allowed={"Acme", "Trading", "Sara", "Reza", "Sales",
                                                      "lead", "IT", "PDF", "First", "look", "ana",
                                                      "English"}), path
    milestones = client.get("/my/milestones?lang=fa").get_data(as_text=True)
    if who.startswith("sara"):
        assert "نقطه‌های عطف" in milestones


def test_an_account_without_team_grants_sees_no_milestones(
        client: FlaskClient, world: World, rollout: dict[str, Any]) -> None:
    with world.app.app_context():
        user = db.session.scalar(select(User).where(User.email == "vida@example.com"))
        from assessment.rollout.operations import my_milestones
        assert my_milestones(user, user.workspace_id, TODAY) == []
