"""Shared fixtures: a small territory, institutions and one persona per role."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from rest_framework.test import APIClient

from ocrotire.accounts.models import Institution, User
from ocrotire.accounts.services import roles_ensure
from ocrotire.accounts.tests.factories import (
    PASSWORD,
    institutions_build,
    personas_build,
    user_make,
)
from ocrotire.cases.tests.factories import casework_load
from ocrotire.core.tests.world import World
from ocrotire.geo.models import Unit
from ocrotire.geo.tests.factories import territory_build

__all__ = ["PASSWORD"]


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


# The modules that take longest, longest first (pytest --durations; docs/PERFORMANCE.md). The
# processes take whole modules in the order below (`--no-loadscope-reorder` in the Makefile):
# these first, then the browser tests, then the rest by their number of tests. Handed out last,
# as xdist's own order (by number of tests) did, they left one process working alone at the end.
HEAVY_FIRST = (
    "ocrotire/api/tests/test_bad_input.py",
    "ocrotire/core/tests/test_browser.py",
    "ocrotire/cases/tests/test_no_codes.py",
    "ocrotire/core/tests/test_demo.py",
    "ocrotire/analytics/tests/test_export_sqlite_concurrency.py",
    "ocrotire/core/tests/test_backup.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Heaviest modules first, each module's tests together and in their own order."""
    modules = [item.nodeid.split("::")[0] for item in items]
    sizes = Counter(modules)

    def weight(module: str) -> tuple[int, int, str]:
        if module in HEAVY_FIRST:
            return (0, HEAVY_FIRST.index(module), module)
        if "browser" in module:
            return (1, -sizes[module], module)
        return (2, -sizes[module], module)

    order = {module: weight(module) for module in sizes}
    keyed = sorted(zip(modules, range(len(items)), items, strict=True), key=lambda m: order[m[0]])
    items[:] = [item for _module, _index, item in keyed]


@pytest.fixture
def territory(db: Any) -> dict[str, Unit]:
    """MD → Chișinău → Botanica (→ Sîngera), Centru; and UA → Chernihiv oblast."""
    return territory_build()


@pytest.fixture
def institutions(territory: dict[str, Unit]) -> dict[str, Institution]:
    return institutions_build()


@pytest.fixture
def make_user(territory: dict[str, Unit]) -> Callable[..., User]:
    roles_ensure()
    return user_make


@pytest.fixture
def personas(
    make_user: Callable[..., User], institutions: dict[str, Institution]
) -> dict[str, User]:
    """same unit / other unit / supervisor / outsider, and the other roles."""
    return personas_build(institutions)


@pytest.fixture(scope="module")
def module_world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    """Data built once for a test module and rolled back at its end (ocrotire/core/tests/world.py).
    A module that uses it asks for `db` with `usefixtures` instead of the `django_db` mark and
    has an autouse fixture that names the data each test wants, then opens `db`."""
    with World.opened(django_db_blocker) as world:
        yield world


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
def _workflow_versions_read_afresh() -> Iterator[None]:
    """A loaded workflow version is kept once read (it never changes); a test's rows are rolled
    back and SQLite may give the next test's row the same key, so each test reads its own."""
    yield
    from ocrotire.workflow.definitions import workflow_of_pack, workflow_version

    workflow_version.cache_clear()
    workflow_of_pack.cache_clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any, request: pytest.FixtureRequest) -> None:
    """Argon2 is deliberately slow; tests that are not about hashing use a fast hasher."""
    if "argon2" not in request.keywords:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _audit_triggers_for_flush(request: pytest.FixtureRequest) -> Iterator[None]:
    """Tests that commit (live server, browser) end with a flush, which SQLite does with DELETE:
    lift the audit log's append-only triggers for that flush. The flush comes after this
    fixture's end, so a later test of the same process that uses the database puts them back
    first: a worker may run a committing test before the others of a module (--dist loadfile)."""
    from django.db import connection

    from ocrotire.core import db_triggers

    marker = request.node.get_closest_marker("django_db")
    committing = marker is not None and marker.kwargs.get("transaction", False)
    if not committing and not {"transactional_db", "live_server"} & set(request.fixturenames):
        if connection.vendor == "sqlite" and (marker is not None or "db" in request.fixturenames):
            _audit_triggers_back(request)
        yield
        return
    request.getfixturevalue("transactional_db")
    if connection.vendor == "sqlite":
        db_triggers.install_v2(connection)
    yield
    if connection.vendor == "sqlite":
        db_triggers.remove_v2(connection)


def _audit_triggers_back(request: pytest.FixtureRequest) -> None:
    """Put the append-only triggers back on SQLite if a committing test lifted them. Done before
    the test's own transaction (a module's shared data may already be open around it)."""
    from django.db import connection

    from ocrotire.core import db_triggers

    request.getfixturevalue("django_db_setup")
    with request.getfixturevalue("django_db_blocker").unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' "
            "AND name IN ('core_auditevent_no_update', 'core_auditevent_no_delete')"
        )
        if cursor.fetchone()[0] < 2:
            db_triggers.install_v2(connection)


@pytest.fixture
def casework(territory: dict[str, Unit]) -> None:
    """The concern categories, deadline rules and service catalogues of the Moldovan and
    Ukrainian packs."""
    casework_load()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium, one per test module (browser tests only)."""
    from ocrotire.core.tests.browser import chromium

    with chromium() as instance:
        yield instance


@pytest.fixture
def demo(transactional_db: Any) -> None:
    """The demo data and users, for tests that drive the running system: committed, as
    `demo_load` leaves them. The first test of a process loads the demo and keeps a copy of the
    database (ocrotire/core/tests/snapshot.py); the others get that copy back, in a second
    instead of twenty. Each test's writes go with the flush at its end, as before."""
    from ocrotire.core.tests.snapshot import demo_committed

    demo_committed()


@pytest.fixture(autouse=True)
def _audit_checkpoints_per_test(settings: Any, tmp_path: Any) -> None:
    """Each test's audit checkpoints go to a file of its own: a checkpoint is held against one
    database's chain, and every test (or rolled-back transaction) has another."""
    settings.OCROTIRE_AUDIT_CHECKPOINT_FILE = tmp_path / "audit-checkpoints.jsonl"
