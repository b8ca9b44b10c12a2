"""Every endpoint and page × every persona: the status each gets, and that refused writes change nothing."""

from __future__ import annotations

from typing import Any

import pytest

from ocrotire.accounts.models import Institution, User
from ocrotire.core.models import AuditEvent
from ocrotire.core.tests.world import World
from ocrotire.geo.models import Unit

# The personas, the person and the case are made once for the module (`_world_then_db`), before
# each test's own transaction; each test rolls back what it wrote. `db` is asked for here rather
# than with the `django_db` mark, whose fixture would open the test's transaction before the data.
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

# (method, path template) → expected status per persona, in PERSONAS order.
# {bot} is an institution serving Botanica only; {unit} is the Botanica sector.
API_MATRIX = {
    ("get", "/api/v1/me/"): [200, 200, 200, 403, 401, 200, 200, 200],
    ("get", "/api/v1/units/"): [200, 200, 200, 403, 401, 200, 200, 200],
    ("get", "/api/v1/units/{unit}/"): [200, 200, 200, 403, 401, 200, 200, 200],
    ("get", "/api/v1/institutions/"): [200, 200, 200, 403, 401, 200, 200, 200],
    ("get", "/api/v1/institutions/{bot}/"): [200, 404, 200, 403, 401, 404, 200, 200],
    ("get", "/api/v1/audit/"): [403, 403, 403, 403, 401, 200, 403, 403],
    ("post", "/api/v1/institutions/"): [403, 403, 201, 403, 401, 403, 201, 403],
    ("patch", "/api/v1/institutions/{bot}/"): [403, 404, 200, 403, 401, 404, 200, 403],
    ("get", "/api/v1/persons/"): [200, 200, 200, 403, 401, 403, 200, 403],
    ("get", "/api/v1/persons/{person}/"): [200, 404, 200, 403, 401, 403, 200, 403],
    ("post", "/api/v1/persons/"): [201, 201, 201, 403, 401, 403, 201, 403],
    ("patch", "/api/v1/persons/{person}/"): [200, 404, 200, 403, 401, 403, 200, 403],
    ("post", "/api/v1/persons/match/"): [200, 200, 200, 403, 401, 403, 200, 403],
    ("get", "/api/v1/duplicates/"): [200, 200, 200, 403, 401, 403, 200, 403],
    ("post", "/api/v1/dedup-runs/"): [403, 403, 202, 403, 401, 403, 202, 403],
    ("get", "/api/v1/households/"): [200, 200, 200, 403, 401, 403, 200, 403],
    ("get", "/api/v1/forms/"): [200, 200, 200, 403, 401, 200, 200, 200],
}

PAGE_MATRIX = {
    "/home/": [200, 200, 200, 200, 302, 200, 200, 200],
    "/territory/": [200, 200, 200, 403, 302, 200, 200, 200],
    "/territory/{unit}/": [200, 200, 200, 403, 302, 200, 200, 200],
    "/accounts/institutions/": [200, 200, 200, 403, 302, 200, 200, 200],
    "/accounts/institutions/{bot}/": [200, 404, 200, 403, 302, 404, 200, 200],
    "/accounts/institutions/new/": [403, 403, 200, 403, 302, 403, 200, 403],
    "/accounts/institutions/{bot}/edit/": [403, 404, 200, 403, 302, 404, 200, 403],
    "/audit/": [403, 403, 403, 403, 302, 200, 403, 403],
    "/forms/": [403, 403, 403, 403, 302, 403, 200, 403],
    "/registry/": [200, 200, 200, 403, 302, 403, 200, 403],
    "/registry/{person}/": [200, 404, 200, 403, 302, 403, 200, 403],
    "/registry/new/": [200, 200, 200, 403, 302, 403, 200, 403],
    "/registry/duplicates/": [200, 200, 200, 403, 302, 403, 200, 403],
    "/admin/": [302, 302, 302, 302, 302, 302, 200, 302],
    # {case} is a Botanica case at its initial assessment.
    "/cases/": [200, 200, 200, 403, 302, 200, 200, 200],
    "/cases/{case}/": [200, 404, 200, 403, 302, 404, 200, 404],
    "/cases/{case}/edit/": [200, 404, 200, 403, 302, 404, 200, 404],
    "/cases/{case}/file.pdf": [200, 404, 200, 403, 302, 404, 200, 404],
    "/cases/{case}/steps/visit/": [200, 404, 200, 403, 302, 404, 200, 404],
    "/cases/{case}/steps/closure_decide/": [403, 404, 200, 403, 302, 404, 200, 404],
    "/cases/{case}/steps/reassign/": [403, 404, 200, 403, 302, 404, 200, 404],
    "/cases/{case}/steps/risk_lower/": [403, 404, 200, 403, 302, 404, 200, 404],
    "/cases/board/": [403, 403, 200, 403, 302, 403, 200, 403],
    "/cases/my-work/": [200, 200, 200, 403, 302, 200, 200, 200],
    "/cases/notifications/": [200, 200, 200, 403, 302, 200, 200, 200],
    # {report} was filed in Botanica by the specialist; the reporter follows only their own.
    "/reports/": [200, 200, 200, 403, 302, 403, 200, 403],
    "/reports/new/": [200, 200, 200, 403, 302, 403, 200, 200],
    "/reports/mine/": [200, 200, 200, 403, 302, 403, 200, 200],
    "/reports/{report}/": [200, 404, 200, 403, 302, 403, 200, 404],
    "/reports/{report}/attachments/{attachment}/": [200, 404, 200, 403, 302, 403, 200, 403],
}

