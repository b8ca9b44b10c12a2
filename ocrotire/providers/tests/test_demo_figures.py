"""The demo reproduces the figures of seed 000 through the API (issue 6, item 8)."""

from __future__ import annotations

import pytest

from ocrotire.accounts.models import User
from ocrotire.core.tests.snapshot import demo_in_transaction

# Both tests read the demo: it is loaded once for the module, before each test's own transaction
# (`db` is asked for here rather than with the `django_db` mark, which would open that first).
pytestmark = pytest.mark.usefixtures("db")


@pytest.fixture(autouse=True)
def _world_then_db(request, module_world):
    module_world.use("demo", demo_in_transaction)
    request.getfixturevalue("db")


def test_seed_000_figures_come_back_from_the_api(api):
    rows = (
        api(User.objects.get(username="supervisor"))
        .get("/api/v1/services/", {"page_size": 100})
        .json()["results"]
    )
    by_type = {row["service_type"]: row for row in rows}
    housing = by_type["assisted_social_housing"]
    assert (housing["occupied"], housing["refugees"]) == (22, 3)
    infants = by_type["day_service_infants"]
    assert infants["occupied"] == 54
    assert (infants["age_min_months"], infants["age_max_months"]) == (4, 36)
    maternal = by_type["maternal_centre"]
    assert (maternal["capacity"], maternal["served"]) == (7, 5)
    assert by_type["day_centre_risk"]["occupied"] == 110
    assert by_type["street_children"]["served"] == 100
    placed = (
        api(User.objects.get(username="supervisor"))
        .get("/api/v1/placements/", {"form": "professional_parental", "active": "true"})
        .json()
    )
    assert placed["count"] == 13
    assert len({p["carer_name"] for p in placed["results"]}) == 7
    # The provider's own staff see their day centre, and the licence warning of the register.
    provider = api(User.objects.get(username="provider"))
    mine = provider.get("/api/v1/providers/", {"licence": "expiring"}).json()["results"]
    assert [p["name"] for p in mine if "Centrul de zi" in p["name"]]


def test_seed_001_figures_come_back_from_the_api(api):
    """Seed 001: 3 residential institutions reorganised, 220 children moved to family care."""
    admin = api(User.objects.get(username="admin"))
    figures = admin.get("/api/v1/deinstitutionalisation/", {"unit": "KG-C"}).json()
    assert figures["institutions"] == 3
    assert figures["reorganised"] == 3
    assert figures["residents_at_start"] == 220
    assert figures["residents_at_end"] == 0
    assert figures["moved_to_family_care"] == 220
    assert sum(figures["destinations"].values()) == 220
    for facility in figures["facilities"]:
        assert facility["change"]["kind"] == "reorganised"
        assert len(facility["change"]["successors"]) == 2
    # The Kyrgyz specialist of Alamüdün sees the institution of her district.
    specialist = api(User.objects.get(username="specialist_kg"))
    own = specialist.get("/api/v1/deinstitutionalisation/", {"unit": "KG-C-ALA"}).json()
    assert (own["institutions"], own["moved_to_family_care"]) == (1, 60)
    assert specialist.get("/api/v1/deinstitutionalisation/", {"unit": "KG-C"}).status_code == 400
