"""A whole client as one JSON file: the round trip, the command line, and refused files."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import func, select

from assessment import transfer
from assessment.cli import main
from assessment.extensions import db
from assessment.tables import Assessment, Client, Respondent, User, Workshop
from assessment.transfer import parse as transfer_parse
from assessment.web import get_catalog

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(40))
PDF = b"%PDF-1.4\n% evidence\n1 0 obj << >> endobj\n%%EOF\n"
STAMP = "2025-01-02T03:04:05.123456"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def build_rich(app: Flask, user_id: int) -> int:
    """A client with everything a file can hold: logo, team, two assessments, a workshop
    with an agreed answer, a roadmap with owners, dependencies and evidence, Persian text."""
    from assessment.clients.operations import create_assessment, save_client
    from assessment.rollout.operations import (
        accept_roadmap,
        add_file,
        add_link,
        propose_roadmap,
        save_member,
        save_milestone,
        set_status,
    )
    from assessment.walk.operations import complete, save_answer
    from assessment.workshop.operations import (
        close_workshop,
        join,
        open_workshop,
        record_agreed,
        set_stage_lock,
    )

    with app.app_context():
        catalog = get_catalog(app)
        user = db.session.get(User, user_id)
        client = save_client(user.workspace, {
            "name": "گروه خرده‌فروشی پارس", "sector": "Retail", "size": "1000+",
            "country": "ایران", "contact": "Maryam Ahmadi",
            "notes": "Forty stores.\nچهل فروشگاه و یک فروشگاه اینترنتی."}, logo=PNG)
        lead = save_member(client, {"name": "Reza Karimi", "email": "Reza@Example.com",
                                    "role": "Project lead"})
        analyst = save_member(client, {"name": "لیلا نوری", "role": "تحلیلگر داده"})

        first = create_assessment(catalog, client, title="Baseline", questionnaire_id="executive",
                                  share=True, due_on=date(2025, 6, 1), targets={"vision": 4},
                                  model_ids=["gartner", "lic"])
        me = Respondent(assessment=first, kind="consultant", user_id=user.id, name="Ana")
        boss = Respondent(assessment=first, kind="executive", name="مدیرعامل")
        db.session.add_all([me, boss])
        db.session.flush()
        questions = catalog.questionnaires["executive"].questions
        for index, question in enumerate(questions[:14]):
            save_answer(catalog, me, question.id, value=str(index % 6),
                        comment="نظر مشاور" if index % 4 == 0 else "")
        save_answer(catalog, me, questions[3].id, flagged=True)
        save_answer(catalog, me, questions[3].id, value="5")  # revision 3
        for index, question in enumerate(questions[:10]):
            save_answer(catalog, boss, question.id,
                        value=("na", "unknown", "2", "4")[index % 4])
        save_answer(catalog, boss, questions[20].id, comment="=HYPERLINK(\"x\")")
        complete(first, boss)

        second = create_assessment(catalog, client, title="کارگاه", questionnaire_id="workshop")
        room = open_workshop(second, named=True)
        set_stage_lock(room, "data", True)
        people = [join(room, "Maryam", "sales"), join(room, "", "it")]
        vision = [q for q in catalog.questionnaires["workshop"].questions
                  if q.stage == "vision"][:5]
        for offset, person in enumerate(people):
            for index, question in enumerate(vision):
                save_answer(catalog, person, question.id, value=str((index + 4 * offset) % 6))
        record_agreed(catalog, second, vision[0].id, "2", "توافق پس از گفت‌وگو", user)
        close_workshop(room)

        roadmap = propose_roadmap(catalog, first, "gartner", starts_on=date(2025, 3, 21))
        items = list(roadmap.milestones)
        save_milestone(catalog, roadmap, {
            "title_en": "Pick a CRM vendor", "title_fa": "انتخاب فروشنده", "stage": "technology",
            "owner_id": lead.id, "start_on": date(2025, 5, 1), "due_on": date(2025, 5, 30),
            "status": "in_progress", "progress": 40, "notes": "=cmd|' /C calc'!A0",
            "depends_on": [items[0].id, items[1].id]})
        items[0].owner = analyst
        set_status(items[0], "done", today=date(2025, 4, 1))
        set_status(items[2], "blocked", 30)
        add_link(items[0], "https://example.com/charter", "Charter")
        add_file(items[0], "proof.pdf", PDF, "امضاشده")
        accept_roadmap(roadmap)
        db.session.commit()
        return int(client.id)


def export_bytes(app: Flask, client_id: int) -> bytes:
    with app.app_context():
        return transfer.dumps(transfer.export_client(db.session.get(Client, client_id)))


def row_counts(app: Flask) -> dict[str, int]:
    with app.app_context():
        return {table.name: db.session.scalar(select(func.count()).select_from(table))
                for table in db.metadata.sorted_tables}


@pytest.fixture
def other_app(app: Flask, tmp_path: Path) -> Iterator[Flask]:
    """A second installation: its own empty database."""
    from assessment.app import create_app

    second = create_app({"TESTING": True, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False,
                         "SERVER_NAME": "crm.test",
                         "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'other.sqlite3'}"})
    with second.app_context():
        db.create_all()
    yield second
    with second.app_context():
        db.engine.dispose()


def import_into(app: Flask, data: bytes | dict[str, Any], email: str = "ana@example.com") -> int:
    from assessment.accounts.operations import create_user

    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            user = create_user(email, "correct-horse", name="Ana")
        client = transfer.import_client(get_catalog(app), data, user.workspace)
        db.session.commit()
        return int(client.id)


# --- the round trip -----------------------------------------------------------------


def test_export_import_export_is_byte_identical(app: Flask, world: Any,
                                                other_app: Flask) -> None:
    client_id = build_rich(app, world.user())
    first = export_bytes(app, client_id)
    new_id = import_into(other_app, first)
    assert export_bytes(other_app, new_id) == first

    data = json.loads(first)
    assert data["format"] == "crm-maturity/client"
    assert data["version"] == 1
    assert "گروه خرده‌فروشی پارس" in first.decode("utf-8")  # Persian as it is, not \u escapes
    assert base64.b64decode(data["client"]["logo"]["data"]) == PNG
    assert [m["key"] for m in data["team"]] == ["t1", "t2"]
    baseline, room = data["assessments"]
    assert baseline["self_assessment_link"] is True
    assert baseline["respondents"][0]["consultant"] == "ana@example.com"
    milestones = baseline["roadmap"]["milestones"]
    vendor = next(m for m in milestones if m["title_en"] == "Pick a CRM vendor")
    assert vendor["depends_on"] == ["m1", "m2"]
    assert vendor["owner"] == "t1"
    assert milestones[0]["owner"] == "t2"
    assert [e["kind"] for e in milestones[0]["evidence"]] == ["link", "file"]
    assert base64.b64decode(milestones[0]["evidence"][1]["data"]) == PDF
    assert room["workshop"]["locked_stages"] == ["data"]
    assert room["agreed_answers"][0]["decided_by"] == "ana@example.com"
    assert "exported_at" not in data


def test_secrets_are_not_exported_and_are_made_anew(app: Flask, world: Any,
                                                    other_app: Flask) -> None:
    client_id = build_rich(app, world.user())
    first = export_bytes(app, client_id)
    with app.app_context():
        old = db.session.get(Client, client_id)
        secrets = [old.assessments[0].share_token,
                   *(r.token for a in old.assessments for r in a.respondents),
                   *(u.password_hash for u in db.session.scalars(select(User)))]
        code = old.assessments[1].workshop.code
    assert all(secret and secret not in first.decode() for secret in secrets)
    new_id = import_into(other_app, first)
    with other_app.app_context():
        new = db.session.get(Client, new_id)
        assert new.assessments[0].share_token not in (None, secrets[0])
        assert not {r.token for a in new.assessments for r in a.respondents} & set(secrets)
        assert new.assessments[1].workshop.code == code  # no collision: kept
        consultant = new.assessments[0].respondents[0]
        assert consultant.user_id is not None  # relinked by e-mail in the target workspace


def test_importing_twice_gives_a_new_workshop_code(app: Flask, world: Any) -> None:
    client_id = build_rich(app, world.user())
    data = export_bytes(app, client_id)
    new_id = import_into(app, data)
    with app.app_context():
        codes = db.session.scalars(select(Workshop.code).join(Assessment)
                                   .where(Assessment.client_id.in_([client_id, new_id]))).all()
    assert len(set(codes)) == 2


def test_consultant_without_an_account_here_is_kept_by_name_only(
        app: Flask, world: Any, other_app: Flask) -> None:
    from assessment.accounts.operations import create_user

    client_id = build_rich(app, world.user())
    data = export_bytes(app, client_id)
    with other_app.app_context():
        # Someone with that e-mail exists, in another workspace: no link across workspaces.
        create_user("ana@example.com", "correct-horse", name="Ana elsewhere")
        create_user("bo@example.com", "correct-horse", name="Bo")
        db.session.commit()
    new_id = import_into(other_app, data, email="bo@example.com")
    with other_app.app_context():
        consultant = db.session.get(Client, new_id).assessments[0].respondents[0]
        assert consultant.kind == "consultant"
        assert consultant.user_id is None
        assert consultant.name == "Ana"


def test_an_anonymous_workshop_exports_no_names_and_a_named_one_keeps_them(
        app: Flask, world: Any, other_app: Flask) -> None:
    from assessment.clients.operations import create_assessment
    from assessment.walk.operations import save_answer
    from assessment.workshop.operations import join, open_workshop

    client_id = build_rich(app, world.user())
    with app.app_context():
        catalog = app.extensions["catalog"]
        quiet = create_assessment(catalog, db.session.get(Client, client_id),
                                  title="Anonymous room", questionnaire_id="workshop")
        room = open_workshop(quiet, named=False)
        person = join(room, "Roxana Tehrani", "it")
        question = catalog.questionnaires["workshop"].questions[0].id
        save_answer(catalog, person, question, value="3", comment="Our data is scattered")
        db.session.commit()
    first = export_bytes(app, client_id)
    assert "Roxana Tehrani" not in first.decode("utf-8")
    named, anonymous = json.loads(first)["assessments"][1:]
    assert [r["name"] for r in named["respondents"]] == ["Maryam", ""]
    assert anonymous["workshop"]["named"] is False
    (only,) = anonymous["respondents"]
    assert (only["kind"], only["name"], only["role"]) == ("participant", "", "it")
    assert only["answers"][0]["comment"] == "Our data is scattered"
    # The consultant and the executive of the first assessment keep theirs.
    assert [r["name"] for r in json.loads(first)["assessments"][0]["respondents"]] == [
        "Ana", "مدیرعامل"]
    new_id = import_into(other_app, first)
    assert export_bytes(other_app, new_id) == first


def test_a_removed_participant_stays_removed_through_export_and_import(
        app: Flask, world: Any, other_app: Flask) -> None:
    from assessment.results import score_assessment
    from assessment.workshop.operations import remove_participant

    def scores(where: Flask, client_id: int) -> dict[str, Any]:
        with where.app_context():
            room = db.session.get(Client, client_id).assessments[1]
            return score_assessment(where.extensions["catalog"], room).to_dict()

    client_id = build_rich(app, world.user())
    with app.app_context():
        maryam = db.session.scalar(select(Respondent).where(Respondent.name == "Maryam"))
        remove_participant(maryam)
        when = maryam.removed_at
        db.session.commit()
    first = export_bytes(app, client_id)
    maryam_out, other_out = json.loads(first)["assessments"][1]["respondents"]
    assert maryam_out["removed_at"] == when.isoformat()
    assert "removed_at" not in other_out  # written only when set
    assert len(maryam_out["answers"]) == 5  # kept, like the rows

    new_id = import_into(other_app, first)
    with other_app.app_context():
        people = db.session.get(Client, new_id).assessments[1].respondents
        assert [(p.name, p.removed_at) for p in people] == [("Maryam", when), ("", None)]
    assert scores(other_app, new_id) == scores(app, client_id)
    assert scores(app, client_id)["respondents"] == 1
    assert export_bytes(other_app, new_id) == first


# --- refused files ------------------------------------------------------------------


def valid_file(catalog: Any) -> dict[str, Any]:
    questions = [q.id for q in catalog.questionnaires["executive"].questions]
    stage = catalog.models["gartner"].stages[0].id
    link = {"kind": "link", "label": "Charter", "url": "https://example.com/c", "filename": "",
            "content_type": "", "size": 0, "sha256": "", "data": None, "created_at": STAMP}
    document = {"kind": "file", "label": "", "url": "", "filename": "proof.pdf",
                "content_type": "application/pdf", "size": len(PDF),
                "sha256": hashlib.sha256(PDF).hexdigest(), "data": b64(PDF), "created_at": STAMP}

    def milestone(key: str, depends_on: list[str], evidence: list[Any]) -> dict[str, Any]:
        return {"key": key, "stage": stage, "position": int(key[1:]), "origin": "team",
                "origin_ref": "", "title_en": f"Step {key}", "title_fa": "", "owner": "t1",
                "start_on": "2025-03-21", "due_on": "2025-04-20", "status": "not_started",
                "progress": 0, "notes": "", "done_on": None, "depends_on": depends_on,
                "evidence": evidence, "created_at": STAMP, "updated_at": STAMP}

    def answer(question: str, value: str | None) -> dict[str, Any]:
        return {"question": question, "value": value, "comment": "", "flagged": False,
                "revision": 1, "updated_at": STAMP}

    return {
        "format": "crm-maturity/client", "version": 1,
        "client": {"name": "Acme", "sector": "", "size": "", "country": "", "contact": "",
                   "notes": "", "logo": {"content_type": "image/png", "data": b64(PNG)},
                   "created_at": STAMP},
        "team": [{"key": "t1", "name": "Reza", "email": "reza@example.com", "role": "lead",
                  "created_at": STAMP}],
        "assessments": [{
            "title": "Baseline", "questionnaire": "executive", "models": ["gartner"],
            "targets": {"vision": 4}, "status": "in_progress", "self_assessment_link": True,
            "created_at": STAMP, "due_on": "2025-06-01", "completed_at": None,
            "respondents": [{
                "kind": "consultant", "consultant": "ana@example.com", "name": "Ana",
                "role": "", "last_stage": "vision", "last_question": questions[0],
                "created_at": STAMP, "finished_at": None,
                "answers": [answer(questions[0], "3"), answer(questions[1], "na")]}],
            "agreed_answers": [{"question": questions[0], "value": "2", "note": "",
                                "decided_by": None, "updated_at": STAMP}],
            "workshop": {"code": "ABC234", "named": False, "status": "closed",
                         "locked_stages": [], "created_at": STAMP, "closed_at": STAMP},
            "roadmap": {"model": "gartner", "title": "", "starts_on": "2025-03-21",
                        "accepted_at": None, "created_at": STAMP,
                        "milestones": [milestone("m1", [], [link, document]),
                                       milestone("m2", ["m1"], [])]},
        }],
    }


M = "assessments.0.roadmap.milestones.0"
M0 = "assessments[0].roadmap.milestones[0]"
A0 = "assessments[0].respondents[0].answers[0]"


def put(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """A change to the valid file: set the value at a dotted path (numbers index lists)."""

    def change(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = data
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        node[int(last) if last.isdigit() else last] = value

    return change


BAD_FILES: list[tuple[str, Callable[[dict[str, Any]], None], str]] = [
    ("answer 7", put("assessments.0.respondents.0.answers.0.value", "7"),
     f"{A0}.value: '7' is not an answer (0-5, na, unknown)"),
    ("answer as a number", put("assessments.0.respondents.0.answers.0.value", 3),
     f"{A0}.value: 3 is not an answer (0-5, na, unknown)"),
    ("unknown question", put("assessments.0.respondents.0.answers.1.question", "exec.nope"),
     "assessments[0].respondents[0].answers[1].question: 'exec.nope' is not a question of "
     "the questionnaire 'executive'"),
    ("answered twice", put("assessments.0.respondents.0.answers.1.question", "exec.vision.01"),
     "assessments[0].respondents[0].answers[1].question: 'exec.vision.01' is answered twice"),
    ("unknown questionnaire", put("assessments.0.questionnaire", "nope"),
     "assessments[0].questionnaire: 'nope' is not a questionnaire of this installation's "
     "catalogue"),
    ("unknown model", put("assessments.0.models", ["salesforce"]),
     "assessments[0].models[0]: 'salesforce' is not a deployment model"),
    ("target out of range", put("assessments.0.targets", {"vision": 9}),
     "assessments[0].targets.vision: Input should be less than or equal to 5"),
    ("target of no stage", put("assessments.0.targets", {"moon": 3}),
     "assessments[0].targets.moon (key): Input should be 'vision'"),
    ("a consultant removed", put("assessments.0.respondents.0.removed_at", STAMP),
     "assessments[0].respondents[0].removed_at: only a workshop participant can be removed"),
    ("status", put("assessments.0.status", "finished"),
     "assessments[0].status: Input should be 'draft', 'in_progress' or 'complete', "
     "not 'finished'"),
    ("roadmap model", put("assessments.0.roadmap.model", "salesforce"),
     "assessments[0].roadmap.model: 'salesforce' is not a deployment model"),
    ("milestone stage", put("assessments.0.roadmap.milestones.0.stage", "moon"),
     f"{M0}.stage: 'moon' is not a stage of the roadmap's model 'gartner'"),
    ("dependency cycle", put("assessments.0.roadmap.milestones.0.depends_on", ["m2"]),
     "assessments[0].roadmap.milestones: the dependencies make a loop (m1 -> m2 -> m1)"),
    ("depends on itself", put("assessments.0.roadmap.milestones.0.depends_on", ["m1"]),
     f"{M0}.depends_on[0]: a milestone cannot depend on itself"),
    ("unknown dependency", put("assessments.0.roadmap.milestones.0.depends_on", ["m9"]),
     f"{M0}.depends_on[0]: 'm9' is not the key of a milestone of this roadmap"),
    ("unknown owner", put("assessments.0.roadmap.milestones.0.owner", "t9"),
     f"{M0}.owner: 't9' is not the key of anyone in team"),
    ("owner as another workspace's database id",
     put("assessments.0.roadmap.milestones.0.owner", 5),
     f"{M0}.owner: Input should be a valid string, not 5"),
    ("dependency as a database id", put("assessments.0.roadmap.milestones.1.depends_on", [17]),
     "assessments[0].roadmap.milestones[1].depends_on[0]: Input should be a valid string, "
     "not 17"),
    ("a database id field", put("client.id", 3), "client.id: unknown field (not part of "
     "the format)"),
    ("a workspace id field", put("assessments.0.client_id", 3),
     "assessments[0].client_id: unknown field"),
    ("dates out of order", put("assessments.0.roadmap.milestones.0.due_on", "2025-03-01"),
     f"{M0}.due_on: 2025-03-01 is before the start date 2025-03-21"),
    ("not a date", put("assessments.0.roadmap.milestones.0.start_on", "21/03/2025"),
     f"{M0}.start_on: '21/03/2025' is not a date like 2025-01-31"),
    ("not a date and time", put("client.created_at", "yesterday"),
     "client.created_at: 'yesterday' is not a date and time like 2025-01-31T09:30:00"),
    ("done at 50%", lambda d: (put(f"{M}.status", "done")(d), put(f"{M}.progress", 50)(d)),
     f"{M0}.progress: a done milestone is at 100%, not 50%"),
    ("evidence of a refused type", put(f"{M}.evidence.1.data", b64(b"MZ\x90\x00 program")),
     f"{M0}.evidence[1].data: Evidence files must be PDF, PNG, JPEG"),
    ("evidence too large", put(f"{M}.evidence.1.data", b64(b"%PDF-" + bytes(5 * 2**20))),
     f"{M0}.evidence[1].data: the file is larger than 5 MiB"),
    ("evidence not base64", put(f"{M}.evidence.1.data", "not base64!"),
     f"{M0}.evidence[1].data: not valid base64"),
    ("evidence checksum", put(f"{M}.evidence.1.sha256", "0" * 64),
     f"{M0}.evidence[1].sha256: does not match the file"),
    ("evidence path as a name", put(f"{M}.evidence.1.filename", "../../etc/passwd.pdf"),
     f"{M0}.evidence[1].filename: '../../etc/passwd.pdf' is not a plain file name"),
    ("script link", put(f"{M}.evidence.0.url", "javascript:alert(1)"),
     f"{M0}.evidence[0].url: 'javascript:alert(1)' is not a web address starting with "
     "https:// or http://"),
    ("logo not an image", put("client.logo.data", b64(b"GIF89a not allowed")),
     "client.logo.data: The logo must be a PNG or JPEG image."),
    ("logo too large", put("client.logo.data", b64(PNG + bytes(600 * 1024))),
     "client.logo.data: the logo is larger than 512 KiB"),
    ("name too long", put("client.name", "x" * 201),
     "client.name: String should have at most 200 characters"),
    ("missing kind", lambda d: d["assessments"][0]["respondents"][0].pop("kind"),
     "assessments[0].respondents[0].kind: missing"),
    ("two consultants, one account",
     lambda d: d["assessments"][0]["respondents"].append(
         {**d["assessments"][0]["respondents"][0], "answers": []}),
     "assessments[0].respondents[1].consultant: 'ana@example.com' answers this assessment "
     "twice"),
    ("team key twice", lambda d: d["team"].append({**d["team"][0], "name": "Other"}),
     "team[1].key: 't1' is used twice"),
    ("NUL in text", put("client.notes", "a\x00b"), "client.notes: contains a NUL character"),
    ("lone surrogate", put("client.notes", "a\ud800b"),
     "client.notes: contains a lone surrogate"),
    ("deep nesting", put("client.notes", json.loads("[" * 40 + "]" * 40)),
     "nested deeper than the format allows"),
    ("too many dependencies",
     put(f"{M}.depends_on", [f"m{i}" for i in range(transfer.MAX_DEPENDENCIES + 1)]),
     f"{M0}.depends_on: List should have at most {transfer.MAX_DEPENDENCIES} items"),
    ("another format", put("format", "crm-maturity/backup"),
     "format: 'crm-maturity/backup' is not 'crm-maturity/client'"),
    ("a newer version", put("version", 2),
     "version: 2 comes from a newer crm-maturity; this one reads version 1"),
]

BAD_BYTES: list[tuple[str, bytes, str]] = [
    ("empty", b"", "the file is empty"),
    ("not JSON", b"crm,maturity\n1,2\n", "not valid JSON: Expecting value (line 1, column 1)"),
    ("truncated", b'{"format": "crm-maturity/client", "client": {', "not valid JSON: "),
    ("not UTF-8", b'{"client": "\xff\xfe"}', "the file is not UTF-8 text (invalid byte at "
     "position 12)"),
    ("NUL byte", b'{"format":\x00 1}', "the file contains a NUL byte (at byte 10)"),
    ("duplicate keys", b'{"format": "crm-maturity/client", "format": "x"}',
     "not valid JSON: the key 'format' appears twice in one object"),
    ("NaN", b'{"version": NaN}', "not valid JSON: NaN is not a number JSON allows"),
    ("a huge number", b'{"version": ' + b"9" * 5000 + b"}", "not valid JSON: "),
    ("deeply nested", b"[" * 200_000 + b"]" * 200_000, "the file nests deeper than the format"),
    ("a list", b"[]", "the file holds a JSON list, not an object"),
]


@pytest.fixture(scope="module")
def refusing(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Flask, int]]:
    """One installation with a consultant and a client, shared by the refusal tables
    (a refused file changes nothing, and each case checks that)."""
    from assessment.accounts.operations import create_user
    from assessment.app import create_app
    from assessment.catalog import USER_DIR_ENV
    from assessment.clients.operations import save_client

    with pytest.MonkeyPatch.context() as patch:
        patch.delenv(USER_DIR_ENV, raising=False)
        patch.delenv("DATABASE_URL", raising=False)
        folder = tmp_path_factory.mktemp("refusals")
        patch.setenv("CRM_INSTANCE_PATH", str(folder / "instance"))
        shared = create_app({"TESTING": True, "SECRET_KEY": "test", "SERVER_NAME": "crm.test"})
        with shared.app_context():
            db.create_all()
            user = create_user("ana@example.com", "correct-horse", name="Ana")
            save_client(user.workspace, {"name": "Acme Trading"})
            db.session.commit()
            user_id = int(user.id)
        yield shared, user_id
        with shared.app_context():
            db.engine.dispose()


@pytest.mark.parametrize(("change", "message"), [case[1:] for case in BAD_FILES],
                         ids=[case[0] for case in BAD_FILES])
def test_bad_file_is_refused_with_its_place_and_changes_nothing(
        refusing: tuple[Flask, int], change: Callable[[dict[str, Any]], None],
        message: str) -> None:
    app, user_id = refusing
    data = valid_file(get_catalog(app))
    change(data)
    before = row_counts(app)
    raw = json.dumps(data).encode("ascii")
    with app.app_context():
        workspace = db.session.get(User, user_id).workspace
        with pytest.raises(transfer.TransferError) as caught:
            transfer.import_client(get_catalog(app), raw, workspace)
        db.session.commit()  # even a commit after the refusal stores nothing
    assert message in str(caught.value)
    assert row_counts(app) == before


@pytest.mark.parametrize(("raw", "message"), [case[1:] for case in BAD_BYTES],
                         ids=[case[0] for case in BAD_BYTES])
def test_bad_bytes_are_refused_before_parsing(refusing: tuple[Flask, int], raw: bytes,
                                              message: str) -> None:
    app, user_id = refusing
    before = row_counts(app)
    with app.app_context():
        workspace = db.session.get(User, user_id).workspace
        with pytest.raises(transfer.TransferError) as caught:
            transfer.import_client(get_catalog(app), raw, workspace)
    assert message in str(caught.value)
    assert row_counts(app) == before


def test_valid_file_imports_and_the_base_of_the_table_is_sound(app: Flask, world: Any) -> None:
    world.user()
    new_id = import_into(app, json.dumps(valid_file(get_catalog(app))).encode())
    with app.app_context():
        client = db.session.get(Client, new_id)
        milestones = client.assessments[0].roadmap.milestones
        assert [m.title_en for m in milestones[1].depends_on] == ["Step m1"]
        assert milestones[0].owner.name == "Reza"
        assert milestones[0].evidence[1].data == PDF


def test_file_over_the_size_cap_is_refused_unread(app: Flask, world: Any,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    user_id = world.user()
    monkeypatch.setattr(transfer_parse, "MAX_FILE_BYTES", 2**20)
    with app.app_context():
        workspace = db.session.get(User, user_id).workspace
        with pytest.raises(transfer.TransferError, match=r"the file is 1\.0 MiB; at most 1 MiB"):
            transfer.import_client(get_catalog(app), b"{" + bytes(2**20), workspace)


def test_many_problems_are_listed_together(app: Flask, world: Any) -> None:
    user_id = world.user()
    data = valid_file(get_catalog(app))
    put(f"{M}.owner", "t9")(data)
    put(f"{M}.stage", "moon")(data)
    put("assessments.0.respondents.0.answers.0.question", "exec.nope")(data)
    with app.app_context(), pytest.raises(transfer.TransferError) as caught:
        transfer.import_client(get_catalog(app), data,
                               db.session.get(User, user_id).workspace)
    assert len(caught.value.problems) == 3


# --- the command line ---------------------------------------------------------------


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def make_target(runner: CliRunner, url: str, *emails: str) -> None:
    """An empty database at `url`, migrated, with one workspace per consultant."""
    for email in emails:
        result = runner.invoke(main, ["users", "create", email, "--password-stdin"],
                               input="correct-horse\n", env={"DATABASE_URL": url})
        assert result.exit_code == 0, result.output


def test_cli_round_trip_through_an_empty_database(app: Flask, world: Any, runner: CliRunner,
                                                  tmp_path: Path) -> None:
    client_id = build_rich(app, world.user())
    exported = tmp_path / "client.json"
    result = runner.invoke(main, ["export", str(client_id), "-o", str(exported)])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert exported.read_bytes() == export_bytes(app, client_id)

    url = f"sqlite:///{tmp_path / 'target.sqlite3'}"
    make_target(runner, url, "ana@example.com")
    result = runner.invoke(main, ["import", str(exported)], env={"DATABASE_URL": url})
    assert result.exit_code == 0, result.output
    new_id = result.stdout.strip()
    assert new_id.isdigit()
    assert "Imported client" in result.stderr
    assert "no account in this workspace" not in result.stderr

    again = tmp_path / "again.json"
    result = runner.invoke(main, ["export", new_id, "-o", str(again)], env={"DATABASE_URL": url})
    assert result.exit_code == 0, result.output
    assert again.read_bytes() == exported.read_bytes()


def test_cli_export_to_standard_output_and_unknown_client(app: Flask, world: Any,
                                                          runner: CliRunner) -> None:
    client_id = world.client(world.user())
    result = runner.invoke(main, ["export", str(client_id), "-o", "-"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["client"]["name"] == "Acme Trading"
    result = runner.invoke(main, ["export", "999", "-o", "-"])
    assert result.exit_code == 1
    assert "there is no client 999" in result.stderr


def test_cli_import_chooses_the_workspace(app: Flask, runner: CliRunner, tmp_path: Path) -> None:
    file = tmp_path / "client.json"
    file.write_bytes(transfer.dumps(valid_file(get_catalog(app))))
    url = f"sqlite:///{tmp_path / 'target.sqlite3'}"
    env = {"DATABASE_URL": url}
    make_target(runner, url, "ana@example.com")
    result = runner.invoke(main, ["import", str(file)], env=env)  # the only workspace
    assert result.exit_code == 0, result.output

    make_target(runner, url, "bo@example.com")
    result = runner.invoke(main, ["import", str(file)], env=env)
    assert result.exit_code == 1
    assert "there are 2 workspaces; choose one with --workspace NAME_OR_ID" in result.stderr
    assert "1: ana" in result.stderr
    assert "2: bo" in result.stderr
    assert result.stdout == ""

    result = runner.invoke(main, ["import", str(file), "--workspace", "bo"], env=env)
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["import", str(file), "--workspace", "1"], env=env)
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["import", str(file), "--workspace", "nobody"], env=env)
    assert result.exit_code == 1
    assert "no workspace has the id or name 'nobody'" in result.stderr

    from assessment.app import create_app

    target = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "t"})
    with target.app_context():
        owners = db.session.execute(select(Client.workspace_id).order_by(Client.id)).scalars()
        assert list(owners) == [1, 2, 1]
        db.engine.dispose()


def test_cli_import_of_a_bad_file_fails_and_changes_nothing(app: Flask, world: Any,
                                                            runner: CliRunner,
                                                            tmp_path: Path) -> None:
    world.client(world.user())
    data = valid_file(get_catalog(app))
    put(f"{M}.depends_on", ["m2"])(data)
    file = tmp_path / "bad.json"
    file.write_bytes(transfer.dumps(data))
    before = row_counts(app)
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    result = runner.invoke(main, ["import", str(file)], env={"DATABASE_URL": url})
    assert result.exit_code == 1
    assert f"{file} was not imported; nothing was changed." in result.stderr
    assert "the dependencies make a loop (m1 -> m2 -> m1)" in result.stderr
    assert result.stdout == ""
    assert row_counts(app) == before

    result = runner.invoke(main, ["import", str(tmp_path / "missing.json")])
    assert result.exit_code == 1
    assert "cannot read" in result.stderr


# --- the web ------------------------------------------------------------------------


def test_client_download_and_upload(signed_in: Any, app: Flask, tmp_path: Path) -> None:
    import io

    client, _world, user_id = signed_in
    client_id = build_rich(app, user_id)
    response = client.get(f"/clients/{client_id}/export.json")
    downloaded = response.data
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Content-Disposition"].endswith('.json"')
    assert response.data == export_bytes(app, client_id)

    response = client.post("/clients/import", data={
        "file": (io.BytesIO(response.data), "client.json")}, content_type="multipart/form-data")
    assert response.status_code == 302
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(Client))
    assert count == 2

    before = row_counts(app)
    bad = json.loads(downloaded)
    bad["assessments"][0]["respondents"][0]["answers"][0]["value"] = "7"
    response = client.post("/clients/import", data={
        "file": (io.BytesIO(json.dumps(bad).encode()), "client.json")},
        content_type="multipart/form-data")
    assert response.status_code == 400
    assert "assessments[0].respondents[0].answers[0].value: &#39;7&#39; is not an answer" in (
        response.get_data(as_text=True))
    assert row_counts(app) == before


def test_client_download_of_another_workspace_is_404(signed_in: Any) -> None:
    client, world, _user_id = signed_in
    theirs = world.client(world.user("bo@example.com"))
    assert client.get(f"/clients/{theirs}/export.json").status_code == 404


def test_upload_checks_its_csrf_token(signed_in: Any, app: Flask) -> None:
    import io

    client, _world, _user_id = signed_in
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post("/clients/import", data={"file": (io.BytesIO(b"{}"), "c.json")},
                           content_type="multipart/form-data")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Import a client" in page
    assert "was not imported" not in page
    assert row_counts(app)["clients"] == 0


def test_valid_file_helper_round_trips(app: Flask, world: Any) -> None:
    """The hand-written file above is itself what an export of it gives back."""
    world.user()
    data = valid_file(get_catalog(app))
    new_id = import_into(app, copy.deepcopy(data))
    exported = json.loads(export_bytes(app, new_id))
    assert exported == data


def test_upload_larger_than_the_app_limit_with_a_token(signed_in: Any, app: Flask) -> None:
    """The import form takes files beyond the app's 2 MiB form limit, and still checks CSRF."""
    import re

    client, _world, _user_id = signed_in
    app.config["WTF_CSRF_ENABLED"] = True
    assert 'dir="rtl"' in client.get("/clients/import?lang=fa").get_data(as_text=True)
    page = client.get("/clients/import?lang=en")
    assert page.status_code == 200
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                      page.get_data(as_text=True))
    assert token is not None
    data = valid_file(get_catalog(app))
    big = b"%PDF-1.4\n" + bytes(4 * 2**20)
    put(f"{M}.evidence.1", {**data["assessments"][0]["roadmap"]["milestones"][0]["evidence"][1],
                            "data": b64(big), "size": len(big),
                            "sha256": hashlib.sha256(big).hexdigest()})(data)
    raw = json.dumps(data).encode()
    assert len(raw) > app.config["MAX_CONTENT_LENGTH"]
    # The body is encoded here: the test client's own encoder leaves a temporary file open
    # for bodies this large.
    body = (f"--b0undary\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n"
            f"{token.group(1)}\r\n--b0undary\r\nContent-Disposition: form-data; "
            f"name=\"file\"; filename=\"client.json\"\r\nContent-Type: application/json"
            f"\r\n\r\n").encode() + raw + b"\r\n--b0undary--\r\n"
    response = client.post("/clients/import", data=body,
                           content_type="multipart/form-data; boundary=b0undary")
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert row_counts(app)["evidence"] == 2


