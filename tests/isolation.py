"""Pieces for route matrices: who may reach which row by which address.

- `ARGUMENTS` says what every path argument of the app is (a row of a workspace, a
  catalogue id, a secret, a file name); `unknown_arguments` lists those it does not know.
- `build_workspace` fills a workspace with one real row of every kind and answers the value
  of every path argument (`values`).
- `routes` yields each (rule, method, url) of the URL map for those values; `crossings`
  those that reach into another workspace, alone or mixed with one's own rows.
- `send` requests a route the way a hostile caller would: a form that would change
  everything, and a JSON body.
- `snapshot` fingerprints every table, to show that no row changed.
"""

from __future__ import annotations

import hashlib
import io
import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import select
from werkzeug.routing import Rule
from werkzeug.test import TestResponse

#: what each path argument of the app names
ROW = "a row of one workspace"
CATALOGUE = "an id from the catalogue, the same in every workspace"
SECRET = "a secret that is itself the permission (share link, participant token, room code)"
FILE = "a file shipped with the app"
ARGUMENTS: dict[str, str] = {
    "client_id": ROW,
    "assessment_id": ROW,
    "respondent_id": ROW,
    "milestone_id": ROW,
    "evidence_id": ROW,
    "member_id": ROW,
    "user_id": ROW,
    "invitation_id": ROW,
    "profile_id": ROW,
    "question_id": CATALOGUE,
    "model_id": CATALOGUE,
    "stage": CATALOGUE,
    # /s/<token> (an executive's link) and /p/<token>, /api/v1/participants/<token> (a
    # workshop participant's): whoever holds the token may answer, whatever their account.
    # /invitations/<token> and /password/reset/<token>: a one-time link for one person.
    "token": SECRET,
    # a workshop's code (/w/<code>) or, on /language/<code>, a language
    "code": SECRET,
    "filename": FILE,
    # /clients/<id>/data/uploads/<upload>: files waiting to be measured, in a folder of
    # random name that only the consultant who uploaded them may open
    "upload": SECRET,
}
ROW_IDS = frozenset(name for name, kind in ARGUMENTS.items() if kind == ROW)
SKIPPED_METHODS = frozenset({"HEAD", "OPTIONS"})
API_PREFIX = "/api/v1/"

PASSWORD = "correct-horse"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
PDF = b"%PDF-1.4\n% minutes of the steering meeting\n%%EOF\n"

#: a path argument's value, or a function of the rule for one that means different things
Value = Any | Callable[[Rule], Any]


def unknown_arguments(app: Flask) -> set[str]:
    """Path arguments of the URL map that `ARGUMENTS` does not describe."""
    return {name for rule in app.url_map.iter_rules() for name in rule.arguments} - set(ARGUMENTS)


def names_a_row(rule: Rule) -> bool:
    return bool(rule.arguments & ROW_IDS)


def is_api(rule: Rule) -> bool:
    return rule.rule.startswith(API_PREFIX)


@dataclass(frozen=True)
class Route:
    rule: Rule
    method: str
    url: str

    def __str__(self) -> str:
        return f"{self.method} {self.url} ({self.rule.endpoint})"


def rules(app: Flask, which: Callable[[Rule], bool] = lambda rule: True) -> list[Rule]:
    """The URL map's rules that `which` accepts, in a stable order."""
    return sorted((rule for rule in app.url_map.iter_rules() if which(rule)),
                  key=lambda rule: (rule.rule, rule.endpoint))


def urls(app: Flask, rule: Rule, values: Mapping[str, Value]) -> Iterator[Route]:
    """The rule at `values`, once for each method it allows.

    Raises KeyError for a path argument without a value. Each URL is matched back to its
    rule, so a route is never checked by accident at an address that does not reach it.
    """
    adapter = app.url_map.bind(app.config.get("SERVER_NAME") or "localhost")
    arguments = {name: _value(values[name], rule) for name in rule.arguments}
    for method in sorted((rule.methods or set()) - SKIPPED_METHODS):
        url = adapter.build(rule.endpoint, arguments, method=method)
        matched, _args = adapter.match(url.split("?", 1)[0], method=method, return_rule=True)
        assert matched is rule, (url, method, matched, rule)
        yield Route(rule, method, url)


