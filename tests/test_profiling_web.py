"""Measure customer data on the web: upload, columns, the profile in a child process,
the results, proposed milestones, the size and time limits, the audit trail, and privacy:
nothing from the files is kept anywhere."""

from __future__ import annotations

import io
import logging
import re
import time
from datetime import date
from html import unescape
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from assessment.customerdata.proposals import propose
from assessment.extensions import db
from assessment.profiling import operations as ops
from assessment.tables import AuditEntry, DataProfile, Milestone

from .conftest import Signed, World
from .persian import foreign_in_persian

#: values a privacy test looks for everywhere: none may be written anywhere
SECRET_VALUES = ("Khosrow Parvizian", "Shirin Farhadpour", "09127775533", "09351112299",
                 "0083194758", "khosrow.parvizian@example.org", "shirin-f@example.org",
                 "Kucheh Golnaz 17", "Zafaraniyeh Alley 4", "Pistachio Deluxe Box")

CUSTOMERS = (
    "Customer code,Name,Mobile,Email,National code,Address\n"
    "C1,Khosrow Parvizian,09127775533,khosrow.parvizian@example.org,0083194758,Kucheh Golnaz 17\n"
    "C2,Shirin Farhadpour,09351112299,shirin-f@example.org,,Zafaraniyeh Alley 4\n"
    "C3,Shirin Farhadpour,09351112299,,,\n"
    "C4,Dara,,,,\n"
)
SALES = (
    "Customer code,Date,Amount,Product\n"
    "C1,2025-01-10,1000,Pistachio Deluxe Box\n"
    "C1,2025-06-01,500,Tea\n"
    "C2,2025-05-20,300,Tea\n"
    "C3,2024-01-02,200,Tea\n"
    "C4,2025-06-30,50,Tea\n"
)


def _xlsx(text: str) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for line in text.strip().splitlines():
        sheet.append(line.split(","))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _client_of(world: World, user_id: int) -> int:
    return world.client(user_id, "Acme Trading")


def _upload(client: FlaskClient, client_id: int, files: list[tuple[bytes, str]],
            **fields: str) -> Any:
    data: dict[str, Any] = {"files": [(io.BytesIO(body), name) for body, name in files],
                            "unit": "rial", "window_months": "12", **fields}
    return client.post(f"/clients/{client_id}/data", data=data,
                       content_type="multipart/form-data")


def _uploads(app: Flask) -> list[Path]:
    root = ops.uploads_root(app.instance_path)
    return sorted(root.iterdir()) if root.is_dir() else []


def _measure(client: FlaskClient, app: Flask, client_id: int,
             files: list[tuple[bytes, str]], mapping: dict[str, str] | None = None) -> Any:
    response = _upload(client, client_id, files)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    columns = response.headers["Location"]
    page = client.get(columns)
    assert page.status_code == 200
    form = {f"role-{role}": column for role, column in (mapping or {}).items()}
    return client.post(columns, data=form)


def test_upload_columns_measure_and_results(app: Flask, signed_in: Signed) -> None:
    client, world, user_id = signed_in
    client_id = _client_of(world, user_id)
    assert "Measure customer data" in client.get(f"/clients/{client_id}").get_data(as_text=True)
    response = _upload(client, client_id, [(CUSTOMERS.encode(), "customers.csv"),
                                           (_xlsx(SALES), "sales.xlsx")])
    assert response.status_code == 302, response.get_data(as_text=True)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Customer code" in page
    assert "National code" in page
    assert "4 rows" in page
    done = client.post(response.headers["Location"], data={})
    assert done.status_code == 302
    assert _uploads(app) == []  # the files are gone once measured
    result = client.get(done.headers["Location"])
    html = result.get_data(as_text=True)
    assert result.status_code == 200
    assert "Customer pyramid" in html
    assert "RFM segments" in html
    with app.app_context():
        profile = db.session.scalar(select(DataProfile))
        assert profile is not None
        assert profile.customers == 4
        assert profile.unit == "rial"
        assert profile.result["quality"]["duplicates"] == 1  # C2 and C3: name and mobile
        assert profile.created_by == user_id
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "data.profiled"))
        assert entry is not None
        assert entry.client_id == client_id
    assert re.search(r'data-testid="duplicates">1<', html)
    # listed among the client's measurements
    listing = client.get(f"/clients/{client_id}/data").get_data(as_text=True)
    assert f"/clients/{client_id}/data/{profile.id}" in listing


