"""The screenings feed the figures others report: a donor project's result names a count and
its achieved value is counted from the screenings of its territory and period; a strategy's
indicator counts the households screened in a year. Nothing is typed by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from ocrotire.accounts.models import Institution, User
from ocrotire.geo.models import Unit
from ocrotire.outreach.screening import screening_record
from ocrotire.outreach.tests.world import community_worker, household_with_children, sheets_load
from ocrotire.planning.computations import COMPUTATIONS
from ocrotire.planning.services import ResultInput, project_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def screened(
    personas: dict[str, User],
    institutions: dict[str, Institution],
    territory: dict[str, Unit],
    casework: None,
) -> None:
    sheets_load()
    worker = community_worker(institutions["DGPDC-BOT"])
    village = territory["MD-CU-BOT-SIN"]
    single = household_with_children(worker, village, "Rusu", (date(2014, 3, 1), date(2016, 1, 1)))
    screening_record(actor=worker, household=single, answers={"social": {"single_parent": True}})
    other = household_with_children(worker, village, "Popa")
    screening_record(actor=worker, household=other, answers={"social": {"minor_mother": True}})
    calm = household_with_children(worker, village, "Lupu")
    screening_record(actor=worker, household=calm, answers={"economic": {"poverty": False}})


def test_a_donor_projects_results_are_counted_from_the_screenings(
    screened: None, api: Any, personas: dict[str, User], territory: dict[str, Unit]
) -> None:
    this_year = timezone.localdate().year
    project_create(
        actor=personas["admin"],
        name="Community social work",
        unit=territory["MD-CU"],
        starts_on=date(this_year, 1, 1),
        results=[
            ResultInput(
                "Children of single parents",
                "children",
                Decimal(1500),
                None,
                "screened_single_parent",
            ),
            ResultInput("Children flagged", "children", None, None, "children_flagged"),
            ResultInput("Households screened", "households", None, None, "households_screened"),
            ResultInput("Typed by hand", "events", Decimal(3), Decimal(2)),
        ],
    )
    (project,) = (
        api(personas["planner"] if "planner" in personas else personas["supervisor"])
        .get("/api/v1/projects/")
        .json()["results"]
    )
    achieved = {r["description"]: r["achieved"] for r in project["results"]}
    assert float(achieved["Children of single parents"]) == 2
    assert float(achieved["Children flagged"]) == 3
    assert float(achieved["Households screened"]) == 3
    assert float(achieved["Typed by hand"]) == 2


def test_a_count_a_period_cannot_give_is_refused(
    personas: dict[str, User], territory: dict[str, Unit]
) -> None:
    with pytest.raises(ValidationError):
        project_create(
            actor=personas["admin"],
            name="Bad",
            unit=territory["MD-CU"],
            results=[ResultInput("Trainings", "events", None, None, "training_events")],
        )


def test_an_indicator_counts_the_households_screened_in_a_year(
    screened: None, territory: dict[str, Unit]
) -> None:
    count = COMPUTATIONS["households_screened"].between
    assert count is not None
    this_year = timezone.localdate().year
    assert count(territory["MD-CU"].path, date(this_year, 1, 1), date(this_year, 12, 31)) == 3
    assert count(territory["MD-CU"].path, date(2001, 1, 1), date(2001, 12, 31)) == 0
    assert count(territory["MD-CU-CEN"].path, date(this_year, 1, 1), date(this_year, 12, 31)) == 0


def test_the_dashboard_shows_the_screening_by_group(
    screened: None, api: Any, personas: dict[str, User]
) -> None:
    body = api(personas["supervisor"]).get("/api/v1/analytics/dashboard/").json()
    (series,) = [s for s in body["series"] if s["name"] == "screening"]
    rows = {row["key"]: row for row in series["rows"]}
    assert rows["screened"]["values"] == {"households": 3, "children": 4}
    assert rows["flagged"]["values"] == {"households": 2, "children": 3}
    assert rows["single_parent"]["values"] == {"households": 1, "children": 2}
    assert rows["single_parent"]["label"] == "Familie monoparentală"
