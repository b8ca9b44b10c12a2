"""Malformed input on every operation of the OpenAPI document: always a JSON 4xx, never a 5xx."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
import yaml
from django.test import Client

pytestmark = pytest.mark.django_db

WEIRD_VALUES = [
    "",
    "abc",
    "-1",
    "0",
    "99999999999999999999",
    "\x00",
    "é" * 5000,
    "'; DROP TABLE x; --",
    "[]",
    "{}",
    "null",
    "true",
    "../../etc/passwd",
]
WEIRD_BODIES = [
    "",
    "null",
    "[]",
    '"text"',
    "123",
    "{",
    '{"name": null}',
    '{"name": "\\u0000"}',
    '{"units": [null]}',
    '{"units": [{"a": 1}]}',
    '{"version": "x"}',
    '{"kind": ["school"]}',
    '{"name": "' + "x" * 10000 + '", "kind": "school", "units": ["MD-CU-BOT"]}',
    '{"parent": "abc", "name": "n", "kind": "school", "units": ["MD-CU-BOT"]}',
    '{"username": 5, "password": null, "otp": []}',
]


# Ending the token the test signs in with would leave every later operation answering 401 to a
# stranger instead of being tried by the persona; revocation has its own tests (accounts).
ENDS_OWN_TOKEN = {"/api/v1/auth/token/revoke/"}


@pytest.fixture(scope="module")
def operations():
    """The schema's operations, read once for the module's four personas (the schema is the same
    for everyone and reads no data)."""
    document = yaml.safe_load(Client().get("/api/schema/").content)
    result = []
    for path, item in document["paths"].items():
        if path in ENDS_OWN_TOKEN:
            continue
        for method, operation in item.items():
            params = [p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"]
            result.append((method, path, params, "requestBody" in operation))
    return result


def _paths(path: str) -> list[str]:
    if "{id}" not in path:
        return [path]
    return [
        path.replace("{id}", value)
        for value in ["1", "999999999", "99999999999999999999", "abc", "-1"]
    ]


@pytest.mark.parametrize("persona", ["admin", "auditor", "specialist", None])
def test_no_server_error_on_any_operation(operations, personas, institutions, mfa_off, persona):
    client = Client(raise_request_exception=False)
    headers: dict[str, Any] = {}
    if persona:
        token = client.post(
            "/api/v1/auth/token/",
            {"username": persona, "password": "correct-horse-battery-staple"},
            content_type="application/json",
        ).json()["token"]
        headers["HTTP_AUTHORIZATION"] = f"Token {token}"
    checked = 0
    for method, path, params, has_body in operations:
        for url in _paths(path):
            if method == "get":
                for name, value in itertools.product(params or ["page"], WEIRD_VALUES):
                    response = client.get(url, {name: value}, **headers)
                    assert response.status_code < 500, (method, url, name, value)
                    checked += 1
            else:
                for body in WEIRD_BODIES:
                    response = getattr(client, method)(
                        url, body, content_type="application/json", **headers
                    )
                    assert response.status_code < 500, (method, url, body[:60])
                    assert response["Content-Type"].startswith("application/json"), (method, url)
                    checked += 1
                response = getattr(client, method)(
                    url, "a=b", content_type="application/x-www-form-urlencoded", **headers
                )
                if has_body:
                    assert response.status_code in (401, 403, 404, 405, 415), (method, url)
                else:
                    assert response.status_code < 500, (method, url)
    assert checked > 100
