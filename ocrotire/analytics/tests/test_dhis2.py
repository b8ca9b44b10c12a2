"""The DHIS2 export: the dataValueSets shape, the mapping, periods and suppression."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.utils import timezone

from ocrotire.analytics.models import Dhis2DataElement, Dhis2OrgUnit
from ocrotire.analytics.official.dhis2 import INDICATORS, period_parse
from ocrotire.analytics.official.hg270 import hg270_counts
from ocrotire.demo.analytics import demo_uid, dhis2_demo_load
from ocrotire.geo.models import Unit

pytestmark = pytest.mark.django_db
UID = re.compile(r"^[A-Za-z][A-Za-z0-9]{10}$")


@pytest.fixture
def mapped(territory: dict[str, Any]) -> None:
    for code in ("MD-CU", "MD-CU-BOT", "MD-CU-CEN"):
        Dhis2OrgUnit.objects.create(unit=territory[code], org_unit=demo_uid(code))
    Dhis2DataElement.objects.create(indicator="hg270.1", data_element=demo_uid("reports"))
    Dhis2DataElement.objects.create(
        indicator="hg270.1.girls",
        data_element=demo_uid("reports"),
        category_option_combo=demo_uid("girls"),
    )
    Dhis2DataElement.objects.create(indicator="hg270.5", data_element=demo_uid("violence"))
    Dhis2DataElement.objects.create(indicator="cases.opened", data_element=demo_uid("cases"))


def test_the_document_has_the_data_value_sets_shape(
    api: Any, personas: dict[str, Any], world: Any, mapped: None
) -> None:
    year = world["year"]
    response = api(personas["supervisor"]).get(f"/api/v1/analytics/dhis2/?period={year}&unit=MD-CU")
    assert response.status_code == 200, response.json()
    document = json.loads(response.content)
    assert set(document) == {"completeDate", "dataValues"}
    values = document["dataValues"]
    assert {v["orgUnit"] for v in values} == {
        demo_uid(c) for c in ("MD-CU", "MD-CU-BOT", "MD-CU-CEN")
    }
    for value in values:
        assert UID.match(value["dataElement"])
        assert UID.match(value["orgUnit"])
        assert value["period"] == str(year)
        assert isinstance(value["value"], str)
        assert int(value["value"]) >= 0
    # The values are the HG 270 rows of each unit.
    for code in ("MD-CU", "MD-CU-BOT"):
        rows = hg270_counts(unit=Unit.objects.get(code=code), year=year)
        mine = {
            (v["dataElement"], v.get("categoryOptionCombo", "")): int(v["value"])
            for v in values
            if v["orgUnit"] == demo_uid(code)
        }
        assert mine[(demo_uid("reports"), "")] == rows["1"]
        assert mine[(demo_uid("reports"), demo_uid("girls"))] == rows["1.girls"]
        assert mine[(demo_uid("violence"), "")] == rows["5"]


def test_a_sector_sends_only_its_own_units(
    api: Any, personas: dict[str, Any], world: Any, mapped: None
) -> None:
    response = api(personas["specialist"]).get(f"/api/v1/analytics/dhis2/?period={world['year']}")
    assert response.status_code == 200
    assert {v["orgUnit"] for v in response.json()["dataValues"]} == {demo_uid("MD-CU-BOT")}


def test_a_planner_gets_no_small_counts(
    api: Any, make_user: Any, institutions: dict[str, Any], world: Any, mapped: None
) -> None:
    planner = make_user("planner", ("planner",), ("MD-CU",), institutions["DGPDC"])
    response = api(planner).get(f"/api/v1/analytics/dhis2/?period={world['year']}&unit=MD-CU")
    assert response.status_code == 200
    assert all(int(v["value"]) == 0 or int(v["value"]) >= 5 for v in response.json()["dataValues"])
    assert int(response["X-Suppressed-Values"]) > 0


def test_a_unit_minus_its_parts_reveals_no_hidden_value(
    api: Any,
    make_user: Any,
    institutions: dict[str, Any],
    personas: dict[str, Any],
    world: Any,
    mapped: None,
) -> None:
    """Chișinău is sent beside Botanica and Centru: when one sector's value is left out, the city
    minus the other sector (and minus what lies outside both, when that is small enough to be
    hidden itself) must not give it back, so another value of the same indicator is left out
    too. For someone who sees the records everything is sent."""
    planner = make_user("planner", ("planner",), ("MD-CU",), institutions["DGPDC"])
    year = world["year"]
    sent = api(planner).get(f"/api/v1/analytics/dhis2/?period={year}&unit=MD-CU").json()
    everything = api(personas["supervisor"]).get(
        f"/api/v1/analytics/dhis2/?period={year}&unit=MD-CU"
    )
    assert everything.status_code == 200
    assert everything["X-Suppressed-Values"] == "0"

    def by_cell(document: dict[str, Any]) -> dict[tuple[str, str, str], int]:
        return {
            (v["orgUnit"], v["dataElement"], v.get("categoryOptionCombo", "")): int(v["value"])
            for v in document["dataValues"]
        }

    exact, shown = by_cell(everything.json()), by_cell(sent)
    city, parts = demo_uid("MD-CU"), [demo_uid("MD-CU-BOT"), demo_uid("MD-CU-CEN")]
    indicators = {(element, combo) for _unit, element, combo in exact}
    protected = 0
    for element, combo in indicators:
        cells = [(unit, element, combo) for unit in (city, *parts)]
        rest = exact[city, element, combo] - sum(exact[p, element, combo] for p in parts[:2])
        unknown = [cell for cell in cells if cell not in shown]
        # What lies outside both sectors is unknown to the reader only while it is small.
        assert len(unknown) + (1 if 1 <= rest <= 4 else 0) != 1, (element, combo, unknown)
        for cell in cells:
            if cell in shown:
                assert shown[cell] == exact[cell]
        if any(cell[0] in parts for cell in unknown):
            protected += 1
    assert protected > 0


@pytest.mark.parametrize(
    ("code", "start", "end"),
    [
        ("2024", (2024, 1), (2025, 1)),
        ("2024Q4", (2024, 10), (2025, 1)),
        ("202412", (2024, 12), (2025, 1)),
        ("202402", (2024, 2), (2024, 3)),
    ],
)
def test_periods(code: str, start: tuple[int, int], end: tuple[int, int]) -> None:
    period = period_parse(code)
    assert (period.start.year, period.start.month) == start
    assert (period.end.year, period.end.month) == end


@pytest.mark.parametrize(
    "query",
    [
        "period=2026-01",
        "period=202613",
        "period=1999",
        "period=2999Q1",
        "period=x",
        "period=0000",
        "period=9999",
        "period=999912",
        "period=9999Q4",
        "unit=NOPE",
    ],
)
def test_bad_parameters(api: Any, personas: dict[str, Any], mapped: None, query: str) -> None:
    response = api(personas["supervisor"]).get(f"/api/v1/analytics/dhis2/?{query}")
    assert response.status_code == 400
    assert response.json()["error"]["fields"]


def test_an_unmapped_area_is_explained(api: Any, personas: dict[str, Any]) -> None:
    response = api(personas["specialist"]).get("/api/v1/analytics/dhis2/?period=2024")
    assert response.status_code == 400
    assert "unit" in response.json()["error"]["fields"]


def test_roles(api: Any, personas: dict[str, Any], mapped: None) -> None:
    for who in ("reporter", "auditor", "outsider"):
        assert api(personas[who]).get("/api/v1/analytics/dhis2/?period=2024").status_code == 403


def test_the_demo_maps_every_indicator(territory: dict[str, Any]) -> None:
    dhis2_demo_load()
    assert Dhis2DataElement.objects.count() == len(INDICATORS)
    assert Dhis2OrgUnit.objects.filter(unit__code="MD-CU").exists()
    assert all(UID.match(e.data_element) for e in Dhis2DataElement.objects.all())
    dhis2_demo_load()  # again: nothing doubles
    assert Dhis2DataElement.objects.count() == len(INDICATORS)
    assert timezone.localdate().year > 2000