def routes(app: Flask, values: Mapping[str, Value],
           which: Callable[[Rule], bool] = lambda rule: True) -> Iterator[Route]:
    """Every (rule, method, url) of the URL map that `which` accepts, at `values`."""
    for rule in rules(app, which):
        yield from urls(app, rule, values)


def crossings(app: Flask, own: Mapping[str, Value],
              other: Mapping[str, Value]) -> Iterator[Route]:
    """Every route that names a row, at addresses that name a row of `other`: its rows
    alone, and, where a route names several, beside rows of `own` (another workspace's
    milestone under one's own assessment, say)."""
    for rule in rules(app, names_a_row):
        names = sorted(rule.arguments & ROW_IDS)
        for picks in itertools.product((False, True), repeat=len(names)):
            if all(picks):
                continue  # all one's own: not a crossing
            mixed = {name: own[name] for name, mine in zip(names, picks, strict=True) if mine}
            yield from urls(app, rule, {**other, **mixed})


def _value(value: Value, rule: Rule) -> Any:
    return value(rule) if callable(value) else value


def hostile_form(values: Mapping[str, Any]) -> dict[str, Any]:
    """A form a web route would act on: every field of the app's forms, with new values."""
    question = values["question_id"]
    return {
        "name": "Hijacked", "title": "Hijacked", "title_en": "Hijacked", "notes": "Hijacked",
        "sector": "Hijacked", "email": "hijack@example.com", "role": "sales",
        "label": "Hijacked", "url": "https://hijack.example/", "note": "Hijacked",
        "status": "done", "progress": "100", "value": "5", f"q-{question}": "5",
        f"c-{question}": "Hijacked", "named": "1", "locked": "1", "as": "new",
        "model": values["model_id"], "models": values["model_id"],
        "questionnaire": "executive", "starts_on": "2026-01-01", "stage_days": "30",
        "stage": values["stage"], "share": "1",
        "logo": (io.BytesIO(PNG), "logo.png"),
        "file": (io.BytesIO(b"hijacked\n"), "hijack.txt"),
    }


#: a JSON body the web's JSON routes would act on
HOSTILE_JSON = {"value": 5, "comment": "Hijacked", "status": "done", "progress": 100}
#: a valid body for the API's writes: an invalid one is refused (400) before any lookup,
#: which would hide a lookup that is not scoped
API_JSON = {"named": True}


def send(client: FlaskClient, route: Route, values: Mapping[str, Any],
         headers: Mapping[str, str] | None = None) -> list[TestResponse]:
    """Request the route: a GET as it is; any other method with a hostile form (web only)
    and with a JSON body."""
    headers = dict(headers or {})
    if route.method == "GET":
        return [client.get(route.url, headers=headers)]
    if is_api(route.rule):
        return [client.open(route.url, method=route.method, json=API_JSON, headers=headers)]
    return [
        client.open(route.url, method=route.method, data=hostile_form(values),
                    content_type="multipart/form-data", headers=headers),
        client.open(route.url, method=route.method, json=HOSTILE_JSON, headers=headers),
    ]


def snapshot(db: SQLAlchemy, ignore: Iterable[str] = ()) -> dict[str, tuple[int, str]]:
    """Every table's row count and a fingerprint of its content (in an app context).

    `ignore` names columns ("table.column") whose changes do not count, such as
    bookkeeping that a request is meant to write.
    """
    skipped = set(ignore)
    found: dict[str, tuple[int, str]] = {}
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns if f"{table.name}.{c.name}" not in skipped]
        order = list(table.primary_key.columns) or columns
        rows = db.session.execute(select(*columns).order_by(*order)).all()
        digest = hashlib.sha256(repr([tuple(row) for row in rows]).encode()).hexdigest()
        found[table.name] = (len(rows), digest)
    return found