def test_a_corrected_mapping_changes_the_result(app: Flask, signed_in: Signed) -> None:
    client, world, user_id = signed_in
    client_id = _client_of(world, user_id)
    text = ("Customer code,Name,Mobile,Other phone\n"
            "C1,A,bad,09121111111\nC2,B,bad,09122222222\n")
    _measure(client, app, client_id, [(text.encode(), "list.csv")])
    _measure(client, app, client_id, [(text.encode(), "list.csv")], {"mobile": "Other phone"})
    with app.app_context():
        first, second = db.session.scalars(select(DataProfile).order_by(DataProfile.id))
        assert first.result["quality"]["fields"]["mobile"]["valid"] == 0
        assert second.result["quality"]["fields"]["mobile"]["valid"] == 1
        assert second.result["files"][0]["mapping"]["roles"]["mobile"] == "Other phone"


def test_a_column_that_is_not_in_the_files_is_refused(app: Flask, signed_in: Signed) -> None:
    client, world, user_id = signed_in
    client_id = _client_of(world, user_id)
    response = _measure(client, app, client_id, [(CUSTOMERS.encode(), "c.csv")],
                        {"mobile": "No such column"})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(DataProfile)) is None


def test_a_file_that_cannot_be_read_says_where_and_keeps_nothing(app: Flask,
                                                                 signed_in: Signed) -> None:
    client, world, user_id = signed_in
    client_id = _client_of(world, user_id)
    bad = "Customer code,Name\nC1,A\nC2,B,extra,cells\n"
    response = _upload(client, client_id, [(bad.encode(), "broken.csv")])
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "row 3" in html
    assert _uploads(app) == []
    with app.app_context():
        assert db.session.scalar(select(DataProfile)) is None


def test_an_upload_over_the_limit_is_refused_before_it_is_read(app: Flask,
                                                               signed_in: Signed) -> None:
    client, world, user_id = signed_in
    client_id = _client_of(world, user_id)
    app.config["DATA_MAX_BYTES"] = 1000
    big = ("Customer code,Name\n" + "C1,Someone\n" * 20000).encode()
    received: list[int] = []

    class Counting(io.BytesIO):
        def read(self, size: int | None = -1) -> bytes:
            chunk = super().read(size)
            received.append(len(chunk))
            return chunk

    body = Counting()
    boundary = "xyz"
    body.write(f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; "
               f"filename=\"big.csv\"\r\nContent-Type: text/csv\r\n\r\n".encode() + big
               + f"\r\n--{boundary}--\r\n".encode())
    length = body.tell()
    body.seek(0)
    response = client.post(f"/clients/{client_id}/data", input_stream=body,
                           content_type=f"multipart/form-data; boundary={boundary}",
                           headers={"Content-Length": str(length)})
    assert response.status_code == 413
    assert "larger than" in response.get_data(as_text=True)
    assert sum(received) == 0  # refused from the declared size
    assert _uploads(app) == []
    client.get("/language/fa")
    body.seek(0)
    persian = client.post(f"/clients/{client_id}/data", input_stream=body,
                          content_type=f"multipart/form-data; boundary={boundary}",
                          headers={"Content-Length": str(length)})
    assert persian.status_code == 413
    assert "بزرگ‌تر" in persian.get_data(as_text=True)


def test_measuring_past_the_time_limit_is_stopped(app: Flask, signed_in: Signed) -> None:
    client, world, user_id = signed_in
    client_id = _client_of(world, user_id)
    response = _upload(client, client_id, [(CUSTOMERS.encode(), "c.csv")])
    assert response.status_code == 302
    app.config["DATA_TIMEOUT"] = 0.001
    stopped = client.post(response.headers["Location"], data={})
    assert stopped.status_code == 400
    assert "was stopped" in stopped.get_data(as_text=True)
    assert _uploads(app) == []
    with app.app_context():
        assert db.session.scalar(select(DataProfile)) is None


