"""Every report and case endpoint × every persona: the status each gets, and that a refused write
changes nothing (no report, no case change, no audit row)."""

from __future__ import annotations

from typing import Any

import pytest

from ocrotire.accounts.models import User
from ocrotire.cases.models import Case
from ocrotire.core.models import AuditEvent
from ocrotire.core.tests.world import World
from ocrotire.intake.models import Report
from ocrotire.workflow.models import DeadlineRule

# The report, the case and the rule are made once for the module (`_world_then_db`), before each
# test's own transaction; each test rolls back what it wrote. `db` is asked for here rather than
# with the `django_db` mark, whose fixture would open the test's transaction before the data.
pytestmark = pytest.mark.usefixtures("db")

PERSONAS = [
    "specialist",
    "specialist2",
    "supervisor",
    "outsider",
    "anonymous",
    "auditor",
    "admin",
    "reporter",
]

# {report} is a Botanica report awaiting triage, filed by the Botanica specialist; {case} is a
# Botanica case whose closure was proposed; {rule} is a Moldovan deadline rule.
MATRIX: dict[tuple[str, str], list[int]] = {
    ("get", "/api/v1/reports/"): [200, 200, 200, 403, 401, 403, 200, 200],
    ("post", "/api/v1/reports/"): [201, 201, 201, 403, 401, 403, 201, 201],
    ("get", "/api/v1/reports/{report}/"): [200, 404, 200, 403, 401, 404, 200, 404],
    ("post", "/api/v1/reports/{report}/triage/"): [200, 404, 200, 403, 401, 404, 200, 404],
    ("get", "/api/v1/cases/"): [200, 200, 200, 403, 401, 200, 200, 200],
    ("get", "/api/v1/cases/{case}/"): [200, 404, 200, 403, 401, 404, 200, 404],
    ("patch", "/api/v1/cases/{case}/"): [200, 404, 200, 403, 401, 404, 200, 404],
    ("get", "/api/v1/cases/{case}/file.pdf"): [200, 404, 200, 403, 401, 404, 200, 404],
    ("post", "/api/v1/cases/{case}/visits/"): [200, 404, 200, 403, 401, 404, 200, 404],
    ("post", "/api/v1/cases/{case}/closure-decision/"): [403, 404, 200, 403, 401, 404, 200, 404],
    ("post", "/api/v1/cases/{case}/reassign/"): [403, 404, 200, 403, 401, 404, 200, 404],
    ("get", "/api/v1/my-work/"): [200, 200, 200, 403, 401, 200, 200, 200],
    ("get", "/api/v1/notifications/"): [200, 200, 200, 403, 401, 200, 200, 200],
    ("get", "/api/v1/deadline-rules/"): [200, 200, 200, 403, 401, 200, 200, 200],
    ("patch", "/api/v1/deadline-rules/{rule}/"): [403, 403, 403, 403, 401, 403, 200, 403],
}


def _params() -> list[Any]:
    return [
        pytest.param(key, persona, status, id=f"{key[0]} {key[1]}-{persona}")
        for key, statuses in MATRIX.items()
        for persona, status in zip(PERSONAS, statuses, strict=True)
    ]


REPORT = {
    "channel": "phone",
    "reporter": {"kind": "citizen", "name": "Vecina"},
    "children": [{"given_name": "Ion", "family_name": "Rusu", "birth_date": "2015-03-02"}],
    "concerns": ["neglect"],
    "unit": "MD-CU-BOT",
    "narrative": "The child is left alone for days.",
}


def _build() -> dict[str, Any]:
    """The personas and the pack's case work, then the objects, as each test made them when it
    built its own."""
    from rest_framework.test import APIClient

    from ocrotire.accounts.services import roles_ensure
    from ocrotire.accounts.tests.factories import institutions_build, personas_build
    from ocrotire.cases.tests.factories import casework_load
    from ocrotire.geo.tests.factories import territory_build

    territory_build()
    roles_ensure()
    personas = personas_build(institutions_build())
    casework_load()
    specialist = APIClient()
    specialist.force_authenticate(user=personas["specialist"])
    return {
        "personas": {key: user.pk for key, user in personas.items()},
        "objects": _objects(specialist),
    }


@pytest.fixture(autouse=True)
def _world_then_db(request: pytest.FixtureRequest, module_world: World) -> None:
    module_world.use("scope-matrix", _build)
    request.getfixturevalue("db")


@pytest.fixture
def personas(module_world: World) -> dict[str, User]:
    ids = module_world.data["personas"]
    users = User.objects.in_bulk(ids.values())
    return {key: users[pk] for key, pk in ids.items()}


@pytest.fixture
def objects(module_world: World, api: Any) -> dict[str, Any]:
    return dict(module_world.data["objects"])


def _objects(specialist: Any) -> dict[str, Any]:
    report = specialist.post("/api/v1/reports/", REPORT, format="json").json()
    other = dict(
        REPORT, children=[{"given_name": "Ana", "family_name": "Popa", "birth_date": "2012-05-01"}]
    )
    to_case = specialist.post("/api/v1/reports/", other, format="json").json()
    triaged = specialist.post(
        f"/api/v1/reports/{to_case['id']}/triage/",
        {"decision": "open_case", "reason": "Neglect confirmed by neighbours", "risk_level": "low"},
        format="json",
    ).json()
    case_id = triaged["cases"][0]["id"]
    proposed = specialist.post(
        f"/api/v1/cases/{case_id}/close/", {"reason": "not_confirmed"}, format="json"
    )
    assert proposed.status_code == 200, proposed.json()
    rule = DeadlineRule.objects.get(country="MD", code="triage", active=True)
    return {"report": report["id"], "case": case_id, "rule": rule.pk}


def _snapshot(case_id: int) -> tuple[Any, ...]:
    case = Case.objects.get(pk=case_id)
    return (
        Report.objects.count(),
        case.version,
        case.stage,
        case.manager_id,
        DeadlineRule.objects.count(),
        AuditEvent.objects.exclude(action="view").count(),
    )


@pytest.mark.parametrize(("endpoint", "persona", "status"), _params())
def test_scope_matrix(
    api: Any,
    personas: dict[str, Any],
    objects: dict[str, Any],
    endpoint: Any,
    persona: str,
    status: int,
) -> None:
    method, template = endpoint
    path = template.format(**objects)
    client = api(None if persona == "anonymous" else personas[persona])
    bodies = {
        ("post", "/api/v1/reports/"): REPORT,
        ("post", "/api/v1/reports/{report}/triage/"): {
            "decision": "close",
            "reason": "Not a child-protection matter",
        },
        ("patch", "/api/v1/cases/{case}/"): {"version": 2, "registration_disposition": "D-15"},
        ("post", "/api/v1/cases/{case}/visits/"): {
            "kind": "phone",
            "observations": "Called the mother",
        },
        ("post", "/api/v1/cases/{case}/closure-decision/"): {"approve": True},
        ("post", "/api/v1/cases/{case}/reassign/"): {
            "manager": personas["specialist"].pk,
            "reason": "Workload",
        },
        ("patch", "/api/v1/deadline-rules/{rule}/"): {"offset": 2},
    }
    before = _snapshot(objects["case"])
    body = bodies.get(endpoint)
    if body is None:
        response = getattr(client, method)(path)
    else:
        response = getattr(client, method)(path, body, format="json")
    assert response.status_code == status, response.content
    if status >= 400:
        assert set(response.json()["error"]) == {"code", "message", "fields"}
        assert _snapshot(objects["case"]) == before