# Page forms that write: the status each persona gets, and nothing changes when refused.
PAGE_POST_MATRIX = {
    "/cases/{case}/steps/visit/": [302, 404, 302, 403, 302, 404, 302, 404],
    "/cases/{case}/steps/closure_propose/": [302, 404, 302, 403, 302, 404, 302, 404],
    "/cases/{case}/edit/": [302, 404, 302, 403, 302, 404, 302, 404],
    "/cases/{case}/steps/reassign/": [403, 404, 302, 403, 302, 404, 302, 404],
    "/cases/{case}/steps/risk_lower/": [403, 404, 302, 403, 302, 404, 302, 404],
}


def _cases(matrix):
    for key, statuses in matrix.items():
        for persona, status in zip(PERSONAS, statuses, strict=True):
            yield pytest.param(key, persona, status, id=f"{key}-{persona}")


def _build(*, person: bool, case: bool) -> dict[str, Any]:
    """What each test function asks for, in the order its fixtures made it when each test built
    its own: the territory, the roles, the institutions, the personas, then the person of the
    registry and the case (the pack's case work, and a case opened through the API)."""
    from ocrotire.accounts.services import roles_ensure
    from ocrotire.accounts.tests.factories import institutions_build, personas_build
    from ocrotire.cases.tests.factories import casework_load
    from ocrotire.geo.tests.factories import territory_build

    territory = territory_build()
    roles_ensure()
    institutions = institutions_build()
    personas = personas_build(institutions)
    ids: dict[str, Any] = {
        "territory": {code: unit.pk for code, unit in territory.items()},
        "institutions": {key: row.pk for key, row in institutions.items()},
        "personas": {key: user.pk for key, user in personas.items()},
    }
    if person:
        from ocrotire.registry.services import PersonInput, person_create

        ids["person"] = person_create(
            actor=personas["specialist"],
            data=PersonInput(
                given_name="Maria", family_name="Țurcanu", unit=territory["MD-CU-BOT"]
            ),
        ).pk
    if case:
        from rest_framework.test import APIClient

        from ocrotire.cases.tests.test_case_pages import open_case

        def api(user: User | None) -> APIClient:
            client = APIClient()
            client.force_authenticate(user=user)
            return client

        casework_load()
        ids["case"] = open_case(api, personas["specialist"]).pk
    return ids


@pytest.fixture(autouse=True)
def _world_then_db(request: pytest.FixtureRequest, module_world: World) -> None:
    names = request.fixturenames
    person, case = "person" in names, "case" in names
    module_world.use(("matrix", person, case), lambda: _build(person=person, case=case))
    request.getfixturevalue("db")


@pytest.fixture
def territory(module_world: World) -> dict[str, Unit]:
    ids = module_world.data["territory"]
    units = Unit.objects.in_bulk(ids.values())
    return {code: units[pk] for code, pk in ids.items()}


@pytest.fixture
def institutions(module_world: World) -> dict[str, Institution]:
    ids = module_world.data["institutions"]
    rows = Institution.objects.in_bulk(ids.values())
    return {key: rows[pk] for key, pk in ids.items()}


@pytest.fixture
def personas(module_world: World) -> dict[str, User]:
    ids = module_world.data["personas"]
    users = User.objects.in_bulk(ids.values())
    return {key: users[pk] for key, pk in ids.items()}


@pytest.fixture
def casework(module_world: World) -> None:
    """Loaded with the case of the module's data (only tests with a case use it)."""
    assert "case" in module_world.data


@pytest.fixture
def person(module_world: World) -> Any:
    from ocrotire.registry.models import Person

    return Person.objects.get(pk=module_world.data["person"])


def _snapshot(institution_pk, person_pk):
    from ocrotire.registry.models import Person

    return (
        Institution.objects.count(),
        Person.objects.count(),
        AuditEvent.objects.exclude(action="view").count(),
        Institution.objects.get(pk=institution_pk).name,
        Person.objects.get(pk=person_pk).family_name,
    )


@pytest.fixture
def case(module_world: World, mfa_off: None) -> Any:
    from ocrotire.cases.models import Case

    return Case.objects.get(pk=module_world.data["case"])


@pytest.fixture
def auditor_in_botanica_is_outside(personas):
    # The auditor persona works in Chișinău; narrow it to Centru so that it is "another unit" here.
    from ocrotire.geo.models import Unit

    personas["auditor"].units.set([Unit.objects.get(code="MD-CU-CEN")])
    personas["auditor"].institution = None
    personas["auditor"].save(update_fields=["institution"])
    return personas