def _jobs() -> list[str]:
    """Measurement interpreters running on this machine (job.py)."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            command = (proc / "cmdline").read_bytes()
        except OSError:
            continue
        if b"assessment.profiling.job" in command:
            found.append(proc.name)
    return found


def test_a_measurement_stopped_at_the_limit_leaves_no_process(app: Flask,
                                                              signed_in: Signed) -> None:
    client, world, user_id = signed_in
    client_id = _client_of(world, user_id)
    rows = "".join(f"C{n},P{n},0912{n:07d}\n" for n in range(300_000))
    boundary = "xyz"
    body = io.BytesIO(f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; "
                      f"filename=\"big.csv\"\r\n\r\nCustomer code,Name,Mobile\n{rows}\r\n"
                      f"--{boundary}--\r\n".encode())
    response = client.post(f"/clients/{client_id}/data", input_stream=body,
                           content_type=f"multipart/form-data; boundary={boundary}",
                           headers={"Content-Length": str(len(body.getvalue()))})
    assert response.status_code == 302
    before = set(_jobs())
    app.config["DATA_TIMEOUT"] = 0.3  # the job's interpreter alone takes longer to start
    stopped = client.post(response.headers["Location"], data={})
    assert "was stopped" in stopped.get_data(as_text=True)
    deadline = time.monotonic() + 0.3  # killed with its parent, not left to finish
    while set(_jobs()) - before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert set(_jobs()) - before == set()
    assert _uploads(app) == []


def test_progress_answers_while_waiting_and_after(app: Flask, signed_in: Signed) -> None:
    client, world, user_id = signed_in
    client_id = _client_of(world, user_id)
    response = _upload(client, client_id, [(CUSTOMERS.encode(), "c.csv")])
    progress = response.headers["Location"] + "/progress"
    assert client.get(progress).json == {"progress": 0.0, "waiting": True}
    done = client.post(response.headers["Location"], data={},
                       headers={"Accept": "application/json"})
    assert done.json is not None
    assert done.json["next"].startswith(f"/clients/{client_id}/data/")
    assert client.get(progress).json == {"progress": 1.0, "waiting": False}


def test_an_upload_belongs_to_its_client(app: Flask, signed_in: Signed) -> None:
    client, world, user_id = signed_in
    client_id = _client_of(world, user_id)
    other_id = world.client(user_id, "Other Client")
    response = _upload(client, client_id, [(CUSTOMERS.encode(), "c.csv")])
    columns = response.headers["Location"]
    elsewhere = columns.replace(f"/clients/{client_id}/", f"/clients/{other_id}/")
    assert client.get(elsewhere).status_code == 404
    assert client.post(elsewhere, data={}).status_code == 404
    assert client.get(columns.replace(columns.rsplit("/", 1)[1], "x" * 32)).status_code == 404
    assert client.get(columns.replace(columns.rsplit("/", 1)[1], "..")).status_code == 404
    assert client.get(columns).status_code == 200


def test_stale_upload_folders_are_swept(app: Flask, signed_in: Signed) -> None:
    client, world, user_id = signed_in
    client_id = _client_of(world, user_id)
    stale = ops.uploads_root(app.instance_path) / ("s" * 32)
    stale.mkdir(parents=True)
    (stale / "file-0.csv").write_text(CUSTOMERS, encoding="utf-8")
    import os
    os.utime(stale, (0, 0))
    _upload(client, client_id, [(CUSTOMERS.encode(), "c.csv")])
    assert not stale.exists()
    assert len(_uploads(app)) == 1


def test_proposed_milestones_go_to_the_roadmap(app: Flask, signed_in: Signed) -> None:
    client, world, user_id = signed_in
    client_id = _client_of(world, user_id)
    assessment_id = world.answered(client_id, "2", complete=True)
    done = _measure(client, app, client_id, [(CUSTOMERS.encode(), "c.csv"),
                                             (SALES.encode(), "s.csv")])
    result_url = done.headers["Location"]
    page = client.get(result_url).get_data(as_text=True)
    assert "Merge 1 duplicate customer records" in page
    assert "has no roadmap yet" in page
    refused = client.post(result_url + "/milestones", data={"proposal": ["duplicates"]})
    assert refused.status_code == 400
    world.roadmap(assessment_id, "gartner", starts_on=date(2026, 1, 1))
    added = client.post(result_url + "/milestones",
                        data={"proposal": ["duplicates", "at_risk"]})
    assert added.status_code == 302
    again = client.post(result_url + "/milestones", data={"proposal": ["duplicates"]})
    assert again.status_code == 302
    with app.app_context():
        made = list(db.session.scalars(select(Milestone).where(Milestone.origin == "data")))
        assert sorted(m.title_en for m in made) == [
            "Merge 1 duplicate customer records", "Win back the 1 customers at risk of leaving"]
        assert all(m.title_fa for m in made)
        profile = db.session.scalar(select(DataProfile))
        assert {m.origin_ref for m in made} == {f"{profile.id}:duplicates",
                                                f"{profile.id}:at_risk"}
    roadmap = client.get(f"/assessments/{assessment_id}/roadmap").get_data(as_text=True)
    assert "Merge 1 duplicate customer records" in roadmap
    assert "on the roadmap" in client.get(result_url).get_data(as_text=True)


def test_the_measured_level_is_set_beside_the_answers(app: Flask, signed_in: Signed) -> None:
    client, world, user_id = signed_in
    client_id = _client_of(world, user_id)
    world.answered(client_id, "5", complete=True, title="All fives")
    done = _measure(client, app, client_id, [(CUSTOMERS.encode(), "c.csv")])
    html = client.get(done.headers["Location"]).get_data(as_text=True)
    assert 'data-testid="level-differs"' in html
    assert "All fives" in html


def test_results_in_persian_are_persian(app: Flask, signed_in: Signed) -> None:
    client, world, user_id = signed_in
    client_id = _client_of(world, user_id)
    done = _measure(client, app, client_id, [(CUSTOMERS.encode(), "c.csv"),
                                             (SALES.encode(), "s.csv")])
    client.get("/language/fa")
    html = client.get(done.headers["Location"]).get_data(as_text=True)
    text = unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style)\b.*?</\1>", " ", html,
                                                   flags=re.S)))
    assert "هرم مشتری" in text
    # the language switch and the account name are not the page's words
    assert foreign_in_persian(text, ["Acme Trading", "RFM", "CRM", "English", "ana"]) == []


def test_nothing_from_the_files_is_kept_anywhere(app: Flask, signed_in: Signed,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    from assessment.printing.report import build_html
    from assessment.tables import Assessment

    caplog.set_level(logging.DEBUG)
    client, world, user_id = signed_in
    client_id = _client_of(world, user_id)
    assessment_id = world.answered(client_id, "3", complete=True)
    world.roadmap(assessment_id, "gartner", starts_on=date(2026, 1, 1))
    done = _measure(client, app, client_id, [(CUSTOMERS.encode(), "c.csv"),
                                             (_xlsx(SALES), "s.xlsx")])
    result = client.get(done.headers["Location"]).get_data(as_text=True)
    client.post(done.headers["Location"] + "/milestones",
                data={"proposal": ["duplicates", "missing_email", "at_risk"]})
    roadmap = client.get(f"/assessments/{assessment_id}/roadmap").get_data(as_text=True)
    # an error and a time-out leave nothing either
    _upload(client, client_id, [(b"Customer code,Name\nC1,Khosrow Parvizian,x,y\n", "b.csv")])
    waiting = _upload(client, client_id, [(CUSTOMERS.encode(), "c.csv")])
    app.config["DATA_TIMEOUT"] = 0.001
    client.post(waiting.headers["Location"], data={})
    assert _uploads(app) == []
    with app.app_context():
        assessment = db.session.get(Assessment, assessment_id)
        reports = [build_html(assessment, lang) for lang in ("en", "fa")]
        db.session.commit()
        db.engine.dispose()
    written = [path.read_bytes() for path in Path(app.instance_path).rglob("*")
               if path.is_file()]
    assert any(path.name.endswith(".sqlite3") for path in Path(app.instance_path).rglob("*"))
    texts = [result, roadmap, caplog.text, *reports]
    for value in SECRET_VALUES:
        for raw in written:
            assert value.encode() not in raw
            assert value.encode("utf-16-le") not in raw
        for text in texts:
            assert value not in text


def test_proposals_rules() -> None:
    base = {"customers": 1000, "window_months": 12, "rfm": None,
            "quality": {"duplicates": 5, "fields": {
                "mobile": {"filled": 0.95, "valid": 0.95},
                "email": {"filled": 0.62, "valid": 0.60},
                "national_id": {"filled": 0.5, "valid": 0.4}},
                "freshness": {"active_in_window": None}}}
    keys = [p.key for p in propose(base)]
    # 5 duplicates of 1,000 is 0.5%: not over; 5% without a mobile: under 10%
    assert keys == ["missing_email", "invalid_email", "invalid_national_id"]
    titles = {p.key: p.title for p in propose(base)}
    assert titles["missing_email"].en == ("Collect e-mail addresses for the 38% of customers "
                                          "without one")
    assert titles["missing_email"].fa.startswith("گردآوری نشانی ایمیل برای ۳۸٪")
    assert titles["invalid_national_id"].en == ("Correct the 100 national ids that fail the "
                                                "check digit")
    worse = {**base, "customers": 100_000, "rfm": {"at_risk_of_leaving": {"customers": 212}},
             "quality": {**base["quality"], "duplicates": 12_400,  # type: ignore[dict-item]
                         "fields": {"name": {"filled": 1, "valid": 1}},
                         "freshness": {"active_in_window": 0.25}}}
    proposals = propose(worse)
    assert [p.key for p in proposals] == ["duplicates", "no_mobile", "dormant", "at_risk"]
    assert proposals[0].title.en == "Merge 12,400 duplicate customer records"
    assert proposals[0].title.fa == "ادغام ۱۲٬۴۰۰ رکورد تکراری مشتری"
    assert proposals[2].title.en == ("Review the 75,000 customer records with no purchase "
                                     "in the last 12 months")
    assert proposals[3].title.en == "Win back the 212 customers at risk of leaving"
    assert [p.stage for p in proposals] == ["data", "data", "data", "process"]
    assert propose({"customers": 0, "quality": {"fields": {}}}) == []
