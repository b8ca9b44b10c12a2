"""Shared fixtures: a small territory, institutions and one persona per role."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from rest_framework.test import APIClient

from ocrotire.accounts.models import Institution, User
from ocrotire.accounts.services import institution_upsert_reference, roles_ensure, user_upsert
from ocrotire.geo.models import Unit
from ocrotire.geo.services import UnitSpec, unit_upsert

PASSWORD = "correct-horse-battery-staple"


def pytest_configure(config: pytest.Config) -> None:
    """Tests that commit (the demo for the browser tests, every request of the live server) would
    wait for PostgreSQL to flush its log to disk at each of thousands of commits; a test database
    need not survive a crash of the machine. The option goes with the connection options that the
    settings already give (JIT), so every connection of the tests, the live server's too, has it."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.postgresql":
        options = database.setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c synchronous_commit=off".strip()


@pytest.fixture
def territory(db: Any) -> dict[str, Unit]:
    """MD → Chișinău → Botanica (→ Sîngera), Centru; and UA → Chernihiv oblast."""
    specs = [
        UnitSpec("MD", "country", "Republica Moldova", iso_code="MD"),
        UnitSpec(
            "MD-CU",
            "municipality",
            "municipiul Chișinău",
            "MD",
            iso_code="MD-CU",
            is_urban=True,
            names={"ru": "муниципий Кишинёв"},
        ),
        UnitSpec(
            "MD-CU-BOT", "sector", "Botanica", "MD-CU", is_urban=True, names={"ru": "Ботаника"}
        ),
        UnitSpec("MD-CU-BOT-SIN", "town", "Sîngera", "MD-CU-BOT", is_urban=True),
        UnitSpec("MD-CU-CEN", "sector", "Centru", "MD-CU", is_urban=True),
        UnitSpec("UA", "country", "Україна", iso_code="UA"),
        UnitSpec("UA-74", "region", "Чернігівська область", "UA", iso_code="UA-74"),
    ]
    return {spec.code: unit_upsert(actor=None, spec=spec)[0] for spec in specs}


@pytest.fixture
def institutions(territory: dict[str, Unit]) -> dict[str, Institution]:
    rows = [
        (
            "DGPDC",
            "Direcția generală pentru protecția drepturilor copilului",
            "child_protection",
            ["MD-CU"],
        ),
        ("DGPDC-BOT", "Secția Botanica", "child_protection", ["MD-CU-BOT"]),
        ("DGPDC-CEN", "Secția Centru", "child_protection", ["MD-CU-CEN"]),
        ("SCH-BOT", "Școala Botanica", "school", ["MD-CU-BOT"]),
        ("SCH-CEN", "Școala Centru", "school", ["MD-CU-CEN"]),
        ("IGP", "Inspectoratul General al Poliției", "police", ["MD"]),
    ]
    result = {}
    for abbreviation, name, kind, units in rows:
        result[abbreviation], _ = institution_upsert_reference(
            actor=None,
            country="MD",
            abbreviation=abbreviation,
            name=name,
            kind=kind,
            unit_codes=units,
        )
    result["UA-SSD"], _ = institution_upsert_reference(
        actor=None,
        country="UA",
        abbreviation="SSD",
        name="Служба у справах дітей",
        kind="child_protection",
        unit_codes=["UA-74"],
    )
    return result


@pytest.fixture
def make_user(territory: dict[str, Unit]) -> Callable[..., User]:
    roles_ensure()

    def make(
        username: str,
        roles: tuple[str, ...] = (),
        units: tuple[str, ...] = (),
        institution: Institution | None = None,
        **extra: Any,
    ) -> User:
        user, _ = user_upsert(
            actor=None,
            username=username,
            password=PASSWORD,
            roles=roles,
            units=list(Unit.objects.filter(code__in=units)),
            institution=institution,
            **extra,
        )
        return user

    return make


@pytest.fixture
def personas(
    make_user: Callable[..., User], institutions: dict[str, Institution]
) -> dict[str, User]:
    """same unit / other unit / supervisor / outsider, and the other roles."""
    return {
        "specialist": make_user(
            "specialist", ("specialist",), ("MD-CU-BOT",), institutions["DGPDC-BOT"]
        ),
        "specialist2": make_user(
            "specialist2", ("specialist",), ("MD-CU-CEN",), institutions["DGPDC-CEN"]
        ),
        "supervisor": make_user("supervisor", ("supervisor",), ("MD-CU",), institutions["DGPDC"]),
        "outsider": make_user("outsider"),
        "auditor": make_user("auditor", ("auditor",), ("MD-CU",), institutions["DGPDC"]),
        "admin": make_user("admin", ("administrator",), is_staff=True, is_superuser=True),
        "reporter": make_user("reporter", ("reporter",), (), institutions["SCH-BOT"]),
        "specialist_ua": make_user(
            "specialist_ua", ("specialist",), ("UA-74",), institutions["UA-SSD"]
        ),
    }


@pytest.fixture
def mfa_off(settings: Any) -> None:
    settings.OCROTIRE_MFA_ENFORCED = False


@pytest.fixture
def api(mfa_off: None) -> Callable[[User | None], APIClient]:
    def client_for(user: User | None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user=user)
        return client

    return client_for


@pytest.fixture(autouse=True)
def _dashboards_counted_afresh(settings: Any) -> None:
    """Each test counts its own data: no dashboard figures kept from an earlier test."""
    settings.OCROTIRE_DASHBOARD_CACHE_SECONDS = 0


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any, request: pytest.FixtureRequest) -> None:
    """Argon2 is deliberately slow; tests that are not about hashing use a fast hasher."""
    if "argon2" not in request.keywords:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _audit_triggers_for_flush(request: pytest.FixtureRequest) -> Iterator[None]:
    """Tests that commit (live server, browser) end with a flush, which SQLite does with DELETE:
    lift the audit log's append-only triggers for that flush, and put them back for the next test."""
    marker = request.node.get_closest_marker("django_db")
    committing = marker is not None and marker.kwargs.get("transaction", False)
    if not committing and not {"transactional_db", "live_server"} & set(request.fixturenames):
        yield
        return
    from django.db import connection

    from ocrotire.core import db_triggers

    request.getfixturevalue("transactional_db")
    if connection.vendor == "sqlite":
        db_triggers.install_v2(connection)
    yield
    if connection.vendor == "sqlite":
        db_triggers.remove_v2(connection)


@pytest.fixture
def casework(territory: dict[str, Unit]) -> None:
    """The concern categories, deadline rules and service catalogues of the Moldovan and
    Ukrainian packs."""
    from ocrotire.intake.services import concerns_load
    from ocrotire.providers.services import catalogue_load
    from ocrotire.workflow.deadlines import rules_load

    for country in ("MD", "UA"):
        concerns_load(country=country)
        rules_load(country=country)
        catalogue_load(country=country)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium, one per test module (browser tests only)."""
    from ocrotire.core.tests.browser import chromium

    with chromium() as instance:
        yield instance


@pytest.fixture
def demo(transactional_db: Any) -> None:
    """The demo data and users, for tests that drive the running system."""
    from ocrotire.demo.loader import demo_load

    demo_load()


@pytest.fixture(autouse=True)
def _audit_checkpoints_per_test(settings: Any, tmp_path: Any) -> None:
    """Each test's audit checkpoints go to a file of its own: a checkpoint is held against one
    database's chain, and every test (or rolled-back transaction) has another."""
    settings.OCROTIRE_AUDIT_CHECKPOINT_FILE = tmp_path / "audit-checkpoints.jsonl"
