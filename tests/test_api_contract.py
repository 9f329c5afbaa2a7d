"""The OpenAPI document against the app: same routes, real responses fit, and fuzzing."""

from __future__ import annotations

import re
from typing import Any

import jsonschema
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from werkzeug.test import TestResponse

from .conftest import World
from .test_api import Q, make_token

PREFIX = "/api/v1"
BIG_LIMITS = {key: "100000/minute" for key in (
    "API_RATELIMIT_SAVE", "API_RATELIMIT_JOIN", "API_RATELIMIT_JOIN_MISS",
    "API_RATELIMIT_CONSULTANT")}


def document(client: FlaskClient) -> dict[str, Any]:
    response = client.get(f"{PREFIX}/openapi.json")
    assert response.status_code == 200
    result: dict[str, Any] = response.get_json()
    return result


def openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[^:>]+:)?(\w+)>", r"{\1}", rule)


def test_the_document_and_the_routes_are_the_same(app: Flask, client: FlaskClient) -> None:
    doc = document(client)
    assert doc["openapi"].startswith("3.1")
    documented = {(path, method.upper()) for path, item in doc["paths"].items()
                  for method in item}
    routed = {(openapi_path(rule.rule), method) for rule in app.url_map.iter_rules()
              if rule.rule.startswith(PREFIX + "/")
              for method in rule.methods or () if method not in ("HEAD", "OPTIONS")}
    assert documented == routed
    assert len(routed) == 11
    assert doc["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http", "scheme": "bearer",
        "description": doc["components"]["securitySchemes"]["bearerAuth"]["description"]}
    for path, item in doc["paths"].items():
        for method, op in item.items():
            names = re.findall(r"{(\w+)}", path)
            assert [p["name"] for p in op.get("parameters", [])] == names, (path, method)
            if op["security"]:
                assert "401" in op["responses"], (path, method)
            if "requestBody" in op:
                assert {"400", "413"} <= set(op["responses"]), (path, method)


def test_the_document_describes_the_scores_of_rules_version_2(client: FlaskClient) -> None:
    schemas = document(client)["components"]["schemas"]
    score = schemas["AssessmentScore"]
    alias = score["properties"]["readiness_index"]
    assert alias["deprecated"] is True
    assert "maturity_index" in alias["description"]
    assert {"maturity_index", "readiness_index", "self_reported", "further"} <= set(
        score["required"])
    assert "self_reported" in score["properties"]["confidence"]["enum"]
    readiness = schemas["ModelScore"]["properties"]["readiness"]
    assert readiness["$ref"].endswith("/Readiness")
    assert schemas["Readiness"]["properties"]["verdict"]["enum"] == [
        "ready", "conditional", "not_ready"]
    assert {"code", "text"} <= set(schemas["Reason"]["required"])
    question = schemas["QuestionScore"]
    assert {"uncertain", "unknown_share", "applicable"} <= set(question["required"])
    assert "description" in question["properties"]["uncertain"]
    stage = schemas["StageScore"]
    assert {"uncertain_questions", "unknown_share"} <= set(stage["required"])
    assert "levels" in stage["properties"]["gap"]["description"]
    model_stage = schemas["ModelStageScore"]["properties"]
    assert "question_ids" in model_stage
    assert "maps_to" not in model_stage


def test_the_document_describes_what_each_level_means(client: FlaskClient) -> None:
    schemas = document(client)["components"]["schemas"]
    question = schemas["QuestionOut"]
    assert {"levels", "scale", "informs"} <= set(question["required"])
    levels = question["properties"]["levels"]
    # every question describes its levels (the catalogue requires them): never null
    assert levels.get("$ref", "").endswith("/LevelTexts") or levels["allOf"] == [
        {"$ref": "#/components/schemas/LevelTexts"}], levels
    assert "anyOf" not in levels
    assert "description" in levels
    texts = schemas["LevelTexts"]
    assert texts["required"] == ["0", "1", "2", "3", "4", "5"]
    assert texts["additionalProperties"] is False
    assert texts["properties"]["3"] == {"$ref": "#/components/schemas/Localized"}
    scale = schemas["ScaleOut"]
    assert set(scale["required"]) == {"id", "name", "level_names"}
    assert scale["properties"]["level_names"]["$ref"].endswith("/LevelTexts")
    informs = question["properties"]["informs"]
    assert informs["type"] == "array"
    assert re.fullmatch(informs["items"]["pattern"], "gartner.vision")
    assert not re.fullmatch(informs["items"]["pattern"], "gartner")


