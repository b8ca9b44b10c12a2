"""Chernihiv's providers in the demo carry the services of the minimum package named in the
Chernihiv source (seed 003, DOMAIN.md §2.4), with service points in the city (issue 20, item 6)."""

from __future__ import annotations

from typing import Any

import pytest

from ocrotire.accounts.models import User
from ocrotire.core.tests.snapshot import demo_in_transaction

pytestmark = pytest.mark.usefixtures("db")

PACKAGE = {
    "resilience_support",
    "social_support_orphans_families",
    "early_intervention",
    "inclusive_education_support",
    "day_care",
    "social_support_sdc",
    "crisis_intervention",
    "care_leaver_integration",
}


@pytest.fixture(autouse=True)
def _world_then_db(request: Any, module_world: Any) -> None:
    module_world.use("demo", demo_in_transaction)
    request.getfixturevalue("db")


def test_the_chernihiv_bundle_names_the_eight_services_in_four_languages(api: Any) -> None:
    client = api(User.objects.get(username="supervisor_ua"))
    rows = client.get(
        "/api/v1/service-types/", {"country": "UA", "bundle": "minimum_package_chernihiv"}
    ).json()
    assert {row["code"] for row in rows} == PACKAGE
    assert all(set(row["names"]) >= {"ro", "uk", "ru", "en"} for row in rows)


def test_chernihiv_providers_offer_the_eight_services_in_the_city(api: Any) -> None:
    client = api(User.objects.get(username="specialist_ua"))
    rows = client.get("/api/v1/services/", {"page_size": 100}).json()["results"]
    assert {row["service_type"] for row in rows} >= PACKAGE
    chernihiv = [row for row in rows if row["service_type"] in PACKAGE]
    assert all(row["unit"].startswith("UA-74-CHE-CHEH") for row in chernihiv)
    assert all(row["occupied"] > 0 for row in chernihiv)
    providers = client.get("/api/v1/providers/", {"page_size": 100}).json()["results"]
    names = " ".join(p["name"] for p in providers)
    assert "Чернігівський міський центр соціальних служб" in names
    assert "раннього" in " ".join(row["name"] for row in chernihiv)
