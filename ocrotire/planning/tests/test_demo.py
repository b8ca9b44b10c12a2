"""The demo loads the seed action plan and the four donor projects; the figures come back from
the API."""

from __future__ import annotations

import pytest

from ocrotire.accounts.models import User
from ocrotire.core.tests.snapshot import demo_in_transaction

# The test reads the demo: loaded (or put back) for the module before the test's own transaction.
pytestmark = pytest.mark.usefixtures("db")


@pytest.fixture(autouse=True)
def _world_then_db(request, module_world):
    module_world.use("demo", demo_in_transaction)
    request.getfixturevalue("db")


def test_the_demo_plan_and_projects_come_back_from_the_api(api, seed):
    planner = api(User.objects.get(username="planner"))
    [plan] = planner.get("/api/v1/plans/").json()["results"]
    assert (plan["period_start"], plan["period_end"], plan["unit"]) == (2020, 2025, "MD-CU")
    indicator = planner.get("/api/v1/indicators/", {"plan": plan["id"], "code": "1.2.2.3-1"})
    [row] = indicator.json()["results"]
    assert row["computation"] == "reports_received"
    projects = {p["source_name"]: p for p in planner.get("/api/v1/projects/").json()["results"]}
    assert sorted(projects) == ["000", "001", "003", "004"]
    kyrgyz = projects["001"]
    assert (kyrgyz["cost"], kyrgyz["currency"]) == ("677737.00", "EUR")
    results = {r["description"]: r for r in kyrgyz["results"]}
    assert results["Copii dezinstituționalizați"]["planned"] == "220.00"
    assert results["Instituții rezidențiale reorganizate"]["achieved"] == "3.00"
    assert any(r["planned"] == "40000.00" for r in kyrgyz["results"])
    assert len(projects["004"]["results"]) == 10
    assert projects["000"]["services"]
