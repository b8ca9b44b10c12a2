"""The HG 270 report counted from reports created through the API, compared with counts made
here independently from what was sent."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from io import BytesIO
from typing import Any

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from ocrotire.analytics.common import figures as day_figures
from ocrotire.analytics.models import FigureChange
from ocrotire.analytics.official.hg270 import KEYS
from ocrotire.analytics.tests.conftest import CHISINAU, FORMS, OTHERS
from ocrotire.intake.models import Report

pytestmark = pytest.mark.django_db


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _band(born: date | None, on: date) -> str:
    if born is None:
        return "age_unknown"
    age = _age(born, on)
    if 0 <= age <= 2:
        return "age_0_2"
    if 3 <= age <= 6:
        return "age_3_6"
    if 7 <= age <= 17:
        return "age_7_17"
    return "age_unknown"


def expected(sent: list[dict[str, Any]], year: int, areas: tuple[str, ...]) -> dict[str, int]:
    rows: Counter[str] = Counter(dict.fromkeys(KEYS, 0))
    latest_form: dict[int, tuple[datetime, int, str]] = {}
    concerned: dict[str, set[int]] = {c: set() for c in OTHERS}
    for order, item in enumerate(sent):
        body, when = item["body"], item["when"]
        if when.astimezone(CHISINAU).year != year or not body["unit"].startswith(areas):
            continue
        row = "2" if body["channel"] == "self_referral" else "1"
        rows[row] += 1
        rows[f"{row}.{'rural' if body['unit'] == 'MD-CU-BOT-VIL' else 'urban'}"] += 1
        if row == "1":
            sector = body["reporter"]["sector"]
            rows[
                {"education": "1.1", "public_order": "1.2", "health": "1.3"}.get(
                    sector, "1.other_sources"
                )
            ] += 1
        if item["confirmed"]:
            rows["3" if row == "1" else "4"] += 1
        for pk, (sex, born) in item["children"]:
            rows[f"{row}.{ {'F': 'girls', 'M': 'boys'}.get(sex, 'sex_unknown') }"] += 1
            rows[f"{row}.{_band(born, when.astimezone(CHISINAU).date())}"] += 1
            if "most_serious" in body:
                mark = (when, order, body["most_serious"])
                if pk not in latest_form or mark[:2] > latest_form[pk][:2]:
                    latest_form[pk] = mark
            for concern in body["concerns"]:
                if concern in concerned:
                    concerned[concern].add(pk)
    for _when, _order, form in latest_form.values():
        rows["5"] += 1
        rows[str(6 + FORMS.index(form))] += 1
    for concern, row in zip(OTHERS, ["11", "12", "13", "14"], strict=True):
        rows[row] = len(concerned[concern])
    return dict(rows)


@pytest.mark.parametrize("figures", ["counted-live", "kept", "kept-with-days-changed"])
def test_counts_equal_an_independent_count(
    api: Any, personas: dict[str, Any], world: Any, figures: str
) -> None:
    """Counted from the records alone, with the children's ages and sexes from the dashboards'
    day figures, and from those figures with some days changed since (counted live over them)."""
    year, sent = world["year"], world["sent"]
    if figures != "counted-live":
        day_figures.rebuild()
    if figures == "kept-with-days-changed":
        for report in Report.objects.order_by("pk")[::5]:
            FigureChange.objects.create(unit_id=report.unit_id, received_at=report.received_at)
    # The sample holds what the rules are about: a child in two reports, confirmed suspicions,
    # a village, self-referrals, children with no sex or birth date recorded.
    pairs = [pk for item in sent for pk, _facts in item["children"]]
    assert len(pairs) > len(set(pairs))
    assert any(item["confirmed"] for item in sent)
    assert any(item["body"]["unit"] == "MD-CU-BOT-VIL" for item in sent)
    assert any(item["body"]["channel"] == "self_referral" for item in sent)
    assert any(facts[1] is None for item in sent for _pk, facts in item["children"])
    for who, unit, areas in [
        ("supervisor", "MD-CU", ("MD-CU",)),
        ("supervisor", "MD-CU-BOT", ("MD-CU-BOT",)),
        ("specialist", "MD-CU-BOT", ("MD-CU-BOT",)),
        ("specialist2", "MD-CU-CEN", ("MD-CU-CEN",)),
    ]:
        response = api(personas[who]).get(f"/api/v1/analytics/hg270/?year={year}&unit={unit}")
        assert response.status_code == 200, response.json()
        document = response.json()
        assert document["year"] == year
        assert document["unit"] == unit
        assert document["suppressed"] is False
        assert document["rows"] == expected(sent, year, areas), (who, unit)
    rows = document["rows"]
    # The forms add up to the children subjected to violence; breakdowns add up to their row.
    assert sum(rows[k] for k in ["6", "7", "8", "9", "10"]) == rows["5"]
    assert rows["1.1"] + rows["1.2"] + rows["1.3"] + rows["1.other_sources"] == rows["1"]
    # Last year's reports are last year's.
    before = api(personas["supervisor"]).get(f"/api/v1/analytics/hg270/?year={year - 1}&unit=MD-CU")
    assert before.json()["rows"] == expected(sent, year - 1, ("MD-CU",))
    assert before.json()["rows"]["1"] + before.json()["rows"]["2"] > 0


def test_the_default_is_the_readers_area(api: Any, personas: dict[str, Any], world: Any) -> None:
    response = api(personas["specialist"]).get(f"/api/v1/analytics/hg270/?year={world['year']}")
    assert response.status_code == 200
    assert response.json()["unit"] == "MD-CU-BOT"


def test_a_planner_reads_small_counts_as_under_five(
    api: Any, make_user: Any, institutions: dict[str, Any], personas: dict[str, Any], world: Any
) -> None:
    planner = make_user("planner", ("planner",), ("MD-CU",), institutions["DGPDC"])
    year = world["year"]
    exact = api(personas["supervisor"]).get(f"/api/v1/analytics/hg270/?year={year}&unit=MD-CU")
    shown = api(planner).get(f"/api/v1/analytics/hg270/?year={year}&unit=MD-CU").json()
    assert shown["suppressed"] is True
    small = 0
    for key, value in exact.json()["rows"].items():
        if 1 <= value <= 4:
            assert shown["rows"][key] == "<5"
            small += 1
        else:
            # Shown as it is, or hidden beside a small count so that it cannot be computed back.
            assert shown["rows"][key] in (value, "×")
    assert small > 0


# The rows of the form that add up: (total or None when the total is not a row, parts).
ADDITIVE = [
    ("1", ["1.1", "1.2", "1.3", "1.other_sources"]),
    ("1", ["1.urban", "1.rural", "1.place_unknown"]),
    (None, ["1.girls", "1.boys", "1.sex_unknown"]),
    (None, ["1.age_0_2", "1.age_3_6", "1.age_7_17", "1.age_unknown"]),
    ("2", ["2.urban", "2.rural", "2.place_unknown"]),
    (None, ["2.girls", "2.boys", "2.sex_unknown"]),
    (None, ["2.age_0_2", "2.age_3_6", "2.age_7_17", "2.age_unknown"]),
    ("5", ["6", "7", "8", "9", "10"]),
    (None, ["1", "2"]),
    # Rows 1 and 2 together: the dashboards show the children by sex and age, reports by unit.
    *(
        (None, [f"1.{part}", f"2.{part}"])
        for part in (
            *("urban", "rural", "place_unknown", "girls", "boys", "sex_unknown"),
            *("age_0_2", "age_3_6", "age_7_17", "age_unknown"),
        )
    ),
]


def test_no_hidden_count_can_be_computed_back_by_subtraction(
    api: Any, make_user: Any, institutions: dict[str, Any], personas: dict[str, Any], world: Any
) -> None:
    """In every group of rows that add up, a planner never sees all but one: a hidden row alone
    would be its total minus the others (the total of the children's sexes and ages, and of rows
    1 and 2, taken as known: the dashboards show them)."""
    planner = make_user("planner", ("planner",), ("MD-CU",), institutions["DGPDC"])
    year = world["year"]
    checked = 0
    for unit in ("MD-CU", "MD-CU-BOT", "MD-CU-CEN"):
        exact = api(personas["supervisor"]).get(f"/api/v1/analytics/hg270/?year={year}&unit={unit}")
        rows = exact.json()["rows"]
        shown = api(planner).get(f"/api/v1/analytics/hg270/?year={year}&unit={unit}").json()["rows"]
        for total, parts in ADDITIVE:
            cells = parts + ([total] if total else [])
            hidden = [key for key in cells if isinstance(shown[key], str)]
            assert len(hidden) != 1, (unit, total, parts, shown)
            if hidden:
                checked += 1
            # What is shown is true.
            for key in cells:
                if not isinstance(shown[key], str):
                    assert shown[key] == rows[key]
    assert checked > 0
    # Someone who sees the records reads every figure.
    for who in ("specialist", "supervisor"):
        document = api(personas[who]).get(f"/api/v1/analytics/hg270/?year={year}").json()
        assert all(isinstance(value, int) for value in document["rows"].values())


def test_the_planners_page_and_workbook_explain_both_marks(
    client: Any,
    api: Any,
    make_user: Any,
    institutions: dict[str, Any],
    world: Any,
    mfa_off: None,
) -> None:
    planner = make_user("planner", ("planner",), ("MD-CU",), institutions["DGPDC"])
    planner.language = "en"
    planner.save(update_fields=["language"])
    year = world["year"]
    rows = api(planner).get(f"/api/v1/analytics/hg270/?year={year}&unit=MD-CU").json()["rows"]
    assert "×" in rows.values()
    client.force_login(planner)
    text = client.get(f"/analytics/hg270/?year={year}&unit=MD-CU").content.decode()
    assert "×" in text
    assert "hidden so that another figure cannot be computed by subtraction" in text
    response = api(planner).get(f"/api/v1/analytics/hg270.xlsx?year={year}&unit=MD-CU")
    sheet = load_workbook(BytesIO(response.content)).active
    assert isinstance(sheet, Worksheet)
    found = {r[0]: r[2] for r in sheet.iter_rows(values_only=True) if r and r[0] in rows}
    assert found == rows
    cells = [str(c) for r in sheet.iter_rows(values_only=True) for c in r if c]
    # The legend of the second mark (in the reader's language).
    assert any("×" in c and len(c) > 20 for c in cells)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("year=abc&unit=MD-CU", "year"),
        ("year=1800&unit=MD-CU", "year"),
        ("year=2999&unit=MD-CU", "year"),
        ("unit=NOPE", "unit"),
        ("unit=MD-CU-CEN", "unit"),
        ("unit=UA-74", "unit"),
    ],
)
def test_bad_parameters_are_400_with_the_field(
    api: Any, personas: dict[str, Any], query: str, field: str
) -> None:
    response = api(personas["specialist"]).get(f"/api/v1/analytics/hg270/?{query}")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


@pytest.mark.parametrize("who", ["reporter", "auditor", "outsider"])
def test_roles_without_figures_are_refused(api: Any, personas: dict[str, Any], who: str) -> None:
    assert api(personas[who]).get("/api/v1/analytics/hg270/?unit=MD-CU").status_code == 403
    assert api(None).get("/api/v1/analytics/hg270/?unit=MD-CU").status_code in (401, 403)


def test_excel_holds_the_same_rows(api: Any, personas: dict[str, Any], world: Any) -> None:
    year = world["year"]
    client = api(personas["supervisor"])
    rows = client.get(f"/api/v1/analytics/hg270/?year={year}&unit=MD-CU").json()["rows"]
    response = client.get(f"/api/v1/analytics/hg270.xlsx?year={year}&unit=MD-CU")
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    assert isinstance(sheet, Worksheet)
    found = {r[0]: r[2] for r in sheet.iter_rows(values_only=True) if r and r[0] in rows}
    assert found == rows


def test_the_page_shows_the_rows(
    client: Any, personas: dict[str, Any], world: Any, mfa_off: None
) -> None:
    personas["supervisor"].language = "en"
    personas["supervisor"].save(update_fields=["language"])
    client.force_login(personas["supervisor"])
    year = world["year"]
    page = client.get(f"/analytics/hg270/?year={year}&unit=MD-CU")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Children subjected to violence" in text
    assert 'data-row="14"' in text
    download = client.get(f"/analytics/hg270/?year={year}&unit=MD-CU&format=xlsx")
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    bad = client.get("/analytics/hg270/?year=1800&unit=MD-CU")
    assert bad.status_code == 200
    assert 'role="alert"' in bad.content.decode()
    client.force_login(personas["reporter"])
    assert client.get("/analytics/hg270/").status_code == 403


def test_a_unit_without_its_own_mark_takes_the_nearest_one_above(
    api: Any, personas: dict[str, Any], casework: None, village: Any
) -> None:
    """A village of Sîngera with no mark of its own is urban like Sîngera; one under the rural
    village (a hamlet) is rural."""
    from ocrotire.geo.services import UnitSpec, unit_upsert

    for code, parent in (
        ("MD-CU-BOT-SIN-S1", "MD-CU-BOT-SIN"),
        ("MD-CU-BOT-VIL-F1", "MD-CU-BOT-VIL"),
    ):
        unit_upsert(actor=None, spec=UnitSpec(code, "village", code, parent, is_urban=None))
    client = api(personas["specialist"])
    for code in ("MD-CU-BOT-SIN-S1", "MD-CU-BOT-VIL-F1", "MD-CU-BOT-VIL-F1"):
        body = {
            "channel": "phone",
            "reporter": {"kind": "citizen"},
            "children": [{"given_name": "Ana", "family_name": code, "sex": "F"}],
            "concerns": ["neglect"],
            "unit": code,
            "narrative": "Left alone.",
        }
        assert client.post("/api/v1/reports/", body, format="json").status_code == 201
    rows = client.get(
        "/api/v1/analytics/hg270/?unit=MD-CU-BOT&year=" + str(datetime.now(tz=CHISINAU).year)
    ).json()["rows"]
    assert (rows["1"], rows["1.urban"], rows["1.rural"], rows["1.place_unknown"]) == (3, 1, 2, 0)


def test_a_hidden_self_referral_child_cannot_be_taken_from_the_dashboards(
    api: Any,
    make_user: Any,
    institutions: dict[str, Any],
    personas: dict[str, Any],
    casework: None,
) -> None:
    """The dashboards show the year's children by sex, age and urban/rural: rows 1 and 2 of the
    form together. One self-referred boy of 10 beside six reported ones was shown as "<5" in row
    2 while row 1 showed 6 of them, so 7 on the dashboard minus 6 gave him back."""
    year = timezone.localdate().year
    when = min(datetime(year, 1, 15, 10, tzinfo=CHISINAU), timezone.now())
    born = date(when.year - 10, 3, 1).isoformat()
    client = api(personas["specialist"])
    for index, channel in enumerate(["phone"] * 6 + ["self_referral"]):
        body = {
            "received_at": when.isoformat(),
            "channel": channel,
            "reporter": {"kind": "citizen", "name": "X"},
            "children": [
                {
                    "given_name": f"Copil{index}",
                    "family_name": "Test",
                    "sex": "M",
                    "birth_date": born,
                }
            ],
            "concerns": ["neglect"],
            "unit": "MD-CU-BOT",
            "narrative": "Seen.",
        }
        response = client.post("/api/v1/reports/", body, format="json")
        assert response.status_code == 201, response.json()
    planner = api(make_user("planner", ("planner",), ("MD-CU",), institutions["DGPDC"]))
    rows = planner.get(f"/api/v1/analytics/hg270/?year={year}&unit=MD-CU-BOT").json()["rows"]
    period = {"unit": "MD-CU-BOT", "since": f"{year}-01-01", "until": f"{year}-12-31"}
    series = {
        s["name"]: {r["key"]: r["values"].get("count") for r in s["rows"]}
        for s in planner.get("/api/v1/analytics/dashboard/", period).json()["series"]
    }
    assert rows["2.age_7_17"] == "<5"
    # The dashboards show the sum of rows 1 and 2 for these children.
    assert series["children_by_age"]["7_17"] == 7
    assert series["children_by_sex"]["M"] == 7
    for part in ("age_7_17", "boys", "urban"):
        hidden = [row for row in ("1", "2") if isinstance(rows[f"{row}.{part}"], str)]
        assert len(hidden) != 1, (part, rows)
