"""The demo loader: every role has an account, a second run changes nothing, production refuses it."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from ocrotire.accounts.models import Institution, Role, User
from ocrotire.cases.models import Case
from ocrotire.core.audit import verify_chain
from ocrotire.core.models import AuditEvent
from ocrotire.core.tests.snapshot import demo_in_transaction
from ocrotire.demo.loader import DEMO_PASSWORD, demo_load
from ocrotire.geo.models import Unit
from ocrotire.intake.models import Report
from ocrotire.registry.models import Person
from ocrotire.workflow.models import Notification, Task, TimelineEvent

# The tests that read the demo share one load (`demo_loaded`), made before each test's own
# transaction; the others start from an empty database as before. `db` is asked for here rather
# than with the `django_db` mark, whose fixture would open the test's transaction first.
pytestmark = pytest.mark.usefixtures("db")

SEED_ABBREVIATIONS = [
    "DGPDC",
    "DGETS",
    "DGASS",
    "IGP",
    "CMC",
    "MSPFM",
    "P4EC",
    "CNPAC",
    "APSCF",
    "CMT",
    "SSPP",
    "CRSCT",
    "CCCT",
    "MECC",
]


@pytest.fixture(autouse=True)
def _world_then_db(request, module_world):
    if "demo_loaded" in request.fixturenames:
        module_world.use("demo", demo_in_transaction)
    else:
        module_world.use(None)
    request.getfixturevalue("db")


@pytest.fixture
def demo_loaded(module_world):
    """The demo, loaded once for the tests of this module that only read it."""


def _counts():
    return (
        Unit.objects.count(),
        Institution.objects.count(),
        User.objects.count(),
        Report.objects.count(),
        Case.objects.count(),
        Person.objects.count(),
        Task.objects.count(),
        TimelineEvent.objects.count(),
        Notification.objects.count(),
        AuditEvent.objects.count(),
    )


def test_demo_loads_once_and_again_changes_nothing():
    first = demo_load()
    assert first["reports_created"] == Report.objects.count()
    # About thirty in Chișinău; Chernihiv, Bacău and Alamüdün have their own (test_demo_areas).
    assert 25 <= Report.objects.filter(unit__country="MD").count() <= 40
    assert first["cases_created"] == Case.objects.count() > 0
    # Three complaints: one overdue, one being looked into, one answered.
    assert first["complaints_created"] == 3
    # Five household screenings: three in Sîngera, one in Bacău county, one in Chernihiv.
    assert first["screenings_created"] == 5
    snapshot = _counts()
    counts = demo_load()
    assert counts == {
        "units_created": 0,
        "institutions_created": 0,
        "users_created": 0,
        "persons_created": 0,
        "concerns_created": 0,
        "rules_written": 0,
        "services_written": 0,
        "reports_created": 0,
        "cases_created": 0,
        "complaints_created": 0,
        "providers_created": 0,
        "enrolments_created": 0,
        "placements_created": 0,
        "institutions_reorganised": 0,
        "plans_imported": 0,
        "projects_created": 0,
        "dhis2_units_mapped": 0,
        "screenings_created": 0,
        "programmes_created": 0,
    }
    assert snapshot == _counts()
    assert verify_chain().ok


def test_demo_has_the_seed_institutions_with_full_names(demo_loaded):
    for abbreviation in SEED_ABBREVIATIONS:
        institution = Institution.objects.get(country="MD", abbreviation=abbreviation)
        assert len(institution.name) > len(abbreviation) + 5, abbreviation
    assert Institution.objects.get(abbreviation="DGPDC").name.startswith(
        "Direcția generală pentru protecția"
    )


def test_demo_accounts_sign_in_through_the_api_for_every_role(demo_loaded):
    client = APIClient()
    expected = {
        "admin": "administrator",
        "specialist": "specialist",
        "specialist2": "specialist",
        "supervisor": "supervisor",
        "head": "head",
        "reporter": "reporter",
        "provider": "provider",
        "planner": "planner",
        "auditor": "auditor",
        "community": "community_worker",
    }
    for username, role in expected.items():
        response = client.post(
            "/api/v1/auth/token/", {"username": username, "password": DEMO_PASSWORD}, format="json"
        )
        assert response.status_code == 200, username
        me = client.get(
            "/api/v1/me/", HTTP_AUTHORIZATION=f"Token {response.json()['token']}"
        ).json()
        assert me["roles"] == [role]
    assert set(Role.objects.values_list("code", flat=True)) == set(expected.values())
    assert User.objects.get(username="specialist").units.get().code == "MD-CU-BOT"
    assert User.objects.get(username="specialist2").units.get().code == "MD-CU-CEN"


def test_demo_specialists_cannot_read_each_others_sector(demo_loaded):
    client = APIClient()
    token = client.post(
        "/api/v1/auth/token/", {"username": "specialist", "password": DEMO_PASSWORD}, format="json"
    ).json()["token"]
    centru = Institution.objects.get(abbreviation="DGPDC-CEN")
    response = client.get(f"/api/v1/institutions/{centru.pk}/", HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 404


def test_demo_refuses_production(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError):
        call_command("demo")
    assert not User.objects.exists()