def changed(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    return sorted(name for name in before.keys() | after.keys()
                  if before.get(name) != after.get(name))


def login(client: FlaskClient, email: str) -> None:
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


def build_workspace(app: Flask, email: str, client_name: str) -> dict[str, Value]:
    """A consultant's workspace with a real row of every kind, through the app's own
    operations; answers the value of every path argument (and of `api_token`).

    A client with a logo and a team member; a second consultant and a pending invitation;
    an assessment with a share link, answered by
    the consultant, an executive and a workshop participant, with an agreed answer; an
    open, named workshop; an accepted roadmap whose milestones have an owner, a dependency
    and evidence (a link and a file); an API token.
    """
    from assessment.accounts import people
    from assessment.accounts.operations import create_user
    from assessment.api.auth import issue_token
    from assessment.clients.operations import create_assessment, save_client
    from assessment.extensions import db
    from assessment.profiling import operations as profiling
    from assessment.rollout import operations as rollout
    from assessment.tables import Respondent
    from assessment.walk import operations as walk
    from assessment.workshop import operations as workshops

    with app.app_context():
        catalog = app.extensions["catalog"]
        question = catalog.questionnaires["executive"].questions[0]
        user = create_user(email, PASSWORD, name=email.split("@")[0])
        client = save_client(user.workspace, {"name": client_name, "sector": "Retail",
                                              "notes": "Private notes"}, logo=PNG)
        member = rollout.save_member(client, {"name": "Mina Rahimi", "role": "Sales lead",
                                              "email": "mina@example.com"})
        assessment = create_assessment(catalog, client, title="Baseline",
                                       questionnaire_id="executive", share=True)
        consultant = walk.consultant_respondent(assessment, user)
        walk.save_answer(catalog, consultant, question.id, value="3", comment="Seen it")
        executive = Respondent(assessment=assessment, kind="executive", name="CEO")
        db.session.add(executive)
        db.session.flush()
        walk.save_answer(catalog, executive, question.id, value="2")
        workshop = workshops.open_workshop(assessment, named=True)
        participant = workshops.join(workshop, "Pat", "sales")
        walk.save_answer(catalog, participant, question.id, value="4")
        workshops.record_agreed(catalog, assessment, question.id, "3", "Agreed in the room",
                                user)
        roadmap = rollout.propose_roadmap(catalog, assessment, "gartner",
                                          starts_on=date(2026, 9, 1))
        rollout.accept_roadmap(roadmap)
        first, second = roadmap.milestones[:2]
        rollout.save_milestone(catalog, roadmap, {
            "title_en": second.title_en, "title_fa": second.title_fa, "stage": second.stage,
            "owner_id": member.id, "status": "in_progress", "progress": 40,
            "depends_on": [first.id]}, second)
        rollout.add_link(second, "https://docs.example.com/plan", "Plan")
        evidence = rollout.add_file(second, "minutes.pdf", PDF, "Minutes")
        _token, secret = issue_token(user, "integration")
        colleague = create_user("colleague-" + email, PASSWORD, workspace=user.workspace)
        invitation, _link = people.invite(user.workspace, "invited-" + email, "viewer", user,
                                          client=client)
        upload = measured_upload(app, client, user.id)
        profile = profiling.store_profile(client, upload, profiling.run_profile(upload, {}),
                                          user.id)
        waiting = measured_upload(app, client, user.id)
        db.session.commit()
        share_token, participant_token = assessment.share_token, participant.token
        code = workshop.code
        return {
            "client_id": client.id, "assessment_id": assessment.id,
            "respondent_id": participant.id, "milestone_id": second.id,
            "evidence_id": evidence.id, "member_id": member.id,
            "user_id": colleague.id, "invitation_id": invitation.id,
            "question_id": question.id, "stage": question.stage, "model_id": "gartner",
            "token": lambda rule: (share_token if rule.endpoint.startswith("share.")
                                   else participant_token),
            "code": lambda rule: "fa" if rule.endpoint == "accounts.set_language"
            else code,
            "filename": "app.css",
            "profile_id": profile.id, "upload": waiting.name,
            "api_token": secret,
        }


#: a small customer file: what a consultant uploads to measure a client's data
CUSTOMER_FILE = ("Customer id,Name,Mobile,Date,Amount\n"
                 "1,Ana,09121234567,2026-01-05,100\n2,Bo,12345,2026-03-01,50\n")


def measured_upload(app: Flask, client: Any, user_id: int) -> Any:
    """Files waiting to be measured (their columns read), as the upload page leaves them."""
    from assessment.profiling import operations as profiling

    folder = profiling.new_upload_folder(app.instance_path)
    (folder / "file-0.csv").write_text(CUSTOMER_FILE, encoding="utf-8")
    upload = profiling.start_upload(folder, client, user_id, ["customers.csv"],
                                    ["file-0.csv"], unit="", as_of=None, window_months=12)
    profiling.read_columns(upload)
    return upload
