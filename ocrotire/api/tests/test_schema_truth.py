"""The OpenAPI document says what the API answers (issue 18, item 9): plain lists as lists,
nullable fields nullable, the transfer's two answers, the error answers of every operation, and
page sizes refused rather than silently changed. Answers are checked against the document
itself."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from openapi_schema_validator import OAS30Validator

from ocrotire.cases.tests.test_api import report_body

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def document(django_db_blocker: Any) -> dict[str, Any]:
    from django.test import Client

    with django_db_blocker.unblock():
        response = Client().get("/api/schema/")
    assert response.status_code == 200
    loaded: dict[str, Any] = yaml.safe_load(response.content)
    return loaded


def answer_schema(document: dict[str, Any], path: str, method: str, status: int) -> Any:
    response = document["paths"][path][method]["responses"][str(status)]
    return response["content"]["application/json"]["schema"]


def conforms(document: dict[str, Any], path: str, method: str, status: int, body: Any) -> None:
    """Fails when `body` contradicts what the document says `path` answers with `status`."""
    schema = {
        **answer_schema(document, path, method, status),
        "components": document["components"],
    }
    OAS30Validator(schema, format_checker=OAS30Validator.FORMAT_CHECKER).validate(body)


def resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = document["components"]["schemas"][name]
    return schema


@pytest.mark.parametrize("size", ["0", "-1", "501", "100000", "abc", "1.5", "٣"])
def test_a_page_size_outside_1_to_500_is_refused(
    api: Any, personas: dict[str, Any], territory: Any, size: str, document: dict[str, Any]
) -> None:
    response = api(personas["supervisor"]).get("/api/v1/units/", {"page_size": size})
    assert response.status_code == 400
    assert "page_size" in response.json()["error"]["fields"]
    conforms(document, "/api/v1/units/", "get", 400, response.json())


def test_page_sizes_from_1_to_500_are_served_and_documented(
    api: Any, personas: dict[str, Any], territory: Any, document: dict[str, Any]
) -> None:
    client = api(personas["supervisor"])
    assert len(client.get("/api/v1/units/", {"page_size": 1}).json()["results"]) == 1
    assert client.get("/api/v1/units/", {"page_size": 500}).status_code == 200
    [parameter] = [
        p
        for p in document["paths"]["/api/v1/units/"]["get"]["parameters"]
        if p["name"] == "page_size"
    ]
    assert parameter["schema"]["minimum"] == 1
    assert parameter["schema"]["maximum"] == 500


def test_every_operation_documents_its_error_answers(document: dict[str, Any]) -> None:
    error = document["components"]["schemas"]["Error"]
    assert error["properties"]["error"]["required"] == ["code", "message", "fields"]
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            codes = {"400", "401", "403", "404"}
            if method in {"post", "put", "patch", "delete"} and operation.get("security"):
                codes |= {"409", "422"}
            for code in codes:
                answer = operation["responses"].get(code)
                assert answer is not None, (method, path, code)
                assert "Error" in str(answer), (method, path, code)
    token = document["paths"]["/api/v1/auth/token/"]["post"]["responses"]
    assert "401" in token
    assert "409" not in token


def test_the_live_match_is_a_plain_list(
    api: Any, personas: dict[str, Any], casework: None, document: dict[str, Any]
) -> None:
    client = api(personas["specialist"])
    client.post("/api/v1/reports/", report_body(), format="json")
    response = client.post(
        "/api/v1/persons/match/",
        {"given_name": "Ion", "family_name": "Rusu", "birth_date": "2015-03-02"},
        format="json",
    )
    assert response.status_code == 200
    assert isinstance(response.json(), list)
    assert response.json()
    assert answer_schema(document, "/api/v1/persons/match/", "post", 200)["type"] == "array"
    conforms(document, "/api/v1/persons/match/", "post", 200, response.json())
    parameters = document["paths"]["/api/v1/persons/match/"]["post"].get("parameters", [])
    assert not [p for p in parameters if p["name"] in ("page", "page_size")]


def test_relationships_are_a_plain_list(
    api: Any, personas: dict[str, Any], casework: None, document: dict[str, Any]
) -> None:
    client = api(personas["specialist"])
    report = client.post(
        "/api/v1/reports/",
        report_body(
            children=[
                {
                    "given_name": "Ion",
                    "family_name": "Rusu",
                    "sex": "M",
                    "birth_date": "2015-03-02",
                },
                {
                    "given_name": "Ana",
                    "family_name": "Rusu",
                    "sex": "F",
                    "birth_date": "2013-04-02",
                },
            ]
        ),
        format="json",
    ).json()
    first, second = (child["person"] for child in report["children"])
    added = client.post(
        f"/api/v1/persons/{first}/relationships/",
        {"related": second, "kind": "sibling"},
        format="json",
    )
    assert added.status_code == 201, added.json()
    response = client.get(f"/api/v1/persons/{first}/relationships/")
    assert response.status_code == 200
    assert isinstance(response.json(), list)
    assert len(response.json()) == 1
    path = "/api/v1/persons/{id}/relationships/"
    assert answer_schema(document, path, "get", 200)["type"] == "array"
    conforms(document, path, "get", 200, response.json())


def test_fields_that_can_be_empty_are_nullable(
    api: Any, personas: dict[str, Any], casework: None, document: dict[str, Any]
) -> None:
    """A report with no most serious form answers null there, as the document says."""
    client = api(personas["specialist"])
    created = client.post(
        "/api/v1/reports/",
        report_body(concerns=["neglect"], most_serious=""),
        format="json",
    )
    assert created.status_code == 201, created.json()
    listed = client.get("/api/v1/reports/").json()
    assert any(row["most_serious"] is None for row in listed["results"])
    conforms(document, "/api/v1/reports/", "get", 200, listed)
    report = resolve(document, {"$ref": "#/components/schemas/ReportOutput"})
    assert report["properties"]["most_serious"]["nullable"] is True
    person = resolve(document, {"$ref": "#/components/schemas/PersonOutput"})
    assert person["properties"]["unit"]["nullable"] is True


def test_the_transfer_answer_is_documented_both_ways(
    api: Any, personas: dict[str, Any], casework: None, document: dict[str, Any]
) -> None:
    """Within the reader's area the answer is the case; out of it, only what was done."""
    client = api(personas["specialist"])
    report = client.post("/api/v1/reports/", report_body(), format="json").json()
    triaged = client.post(
        f"/api/v1/reports/{report['id']}/triage/",
        {"decision": "open_case", "reason": "Injuries seen by the school", "risk_level": "high"},
        format="json",
    )
    case_id = triaged.json()["cases"][0]["id"]
    response = client.post(
        f"/api/v1/cases/{case_id}/transfer/",
        {"unit": "MD-CU-CEN", "reason": "The family moved to Centru"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["transferred"] is True
    path = "/api/v1/cases/{id}/transfer/"
    conforms(document, path, "post", 200, response.json())
    shapes = resolve(document, answer_schema(document, path, "post", 200))["oneOf"]
    assert len(shapes) == 2