@pytest.mark.parametrize(("endpoint", "persona", "status"), list(_cases(API_MATRIX)))
def test_api_matrix(
    api, auditor_in_botanica_is_outside, institutions, territory, person, endpoint, persona, status
):
    personas = auditor_in_botanica_is_outside
    method, template = endpoint
    target = institutions["SCH-BOT"]
    path = template.format(bot=target.pk, unit=territory["MD-CU-BOT"].pk, person=person.pk)
    client = api(None if persona == "anonymous" else personas[persona])
    before = _snapshot(target.pk, person.pk)
    bodies = {
        ("post", "/api/v1/institutions/"): {
            "name": "Școala nouă",
            "kind": "school",
            "units": ["MD-CU-BOT"],
        },
        ("patch", "/api/v1/institutions/{bot}/"): {"version": 1, "name": "Renamed"},
        ("post", "/api/v1/persons/"): {
            "given_name": "Ion",
            "family_name": "Rusu",
            "unit": "MD-CU-BOT",
        },
        ("patch", "/api/v1/persons/{person}/"): {"version": 1, "family_name": "Renamed"},
        ("post", "/api/v1/persons/match/"): {"given_name": "Maria", "family_name": "Turcanu"},
    }
    body = bodies.get(endpoint)
    response = (
        getattr(client, method)(path, body, format="json")
        if body
        else getattr(client, method)(path)
    )
    assert response.status_code == status
    if status >= 400:
        assert set(response.json()["error"]) == {"code", "message", "fields"}
        assert _snapshot(target.pk, person.pk) == before


@pytest.fixture
def report_with_file(request, personas, territory, settings, tmp_path):
    """A report of Botanica with one attachment; built only for the paths that name it."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from ocrotire.intake.services import ChildInput, ReportInput, attachment_add, report_create
    from ocrotire.registry.services import PersonInput

    request.getfixturevalue("casework")
    settings.MEDIA_ROOT = tmp_path
    report = report_create(
        actor=personas["specialist"],
        data=ReportInput(
            channel="phone",
            reporter_kind="citizen",
            unit=territory["MD-CU-BOT"],
            narrative="Neighbours hear a child crying every night.",
            concerns=["neglect"],
            children=[ChildInput(new=PersonInput(given_name="Ion", family_name="Rusu"))],
        ),
    )
    upload = SimpleUploadedFile("note.pdf", b"%PDF-1.4", content_type="application/pdf")
    attachment = attachment_add(actor=personas["specialist"], report=report, upload=upload)
    return report, attachment


@pytest.mark.parametrize(("template", "persona", "status"), list(_cases(PAGE_MATRIX)))
def test_page_matrix(
    request,
    person,
    case,
    client,
    mfa_off,
    auditor_in_botanica_is_outside,
    institutions,
    territory,
    template,
    persona,
    status,
):
    personas = auditor_in_botanica_is_outside
    if persona != "anonymous":
        client.force_login(personas[persona])
    ids = {}
    if "{report}" in template:
        report, attachment = request.getfixturevalue("report_with_file")
        ids = {"report": report.pk, "attachment": attachment.pk}
    path = template.format(
        bot=institutions["SCH-BOT"].pk,
        unit=territory["MD-CU-BOT"].pk,
        person=person.pk,
        case=case.pk,
        **ids,
    )
    response = client.get(path)
    assert response.status_code == status


def _case_snapshot(case):
    from ocrotire.cases.models import Case
    from ocrotire.workflow.models import TimelineEvent

    fresh = Case.objects.get(pk=case.pk)
    return (
        fresh.version,
        fresh.stage,
        fresh.risk_level,
        fresh.manager_id,
        TimelineEvent.objects.filter(case=case).count(),
        AuditEvent.objects.exclude(action="view").count(),
    )


@pytest.mark.parametrize(("template", "persona", "status"), list(_cases(PAGE_POST_MATRIX)))
def test_page_post_matrix(
    case, client, mfa_off, auditor_in_botanica_is_outside, template, persona, status
):
    personas = auditor_in_botanica_is_outside
    if persona != "anonymous":
        client.force_login(personas[persona])
    bodies = {
        "/cases/{case}/steps/visit/": {"kind": "phone", "observations": "Called the mother"},
        "/cases/{case}/steps/closure_propose/": {"reason": "not_confirmed"},
        # The case is high risk: the edit may not lower it (the supervisor's step below does).
        "/cases/{case}/edit/": {"risk_level": "high", "registration_disposition": "D-1"},
        "/cases/{case}/steps/reassign/": {
            "manager": personas["supervisor"].pk,
            "reason": "Workload",
        },
        "/cases/{case}/steps/risk_lower/": {"risk_level": "medium", "reason": "Police order"},
    }
    before = _case_snapshot(case)
    response = client.post(
        template.format(case=case.pk), {"version": case.version, **bodies[template]}
    )
    assert response.status_code == status
    if status == 302 and persona == "anonymous":
        assert "/accounts/login/" in response["Location"]
    if status != 302 or persona == "anonymous":
        assert _case_snapshot(case) == before
    else:
        assert _case_snapshot(case) != before
