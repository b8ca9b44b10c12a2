"""The v1 contract of SPEC §3: error shape, pagination, health check, schema."""

from __future__ import annotations

import pytest
import yaml
from openapi_spec_validator import validate

pytestmark = pytest.mark.django_db


def test_healthz(client):
    from django.core.management import call_command

    call_command("deadlines_watch")  # the watcher's round that /healthz reports
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["degraded"] == []
    assert body["watcher"]["last_round"] is not None
    assert body["queue"] == {"oldest_age_seconds": None}


@pytest.mark.parametrize(
    "url", ["/api/v1/me/", "/api/v1/units/", "/api/v1/institutions/", "/api/v1/audit/"]
)
def test_unauthenticated_requests_get_json_401(client, url):
    response = client.get(url)
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert set(response.json()["error"]) == {"code", "message", "fields"}


def test_unknown_api_path_is_json_404(client):
    response = client.get("/api/v1/does-not-exist/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_pagination_shape_and_page_size_cap(api, personas, territory):
    client = api(personas["supervisor"])
    body = client.get("/api/v1/units/", {"page_size": 2}).json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert len(body["results"]) == 2
    assert body["count"] == len(territory)
    # Over 500 is refused, not silently cut (issue 18): test_schema_truth.py.
    assert client.get("/api/v1/units/", {"page_size": 100000}).status_code == 400
    bad = client.get("/api/v1/units/", {"page": 999})
    assert bad.status_code == 404
    assert bad.json()["error"]["code"] == "not_found"


def test_openapi_schema_is_valid(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    document = yaml.safe_load(response.content)
    validate(document)
    paths = document["paths"]
    for path in [
        "/api/v1/auth/token/",
        "/api/v1/me/",
        "/api/v1/units/",
        "/api/v1/institutions/",
        "/api/v1/institutions/{id}/",
        "/api/v1/audit/",
    ]:
        assert path in paths, path


def test_api_docs_page_uses_local_assets(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert "cdn" not in html.lower()
    assert "https://" not in html


def test_schema_generates_without_warnings(tmp_path):
    from django.core.management import call_command

    call_command(
        "spectacular", "--fail-on-warn", "--validate", "--file", str(tmp_path / "schema.yaml")
    )
