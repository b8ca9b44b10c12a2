"""Dashboards against reports and cases with known counts: owner (Botanica specialist), the city's
supervisor, the planner (suppressed figures, no drill-down), and those refused (reporter,
outsider); the drill-down never shows a record outside the reader's scope; fixed query counts."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from ocrotire.analytics.common import figures as day_figures
from ocrotire.analytics.dashboards.area import Filters
from ocrotire.analytics.dashboards.series import dashboard
from ocrotire.cases.tests.test_api import report_body
from ocrotire.geo.models import Unit
from ocrotire.intake.models import Report
from ocrotire.registry.models import Person

pytestmark = pytest.mark.django_db

PERIOD = {"since": "2025-01-01", "until": "2025-12-31"}


def _file(client: Any, **extra: Any) -> dict[str, Any]:
    response = client.post("/api/v1/reports/", report_body(**extra), format="json")
    assert response.status_code == 201, response.json()
    return dict(response.json())


def _open(client: Any, report: dict[str, Any]) -> None:
    response = client.post(
        f"/api/v1/reports/{report['id']}/triage/",
        {"decision": "open_case", "reason": "Seen by the school", "risk_level": "high"},
        format="json",
    )
    assert response.status_code == 200, response.json()


@pytest.fixture
def people(personas: dict[str, Any], make_user: Any, institutions: Any) -> dict[str, Any]:
    planner = make_user("planner", ("planner",), ("MD-CU",), institutions["DGPDC"])
    return {**personas, "planner": planner}


@pytest.fixture
def figures(api: Any, people: dict[str, Any], casework: None) -> dict[str, Any]:
    """Three reports of 2025 in Botanica (one in its town Sîngera), one of 2024 there, one of 2025
    in Centru; a case opened from the first Botanica and from the Centru report."""
    botanica = api(people["specialist"])
    centru = api(people["specialist2"])
    r1 = _file(botanica, received_at="2025-03-10T10:00:00+02:00")
    r2 = _file(
        botanica,
        received_at="2025-03-20T10:00:00+02:00",
        channel="hotline",
        reporter={"kind": "anonymous"},
        concerns=["neglect"],
        most_serious="",
        unit="MD-CU-BOT-SIN",
        children=[
            {"given_name": "Ana", "family_name": "Ceban", "sex": "F", "birth_date": "2023-05-01"}
        ],
    )
    r3 = _file(
        botanica,
        received_at="2025-07-05T10:00:00+03:00",
        channel="self_referral",
        reporter={"kind": "professional", "sector": "social"},
        concerns=["psychological"],
        most_serious="psychological",
        children=[{"given_name": "Victor", "family_name": "Popa"}],
    )
    old = _file(
        botanica,
        received_at="2024-06-01T10:00:00+03:00",
        children=[{"given_name": "Dan", "family_name": "Oprea", "sex": "M"}],
    )
    r5 = _file(
        centru,
        received_at="2025-04-02T10:00:00+03:00",
        channel="walk_in",
        reporter={"kind": "citizen", "name": "Vecina"},
        concerns=["physical"],
        unit="MD-CU-CEN",
        children=[
            {"given_name": "Maria", "family_name": "Lungu", "sex": "F", "birth_date": "2019-01-01"}
        ],
    )
    _open(botanica, r1)
    _open(centru, r5)
    Person.objects.filter(given_name="Ana").update(displacement="refugee")
    return {"r1": r1, "r2": r2, "r3": r3, "old": old, "r5": r5}


def _series(user: Any, unit: str | None) -> dict[str, dict[str, tuple[int, ...]]]:
    filters = Filters(
        unit=Unit.objects.get(code=unit) if unit else None,
        since=date(2025, 1, 1),
        until=date(2025, 12, 31),
    )
    return {
        s.name: {key: values for key, _label, values in s.rows}
        for s in dashboard(user=user, filters=filters)
    }


def _counts(series: dict[str, tuple[int, ...]]) -> dict[str, int]:
    """The non-zero single counts of a series."""
    return {key: values[0] for key, values in series.items() if values[0]}


def test_botanica_specialist_counts_her_sector_only(people: dict[str, Any], figures: Any) -> None:
    got = _series(people["specialist"], "MD-CU-BOT")
    assert _counts(got["reports_by_month"]) == {"2025-03": 2, "2025-07": 1}
    assert len(got["reports_by_month"]) == 12
    assert _counts(got["reports_by_channel"]) == {"phone": 1, "hotline": 1, "self_referral": 1}
    assert _counts(got["reports_by_source"]) == {
        "education": 1,
        "anonymous": 1,
        "self_referral": 1,
    }
    assert _counts(got["reports_by_concern"]) == {"physical": 1, "neglect": 2, "psychological": 1}
    # Sîngera is the part under Botanica; reports at Botanica itself come after it.
    assert list(got["reports_by_unit"].items()) == [("MD-CU-BOT-SIN", (1,)), ("MD-CU-BOT", (2,))]
    assert _counts(got["children_by_sex"]) == {"F": 1, "M": 1, "": 1}
    assert _counts(got["children_by_age"]) == {"0_2": 1, "7_17": 1, "unknown": 1}
    assert _counts(got["children_by_area"]) == {"urban": 3}
    assert _counts(got["children_refugee"]) == {"yes": 1, "no": 2}
    assert _counts(got["children_disability"]) == {"no": 3}
    assert sum(v[0] for v in got["cases_by_stage"].values()) == 1
    assert sum(v[0] for v in got["caseload"].values()) == 1


def test_city_supervisor_sees_every_sector(people: dict[str, Any], figures: Any) -> None:
    got = _series(people["supervisor"], None)
    assert _counts(got["reports_by_unit"]) == {"MD-CU-BOT": 3, "MD-CU-CEN": 1}
    assert _counts(got["reports_by_month"]) == {"2025-03": 2, "2025-04": 1, "2025-07": 1}
    assert _counts(got["children_by_age"]) == {"0_2": 1, "3_6": 1, "7_17": 1, "unknown": 1}
    assert sum(v[0] for v in got["cases_by_stage"].values()) == 2


def test_a_unit_outside_the_area_is_refused_not_widened(
    api: Any, people: Any, figures: Any
) -> None:
    response = api(people["specialist"]).get(
        "/api/v1/analytics/dashboard/", {"unit": "MD-CU-CEN", **PERIOD}
    )
    assert response.status_code == 400
    assert "unit" in response.json()["error"]["fields"]


def _api_rows(body: dict[str, Any], name: str) -> dict[str, Any]:
    [series] = [s for s in body["series"] if s["name"] == name]
    return {row["key"]: row["values"] for row in series["rows"]}


def test_api_shape_and_suppression(api: Any, people: dict[str, Any], figures: Any) -> None:
    exact = api(people["specialist"]).get("/api/v1/analytics/dashboard/", PERIOD)
    assert exact.status_code == 200, exact.json()
    body = exact.json()
    assert (body["unit"], body["since"], body["until"], body["exact"]) == (
        "MD-CU-BOT",
        "2025-01-01",
        "2025-12-31",
        True,
    )
    assert _api_rows(body, "reports_by_month")["2025-03"] == {"count": 2}
    names = [s["name"] for s in body["series"]]
    assert names[:2] == ["reports_by_month", "reports_by_concern"]
    assert {"placements", "services", "plan_progress", "overdue_by_worker"} <= set(names)
    planner = api(people["planner"]).get("/api/v1/analytics/dashboard/", PERIOD).json()
    assert planner["exact"] is False
    assert planner["unit"] == "MD-CU"
    months = _api_rows(planner, "reports_by_month")
    assert months["2025-03"] == {"count": "<5"}
    assert months["2025-05"] == {"count": 0}
    # Places identify nobody: never suppressed.
    services = planner["series"][[s["name"] for s in planner["series"]].index("services")]
    assert services["sensitive"] is True
    assert all(isinstance(row["values"]["places"], int) for row in services["rows"])


def test_no_hidden_count_can_be_computed_from_its_series_total(
    api: Any, people: dict[str, Any], figures: Any
) -> None:
    """Each series adds up to a total the reader can know (the reports of the period are the
    sum of every month, of every channel, and the HG 270 report's rows): a "<5" alone in a
    series would be that total minus the rest, so a planner never sees a series with exactly
    one hidden count. Those who see the records read every figure."""
    planner = api(people["planner"]).get("/api/v1/analytics/dashboard/", PERIOD).json()
    exact = (
        api(people["supervisor"])
        .get("/api/v1/analytics/dashboard/", {**PERIOD, "unit": "MD-CU"})
        .json()
    )
    hidden_series = 0
    for series in planner["series"]:
        truth = _api_rows(exact, series["name"])
        for column in [c["key"] for c in series["columns"]]:
            values = {row["key"]: row["values"][column] for row in series["rows"]}
            hidden = [key for key, value in values.items() if isinstance(value, str)]
            assert len(hidden) != 1, (series["name"], column, values)
            if hidden:
                hidden_series += 1
            for key, value in values.items():
                if value == "<5":
                    assert 1 <= truth[key][column] <= 4
                elif isinstance(value, int):
                    assert value == truth[key][column]
                else:
                    assert value == "×"
    assert hidden_series > 0
    assert any(
        value == "×"
        for series in planner["series"]
        for row in series["rows"]
        for value in row["values"].values()
    )
    for who in ("specialist", "supervisor"):
        body = api(people[who]).get("/api/v1/analytics/dashboard/", PERIOD).json()
        for series in body["series"]:
            for row in series["rows"]:
                assert all(isinstance(v, int) for v in row["values"].values())


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("specialist", 200),
        ("supervisor", 200),
        ("planner", 200),
        ("admin", 200),
        ("reporter", 403),
        ("auditor", 403),
        ("outsider", 403),
    ],
)
def test_who_may_read_the_dashboard(
    api: Any, client: Any, people: dict[str, Any], casework: None, persona: str, status: int
) -> None:
    assert api(people[persona]).get("/api/v1/analytics/dashboard/").status_code == status
    client.force_login(people[persona])
    assert client.get("/analytics/").status_code == status


def test_bad_parameters_are_400_in_the_error_shape(api: Any, people: Any, casework: None) -> None:
    client = api(people["supervisor"])
    for query in (
        {"since": "yesterday"},
        {"since": "2025-05-01", "until": "2025-01-01"},
        {"since": "2010-01-01", "until": "2025-01-01"},
        {"unit": "NOPE"},
        {"since": "9999-01-01", "until": "9999-12-31"},
    ):
        response = client.get("/api/v1/analytics/dashboard/", query)
        assert response.status_code == 400, query
        error = response.json()["error"]
        assert error["code"] == "invalid"
        assert error["fields"], query


def test_page_shows_tables_charts_and_drill_links_to_case_workers(
    client: Any, people: dict[str, Any], figures: Any, mfa_off: None
) -> None:
    client.force_login(people["specialist"])
    page = client.get("/analytics/", PERIOD).content.decode()
    assert 'id="reports_by_month-table"' in page
    assert 'id="reports_by_month-chart"' in page
    assert 'id="dashboard-data"' in page
    assert "/analytics/drill/?" in page
    assert "<script>" not in page
    assert "&lt;5" not in page.split('id="dashboard-data"')[0]


def test_planner_sees_suppressed_figures_and_no_drill_links(
    client: Any, people: dict[str, Any], figures: Any, mfa_off: None
) -> None:
    client.force_login(people["planner"])
    page = client.get("/analytics/", PERIOD).content.decode()
    assert "&lt;5" in page
    assert "/analytics/drill/" not in page
    drill = client.get("/analytics/drill/", {"metric": "reports_channel", "key": "phone", **PERIOD})
    assert drill.status_code == 403


def test_drill_down_lists_the_records_behind_a_count(
    client: Any, people: dict[str, Any], figures: Any, mfa_off: None
) -> None:
    client.force_login(people["supervisor"])
    page = client.get(
        "/analytics/drill/", {"metric": "reports_unit", "key": "MD-CU-CEN", **PERIOD}
    ).content.decode()
    assert figures["r5"]["number"] in page
    assert f"/reports/{figures['r5']['id']}/" in page
    assert figures["r1"]["number"] not in page
    by_month = client.get(
        "/analytics/drill/", {"metric": "reports_month", "key": "2025-03", **PERIOD}
    ).content.decode()
    assert figures["r1"]["number"] in by_month
    assert figures["r2"]["number"] in by_month
    assert figures["r5"]["number"] not in by_month
    young = client.get(
        "/analytics/drill/", {"metric": "children_band", "key": "0_2", **PERIOD}
    ).content.decode()
    assert figures["r2"]["number"] in young
    assert figures["r1"]["number"] not in young
    cases = client.get(
        "/analytics/drill/", {"metric": "cases_stage", "key": "initial_assessment", **PERIOD}
    ).content.decode()
    assert cases.count("/cases/") >= 2


def test_drill_down_never_leaves_the_scope(
    client: Any, people: dict[str, Any], figures: Any, mfa_off: None
) -> None:
    client.force_login(people["specialist"])
    # Asking for Centru by its code is refused outright.
    outside = client.get(
        "/analytics/drill/",
        {"metric": "reports_channel", "key": "walk_in", "unit": "MD-CU-CEN", **PERIOD},
    )
    assert outside.status_code == 400
    assert figures["r5"]["number"] not in outside.content.decode()
    # The whole area of a Botanica specialist holds no Centru report, whatever the key.
    for metric, key in [
        ("reports_channel", "walk_in"),
        ("reports_source", "citizen"),
        ("children_band", "3_6"),
        ("reports_month", "2025-04"),
    ]:
        response = client.get("/analytics/drill/", {"metric": metric, "key": key, **PERIOD})
        assert response.status_code == 200
        assert figures["r5"]["number"] not in response.content.decode(), metric
    assert (
        client.get(
            "/analytics/drill/", {"metric": "reports_unit", "key": "MD-CU-CEN", **PERIOD}
        ).status_code
        == 404
    )
    assert client.get("/analytics/drill/", {"metric": "nope", "key": "x"}).status_code == 404


@pytest.mark.parametrize("kept", [False, True], ids=["counted-live", "kept-figures"])
def test_the_dashboard_reads_a_fixed_number_of_queries(
    api: Any,
    people: dict[str, Any],
    figures: Any,
    django_assert_max_num_queries: Any,
    kept: bool,
) -> None:
    """Counted live (no figures kept yet) or from the kept day figures, with the days of the
    three new reports counted live over them."""
    if kept:
        day_figures.rebuild()
    supervisor = people["supervisor"]
    filters = Filters(unit=None, since=date(2025, 1, 1), until=date(2025, 12, 31))
    with django_assert_max_num_queries(QUERY_BUDGET):
        dashboard(user=supervisor, filters=filters)
    botanica = api(people["specialist"])
    for index in range(3):
        _open(
            botanica,
            _file(
                botanica,
                received_at=f"2025-0{index + 5}-01T10:00:00+03:00",
                children=[{"given_name": f"Copil{index}", "family_name": "Nou", "sex": "F"}],
            ),
        )
    supervisor = type(supervisor).objects.get(pk=supervisor.pk)
    with django_assert_max_num_queries(QUERY_BUDGET + (CHANGED_DAYS_QUERIES if kept else 0)):
        dashboard(user=supervisor, filters=filters)
    assert Report.objects.count() == 8


# Roles and the area (its unit, parts and their names, the units' paths: 6), whether figures are
# kept and the days changed since (2), reports (4: by month and source, by unit, by concern, the
# concerns' names), children (2: the categories of refugee and disability live, the units' urban
# marks kept), cases (3), overdue (2), services (3), plan (1), referrals (1), placements (1),
# community screening (1; with screenings in the area, 3 more: households, members, persons).
# With changed days in view, for the two groupings of the reports, the concerns and the children
# the kept figures of those days and their records (8), the refugee and disability categories and
# the units' urban marks again (2).
QUERY_BUDGET = 28
CHANGED_DAYS_QUERIES = 10


def test_kept_figures_are_still_suppressed_for_the_next_reader(
    api: Any, people: dict[str, Any], figures: Any, settings: Any
) -> None:
    """With figures kept for the area, the supervisor's exact counts never reach the planner of
    the same area; a second reading is the kept one, counted at the same moment."""
    from django.core.cache import cache

    settings.OCROTIRE_DASHBOARD_CACHE_SECONDS = 60
    cache.clear()
    query = {**PERIOD, "unit": "MD-CU"}
    first = api(people["supervisor"]).get("/api/v1/analytics/dashboard/", query).json()
    assert _api_rows(first, "reports_by_month")["2025-03"]["count"] not in (0, "<5")
    planner = api(people["planner"]).get("/api/v1/analytics/dashboard/", query).json()
    assert planner["counted_at"] == first["counted_at"]
    assert planner["exact"] is False
    assert _api_rows(planner, "reports_by_month")["2025-03"] == {"count": "<5"}
    again = api(people["supervisor"]).get("/api/v1/analytics/dashboard/", query).json()
    assert again["counted_at"] == first["counted_at"]
    cache.clear()


def test_a_month_off_the_calendar_is_not_a_figure(
    client: Any, people: Any, casework: None, mfa_off: None
) -> None:
    client.force_login(people["supervisor"])
    for key in ("9999-12", "0000-01", "2025-13"):
        response = client.get("/analytics/drill/", {"metric": "reports_month", "key": key})
        assert response.status_code in (400, 404), key