class Contract:
    """Sends requests and checks each response against the document's schema for it."""

    def __init__(self, client: FlaskClient, doc: dict[str, Any]):
        self.client = client
        self.doc = doc
        self.seen: set[tuple[str, str, str]] = set()

    def __call__(self, method: str, template: str, path: str, *, token: str | None = None,
                 json: Any = None, data: Any = None) -> TestResponse:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        kwargs: dict[str, Any] = {"headers": headers}
        if data is not None:
            kwargs["data"] = data
        elif json is not None:
            kwargs["json"] = json
        response = self.client.open(PREFIX + path, method=method, **kwargs)
        operation = self.doc["paths"][PREFIX + template][method.lower()]
        status = str(response.status_code)
        assert status in operation["responses"], (method, path, status, response.get_json())
        spec = operation["responses"][status]
        assert response.mimetype == "application/json"
        schema = {**spec["content"]["application/json"]["schema"],
                  "components": self.doc["components"]}
        jsonschema.validate(response.get_json(), schema, cls=jsonschema.Draft202012Validator,
                            format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
        for name in spec.get("headers", {}):
            assert name in response.headers, (method, path, name)
        self.seen.add((method, template, status))
        return response


def test_real_responses_fit_the_document(app: Flask, client: FlaskClient,
                                         world: World) -> None:
    app.config["API_RATELIMIT_SAVE"] = "20/minute"
    doc = document(client)
    call = Contract(client, doc)
    token = make_token(world, world.user())
    other = make_token(world, world.user("bo@example.com"))

    call("GET", "/openapi.json", "/openapi.json")
    call("GET", "/clients", "/clients", token=token)
    client_id = call("POST", "/clients", "/clients", token=token,
                     json={"name": "Acme", "sector": "Retail"}).get_json()["id"]
    call("POST", "/clients", "/clients", token=token, json={"name": ""})
    call("POST", "/clients", "/clients", token=token, json={"name": "A", "notes": "x" * 70_000})
    call("GET", "/clients", "/clients")
    call("GET", "/clients", "/clients", token="wrong")
    aid = call("POST", "/assessments", "/assessments", token=token,
               json={"client_id": client_id, "questionnaire": "executive"}).get_json()["id"]
    call("POST", "/assessments", "/assessments", token=token,
         json={"client_id": client_id, "questionnaire": "nope"})
    call("POST", "/assessments", "/assessments", token=other,
         json={"client_id": client_id, "questionnaire": "executive"})
    call("GET", "/clients", "/clients", token=token)
    questions = "/assessments/{assessment_id}/questions"
    call("GET", questions, f"/assessments/{aid}/questions", token=token)
    call("GET", questions, f"/assessments/{aid}/questions", token=other)
    workshop = "/assessments/{assessment_id}/workshop"
    code = call("POST", workshop, f"/assessments/{aid}/workshop", token=token,
                json={"named": True}).get_json()["code"]
    call("POST", workshop, f"/assessments/{aid}/workshop", token=token)
    call("POST", workshop, f"/assessments/{aid}/workshop", token=token, json={"named": 1})
    joining = "/workshops/{code}/participants"
    participant = call("POST", joining, f"/workshops/{code}/participants",
                       json={"name": "Sara", "role": "sales"}).get_json()["token"]
    call("POST", joining, "/workshops/NOCODE/participants")
    call("POST", joining, f"/workshops/{code}/participants", json={"role": "chef"})
    call("GET", "/participants/{token}/questions", f"/participants/{participant}/questions")
    put = "/participants/{token}/answers/{question_id}"
    call("PUT", put, f"/participants/{participant}/answers/{Q}",
         json={"value": 4, "comment": "We have a one-page vision"})
    call("PUT", put, f"/participants/{participant}/answers/exec.data.02", json={"value": "na"})
    call("PUT", put, f"/participants/{participant}/answers/{Q}", json={"value": 9})
    call("PUT", put, f"/participants/{participant}/answers/nope.nope", json={"value": 1})
    call("PUT", put, f"/participants/unknown/answers/{Q}", json={"value": 1})
    call("GET", "/participants/{token}/answers", f"/participants/{participant}/answers")
    call("GET", "/participants/{token}/answers", "/participants/unknown/answers")
    call("GET", "/assessments/{assessment_id}/scores", f"/assessments/{aid}/scores",
         token=token)
    call("GET", "/assessments/{assessment_id}/scores", f"/assessments/{aid}/scores",
         token=other)
    from sqlalchemy import select

    from assessment.tables import Workshop
    from assessment.workshop.operations import close_workshop

    def close(session: Any) -> None:
        close_workshop(session.scalar(select(Workshop)))
        session.commit()

    world.query(close)
    call("PUT", put, f"/participants/{participant}/answers/{Q}", json={"value": 1})
    call("POST", joining, f"/workshops/{code}/participants")
    app.config["API_RATELIMIT_SAVE"] = "1/minute"
    call("GET", "/participants/{token}/answers", f"/participants/{participant}/answers")
    call("GET", "/participants/{token}/answers", f"/participants/{participant}/answers")

    from assessment.tables import Respondent
    from assessment.workshop.operations import remove_participant

    def remove(session: Any) -> None:
        remove_participant(session.scalar(select(Respondent).where(
            Respondent.token == participant)))
        session.commit()

    world.query(remove)
    app.config["API_RATELIMIT_SAVE"] = "20/minute"
    call("PUT", put, f"/participants/{participant}/answers/{Q}", json={"value": 1})
    call("GET", "/participants/{token}/questions", f"/participants/{participant}/questions")

    statuses = {status for _m, _t, status in call.seen}
    assert statuses == {"200", "201", "400", "401", "404", "409", "410", "413", "429"}
    documented = {(method.upper(), path.removeprefix(PREFIX)) for path, item in
                  doc["paths"].items() for method in item}
    assert {(m, t) for m, t, _s in call.seen} == documented


def test_fuzzing_finds_no_server_error_and_no_response_off_the_document(
    app: Flask, world: World
) -> None:
    import schemathesis
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        ignored_auth,
        negative_data_rejection,
        positive_data_acceptance,
        response_schema_conformance,
        status_code_conformance,
    )

    app.config.update(BIG_LIMITS)
    token = make_token(world, world.user())
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    client_id = client.post(f"{PREFIX}/clients", json={"name": "Acme"},
                            headers=headers).get_json()["id"]
    aid = client.post(f"{PREFIX}/assessments", json={"client_id": client_id,
                                                     "questionnaire": "executive"},
                      headers=headers).get_json()["id"]
    code = client.post(f"{PREFIX}/assessments/{aid}/workshop",
                       headers=headers).get_json()["code"]
    participant = client.post(f"{PREFIX}/workshops/{code}/participants").get_json()["token"]
    real = {"assessment_id": aid, "code": code, "token": participant, "question_id": Q}

    def with_real_ids(case: Any) -> Any:
        """Positive cases that also name things that exist, to reach the success paths."""
        if isinstance(case.body, dict) and "client_id" in case.body:
            case.body["client_id"] = client_id
        return case

    schema = schemathesis.openapi.from_wsgi(f"{PREFIX}/openapi.json", app)
    checks = [schemathesis.checks.not_a_server_error, status_code_conformance,
              content_type_conformance, response_schema_conformance,
              positive_data_acceptance, negative_data_rejection, ignored_auth]
    operations = [result.ok() for result in schema.get_all_operations()]
    seen: dict[str, set[int]] = {}
    assert len(operations) >= 10  # schemathesis leaves out the document itself

    for operation in operations:
        names = [p.name for p in operation.path_parameters]
        variants: list[tuple[schemathesis.GenerationMode, dict[str, Any]]] = [
            (schemathesis.GenerationMode.POSITIVE, {}),
            (schemathesis.GenerationMode.NEGATIVE, {})]
        if names:
            variants.append((schemathesis.GenerationMode.POSITIVE,
                             {name: real[name] for name in names}))
        for mode, fixed in variants:
            strategy = operation.as_strategy(generation_mode=mode, path_parameters=fixed or None)
            if mode is schemathesis.GenerationMode.POSITIVE:
                strategy = strategy.map(with_real_ids)

            @given(case=strategy)
            @settings(max_examples=6, deadline=None, database=None, derandomize=True,
                      suppress_health_check=list(HealthCheck))
            def run(case: Any) -> None:
                response = case.call_and_validate(headers=headers, checks=checks)
                seen.setdefault(case.operation.label, set()).add(response.status_code)

            run()
    # The fuzzing reached every operation, and got past validation to a success on each.
    assert len(seen) == len(operations)
    for label, statuses in seen.items():
        assert statuses & {200, 201}, (label, statuses)
