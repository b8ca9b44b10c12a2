"""Institutions API, tested for every persona: who may see and change what, and that refusals change nothing."""

from __future__ import annotations

import pytest

from ocrotire.accounts.models import Institution
from ocrotire.core.models import AuditEvent

pytestmark = pytest.mark.django_db

URL = "/api/v1/institutions/"


def _abbrevs(response) -> set[str]:
    return {row["abbreviation"] for row in response.json()["results"]}


@pytest.mark.parametrize(
    ("persona", "visible", "hidden"),
    [
        ("specialist", {"DGPDC", "DGPDC-BOT", "SCH-BOT", "IGP"}, {"DGPDC-CEN", "SCH-CEN", "SSD"}),
        ("specialist2", {"DGPDC", "DGPDC-CEN", "SCH-CEN", "IGP"}, {"DGPDC-BOT", "SCH-BOT", "SSD"}),
        ("supervisor", {"DGPDC", "DGPDC-BOT", "DGPDC-CEN", "SCH-BOT", "SCH-CEN", "IGP"}, {"SSD"}),
        ("admin", {"DGPDC", "DGPDC-BOT", "DGPDC-CEN", "SCH-BOT", "SCH-CEN", "IGP", "SSD"}, set()),
        ("specialist_ua", {"SSD"}, {"DGPDC", "DGPDC-BOT", "IGP"}),
        ("reporter", {"SCH-BOT", "DGPDC-BOT", "DGPDC"}, {"SCH-CEN", "DGPDC-CEN"}),
    ],
)
def test_list_is_scoped(api, personas, persona, visible, hidden):
    response = api(personas[persona]).get(URL, {"page_size": 500})
    assert response.status_code == 200
    seen = _abbrevs(response)
    assert visible <= seen
    assert not (hidden & seen)


@pytest.mark.parametrize(
    ("persona", "target", "status"),
    [
        ("specialist", "SCH-BOT", 200),
        ("specialist", "SCH-CEN", 404),
        ("specialist2", "SCH-BOT", 404),
        ("supervisor", "SCH-CEN", 200),
        ("specialist_ua", "DGPDC", 404),
        ("outsider", "SCH-BOT", 403),
        (None, "SCH-BOT", 401),
    ],
)
def test_detail_answers_404_for_missing_or_not_yours(
    api, personas, institutions, persona, target, status
):
    user = personas[persona] if persona else None
    response = api(user).get(f"{URL}{institutions[target].pk}/")
    assert response.status_code == status
    if status >= 400:
        assert set(response.json()["error"]) == {"code", "message", "fields"}


def test_missing_institution_is_404_like_a_hidden_one(api, personas):
    response = api(personas["supervisor"]).get(f"{URL}999999/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


PAYLOAD = {
    "name": "Gimnaziul nr. 99",
    "abbreviation": "G99",
    "kind": "school",
    "units": ["MD-CU-BOT"],
}


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("supervisor", 201),
        ("admin", 201),
        ("specialist", 403),
        ("reporter", 403),
        ("auditor", 403),
        ("outsider", 403),
        (None, 401),
    ],
)
def test_create_permissions(api, personas, persona, status):
    before_rows, before_audit = Institution.objects.count(), AuditEvent.objects.count()
    response = api(personas[persona] if persona else None).post(URL, PAYLOAD, format="json")
    assert response.status_code == status
    if status == 201:
        body = response.json()
        assert body["units"] == ["MD-CU-BOT"]
        assert body["version"] == 1
        created = Institution.objects.get(pk=body["id"])
        event = AuditEvent.objects.filter(
            object_type="accounts.institution", object_id=str(created.pk)
        ).get()
        assert event.action == "create"
        assert event.actor == personas[persona]
    else:
        assert Institution.objects.count() == before_rows
        assert AuditEvent.objects.count() == before_audit


def test_create_outside_scope_is_a_field_error_and_writes_nothing(
    api, personas, make_user, institutions
):
    supervisor_bot = make_user(
        "sup_bot", ("supervisor",), ("MD-CU-BOT",), institutions["DGPDC-BOT"]
    )
    before = Institution.objects.count()
    response = api(supervisor_bot).post(URL, {**PAYLOAD, "units": ["MD-CU-CEN"]}, format="json")
    assert response.status_code == 400
    assert "units" in response.json()["error"]["fields"]
    assert Institution.objects.count() == before


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"name": "", "kind": "school", "units": ["MD-CU-BOT"]},
        {"name": "X", "kind": "castle", "units": ["MD-CU-BOT"]},
        {"name": "X", "kind": "school", "units": []},
        {"name": "X", "kind": "school", "units": ["NOWHERE"]},
        {"name": "X" * 301, "kind": "school", "units": ["MD-CU-BOT"]},
        {"name": "X", "kind": "school", "units": "MD-CU-BOT"},
        {"name": "X", "kind": "school", "units": ["MD-CU-BOT", "UA-74"]},
    ],
)
def test_bad_input_gets_field_errors_and_no_record(api, personas, payload):
    before = Institution.objects.count()
    response = api(personas["admin"]).post(URL, payload, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["fields"]
    assert Institution.objects.count() == before


def test_malformed_json_is_a_json_400(api, personas):
    response = api(personas["admin"]).post(URL, "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"


def test_idempotency_key_returns_the_first_result(api, personas):
    client = api(personas["supervisor"])
    first = client.post(URL, PAYLOAD, format="json", HTTP_IDEMPOTENCY_KEY="abc-1")
    second = client.post(URL, PAYLOAD, format="json", HTTP_IDEMPOTENCY_KEY="abc-1")
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert Institution.objects.filter(abbreviation="G99").count() == 1
    reused = client.post(
        URL, {**PAYLOAD, "name": "Other"}, format="json", HTTP_IDEMPOTENCY_KEY="abc-1"
    )
    assert reused.status_code == 422
    assert Institution.objects.filter(abbreviation="G99").count() == 1


def test_update_detects_concurrent_edit(api, personas, institutions):
    school = institutions["SCH-BOT"]
    client = api(personas["supervisor"])
    ok = client.patch(
        f"{URL}{school.pk}/", {"version": 1, "name": "Școala nr. 1 Botanica"}, format="json"
    )
    assert ok.status_code == 200
    assert ok.json()["version"] == 2
    stale = client.patch(f"{URL}{school.pk}/", {"version": 1, "name": "Overwrite"}, format="json")
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "conflict"
    school.refresh_from_db()
    assert school.name == "Școala nr. 1 Botanica"
    event = AuditEvent.objects.filter(
        object_type="accounts.institution", object_id=str(school.pk), action="update"
    ).get()
    assert event.changes["name"] == ["Școala Botanica", "Școala nr. 1 Botanica"]


@pytest.mark.parametrize(
    ("persona", "status"), [("specialist", 403), ("specialist2", 404), ("outsider", 403)]
)
def test_update_refused_changes_nothing(api, personas, institutions, persona, status):
    school = institutions["SCH-BOT"]
    before_audit = AuditEvent.objects.count()
    response = api(personas[persona]).patch(
        f"{URL}{school.pk}/", {"version": 1, "name": "Hacked"}, format="json"
    )
    assert response.status_code == status
    school.refresh_from_db()
    assert school.name == "Școala Botanica"
    assert school.version == 1
    assert AuditEvent.objects.count() == before_audit