def test_cli_import_says_which_consultants_it_could_not_link(
        app: Flask, world: Any, runner: CliRunner, tmp_path: Path) -> None:
    client_id = build_rich(app, world.user())
    exported = tmp_path / "client.json"
    assert runner.invoke(main, ["export", str(client_id), "-o", str(exported)]).exit_code == 0
    url = f"sqlite:///{tmp_path / 'target.sqlite3'}"
    make_target(runner, url, "bo@example.com")
    result = runner.invoke(main, ["import", str(exported)], env={"DATABASE_URL": url})
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().isdigit()
    assert "Note: no account in this workspace for ana@example.com" in result.stderr


def test_customer_data_profiles_and_their_milestones_travel(app: Flask, world: Any,
                                                            other_app: Flask) -> None:
    from assessment.profiling import operations as profiling
    from assessment.tables import Client, DataProfile

    from .isolation import measured_upload

    user_id = world.user()
    client_id = world.client(user_id, "Data Client")
    assessment_id = world.answered(client_id, "2", complete=True)
    world.roadmap(assessment_id, "gartner", starts_on=date(2026, 1, 1))
    with app.app_context():
        client = db.session.get(Client, client_id)
        upload = measured_upload(app, client, user_id)
        profile = profiling.store_profile(client, upload, profiling.run_profile(upload, {}),
                                          user_id)
        profiling.discard(upload.folder)
        profiling.add_proposals(get_catalog(app), profile, ["invalid_mobile"])
        db.session.commit()
    first = export_bytes(app, client_id)
    data = json.loads(first)
    (exported,) = data["data_profiles"]
    assert exported["customers"] == 2
    assert exported["result"]["rows"] == 2
    assert any(m["origin"] == "data" for m in data["assessments"][0]["roadmap"]["milestones"])
    new_id = import_into(other_app, first)
    assert export_bytes(other_app, new_id) == first
    with other_app.app_context():
        (imported,) = db.session.scalars(select(DataProfile).where(
            DataProfile.client_id == new_id))
        assert imported.score == exported["score"]
        assert imported.result == exported["result"]
