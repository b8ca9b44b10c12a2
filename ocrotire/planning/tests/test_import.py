"""The seed action plan (seed 002) imports as it stands: the tree, deadlines, responsible
institutions, indicator targets and money compared with the document cell by cell; what could
not be read is listed, never dropped; the Excel export imports back to the same plan; a computed
indicator follows the live data; an institution reports only on its own sub-actions."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from ocrotire.planning.models import ImportIssue, PlanItem, Progress, Strategy
from ocrotire.planning.parsing import (
    parse_deadline,
    parse_money,
    parse_targets,
    split_institutions,
)
from ocrotire.planning.tests.helpers import upload, walk

pytestmark = pytest.mark.django_db


def test_the_seed_plan_imports_with_its_tree_and_cells(api, people, imported):
    assert imported["name"].startswith("Planul de acțiuni în vederea implementării Strategiei")
    assert (imported["period_start"], imported["period_end"]) == (2020, 2025)
    assert imported["document_date"] == "2021-07-07"
    assert "decizia CMC (din 16 iulie 2020)" in imported["approving_decision"]
    plan = api(people["planner"]).get(f"/api/v1/plans/{imported['id']}/").json()
    nodes = walk(plan["tree"])
    levels = [n["level"] for n in nodes.values()]
    assert (levels.count("general"), levels.count("specific")) == (1, 2)
    assert (levels.count("action"), levels.count("subaction")) == (8, 41)
    general = nodes["1"]
    assert general["title"].startswith("Prevenirea și combaterea violenței")
    assert [i["code"] for i in general["indicators"]] == ["I.1.1", "I.1.2", "I.1.3"]
    assert [c["code"] for c in general["children"]] == ["1.1", "1.2"]
    assert [c["code"] for c in nodes["1.2"]["children"]] == ["1.2.1", "1.2.2", "1.2.3", "1.2.4"]
    assert [i["code"] for i in nodes["1.2"]["indicators"]] == ["1.2.i"]
    assert [i["code"] for i in nodes["1.1.3"]["indicators"]] == ["1.1.3.a)"]

    # A held-back sample, cell by cell.
    reports = nodes["1.2.2.3"]
    assert reports["deadline"]["text"] == "2021"
    assert (reports["deadline"]["kind"], reports["deadline"]["start_year"]) == ("year", 2021)
    assert {i["abbreviation"] for i in reports["responsible"]} == {"DGPDC", "DGASS", "DGETS"}
    assert reports["cross_refs"] == ["5.1.1"]
    [target] = reports["indicators"]
    assert (target["unit"], target["computation"]) == ("sesizări parvenite", "reports_received")
    assert target["targets"] == [{"year": None, "value": "600.00", "comparator": "at_least"}]

    centre = nodes["1.2.4.5"]
    assert centre["deadline"]["start_year"] == 2023
    assert {i["abbreviation"] for i in centre["responsible"]} == {"DGPDC", "CMC"}
    assert [i["abbreviation"] for i in centre["partners"]] == ["MSPFM"]
    assert centre["money"] == {"municipal": "400000.00", "total": "400000.00"}
    assert nodes["1.2.4"]["money"]["total"] == "700000.00"  # 400,0 + 300,0 mii lei
    assert nodes["1"]["money"]["municipal"] == "700000.00"

    twice = nodes["1.1.1.2"]
    assert (twice["deadline"]["kind"], twice["deadline"]["times_per_year"]) == ("periodic", 2)
    assert twice["responsible"] == []  # "Comitetul coordonator" is not in the register
    ranged = nodes["1.1.3.2"]["deadline"]
    assert (ranged["kind"], ranged["start_year"], ranged["end_year"]) == ("range", 2023, 2025)
    assert nodes["1.2.2.4"]["deadline"]["kind"] == "as_needed"
    seminars = nodes["1.1.3.4"]["indicators"]
    assert [(i["unit"], i["targets"][0]["value"]) for i in seminars] == [
        ("seminare", "1.00"),
        ("participanți", "30.00"),
    ]
    assert [i["computation"] for i in seminars] == ["training_events", "training_participants"]
    assert nodes["1.1.3.4"]["cross_refs"] == ["2.4.3"]
    bookmarked = nodes["1.2.4.7"]
    assert [i["abbreviation"] for i in bookmarked["responsible"]] == ["DGPDC"]


def test_what_could_not_be_read_is_listed(api, people, imported):
    assert imported["incomplete"] == ["1.2.4.8"]
    issues = {(i["location"], i["problem"], i["text"]) for i in imported["issues"]}
    assert any(loc == "1.2.4.8" and p == "incomplete_row" for loc, p, _t in issues)
    assert ("1.1.1.2", "institution", "Comitetul coordonator") in issues
    assert ("1.1.2.1", "institution", "Toate direcțiile") in issues
    assert ("1.1.1.4", "institution_partly", "IGP direcțiile") in issues
    assert ("1.1.2.2", "no_target", "reprezentanți cuprinși") in issues
    # The cut row keeps what the document has.
    plan = api(people["planner"]).get(f"/api/v1/plans/{imported['id']}/").json()
    last = walk(plan["tree"])["1.2.4.8"]
    assert last["result_text"] == "Anual:Nr de mesaje promovate media"
    assert ImportIssue.objects.filter(strategy_id=imported["id"]).count() == len(imported["issues"])
    listed = api(people["planner"]).get(f"/api/v1/plans/{imported['id']}/issues/").json()
    assert len(listed["results"]) == len(imported["issues"])


def test_the_excel_export_imports_back_to_the_same_plan(api, people, imported, tmp_path):
    exported = api(people["planner"]).get(f"/api/v1/plans/{imported['id']}/export.xlsx")
    assert exported.status_code == 200
    assert exported["Content-Type"].startswith("application/vnd.openxmlformats")
    import io

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(exported.content))["Plan"]
    numbering = [c.value for c in sheet[4]]
    assert numbering == [
        "1",
        "2",
        "3",
        "4",
        "5",
        "6",
        "7-1",
        "7-2",
        "7-3",
        "8",
        "8-1",
        "8-2",
        "8-3",
        "8-4",
    ]
    workbook = tmp_path / "plan.xlsx"
    workbook.write_bytes(exported.content)
    again = upload(api, people["planner"], workbook)
    assert again.status_code == 201, again.content
    first = api(people["planner"]).get(f"/api/v1/plans/{imported['id']}/").json()
    second = api(people["planner"]).get(f"/api/v1/plans/{again.json()['id']}/").json()
    assert second["name"] == first["name"]

    def comparable(tree: list[dict[str, Any]]) -> dict[str, Any]:
        rows = {}
        for code, node in walk(tree).items():
            node = {k: v for k, v in node.items() if k not in ("id", "children", "version")}
            for indicator in node["indicators"]:
                indicator.pop("id")
            # Amounts travel as numbers the workbook can add up; the words they were first
            # written in ("400,0 mii lei. Buget municipal") stay with the first import.
            for funding in node.get("funding", []):
                funding.pop("text")
            rows[code] = node
        return rows

    assert comparable(second["tree"]) == comparable(first["tree"])


def test_a_computed_indicator_follows_the_reports_registered(api, people, imported, casework):
    from ocrotire.cases.tests.test_case_pages import open_case

    year = timezone.localdate().year
    listed = (
        api(people["planner"])
        .get("/api/v1/indicators/", {"plan": imported["id"], "code": "1.2.2.3-1", "year": year})
        .json()
    )
    [indicator] = listed["results"]
    [before] = indicator["years"]
    assert before["computed"] is True
    assert before["target"] == "600.00"
    open_case(api, people["dgpdc"])  # files a report in Botanica, then opens its case
    after = (
        api(people["planner"])
        .get("/api/v1/indicators/", {"plan": imported["id"], "code": "1.2.2.3-1", "year": year})
        .json()["results"][0]["years"][0]
    )
    assert Decimal(after["value"]) == Decimal(before["value"]) + 1
    # Without a year, the list shows every year of the plan and, once it has ended, the years
    # since: the live count of this year is there too.
    every = (
        api(people["planner"])
        .get("/api/v1/indicators/", {"plan": imported["id"], "code": "1.2.2.3-1"})
        .json()["results"][0]["years"]
    )
    assert every[0]["year"] == 2020
    assert every[-1]["year"] == max(year, 2025)
    this_year = next(row for row in every if row["year"] == year)
    assert this_year["value"] == after["value"]
    # A computed value is not typed in.
    refused = api(people["planner"]).post(
        f"/api/v1/indicators/{indicator['id']}/values/", {"year": year, "value": 3}, format="json"
    )
    assert refused.status_code == 400


def test_an_institution_reports_only_on_its_own_sub_actions(api, people, imported):
    strategy = Strategy.objects.get(pk=imported["id"])
    dgpdc_only = PlanItem.objects.get(strategy=strategy, code="1.1.1.3")  # DGPDC
    dgets_only = PlanItem.objects.get(strategy=strategy, code="1.1.3.1")  # DGETS
    url = f"/api/v1/plans/{strategy.pk}/items/{{}}/progress/"
    body = {"year": 2023, "status": "done", "comment": "Plan actualizat"}
    refused = api(people["dgets"]).post(url.format(dgpdc_only.pk), body, format="json")
    assert refused.status_code == 403
    assert not Progress.objects.exists()
    own = api(people["dgets"]).post(url.format(dgets_only.pk), body, format="json")
    assert own.status_code == 200, own.content
    # A sector section of DGPDC reports on DGPDC's rows; a school on none.
    sector = api(people["sector"]).post(url.format(dgpdc_only.pk), body, format="json")
    assert sector.status_code == 200, sector.content
    school = api(people["reporter"]).post(url.format(dgets_only.pk), body, format="json")
    assert school.status_code in (403, 404)
    # A second write on a stale version is a conflict, not an overwrite.
    stale = api(people["dgets"]).post(
        url.format(dgets_only.pk), {**body, "status": "delayed", "version": 0}, format="json"
    )
    assert stale.status_code == 409
    tree = api(people["planner"]).get(f"/api/v1/plans/{strategy.pk}/", {"year": 2023}).json()
    nodes = walk(tree["tree"])
    assert nodes["1.1.3.1"]["status"] == "done"
    assert nodes["1.1"]["progress"]["done"] == 2
    # Entered values need a responsible institution too.
    indicator = strategy.indicators.get(code="1.1.4.3-1")  # 30 profesori, a DGETS row
    entered = api(people["dgets"]).post(
        f"/api/v1/indicators/{indicator.pk}/values/",
        {"year": 2025, "value": "31", "note": "Lista participanților"},
        format="json",
    )
    assert entered.status_code == 200, entered.content
    assert entered.json()["years"][0]["met"] is True
    assert (
        api(people["dgpdc"])
        .post(
            f"/api/v1/indicators/{indicator.pk}/values/", {"year": 2024, "value": 1}, format="json"
        )
        .status_code
        == 403
    )


def test_only_plan_keepers_import(api, people, seed):
    assert upload(api, people["dgets"], seed).status_code == 403
    assert not Strategy.objects.exists()


def test_a_file_that_is_no_plan_is_refused_with_a_message(api, people, tmp_path):
    junk = tmp_path / "notes.txt"
    junk.write_text("Just a note, no table.", encoding="utf-8")
    response = upload(api, people["planner"], junk)
    assert response.status_code == 400
    assert response.json()["error"]["fields"]
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    assert upload(api, people["planner"], broken).status_code == 400
    assert not Strategy.objects.exists()


@pytest.mark.parametrize(
    ("text", "kind", "start", "end", "times"),
    [
        ("2022", "year", 2022, 2022, None),
        ("2023-25", "range", 2023, 2025, None),
        ("2021-22", "range", 2021, 2022, None),
        ("anual", "annual", None, None, 1),
        ("Periodic (2 ori de pe an)", "periodic", None, None, 2),
        ("permanent", "permanent", None, None, None),
        ("După necesitate", "as_needed", None, None, None),
        ("2022 și anual", "annual", 2022, None, 1),
        ("2022 și actualizat periodic", "periodic", 2022, None, None),
        ("când va fi posibil", "unknown", None, None, None),
    ],
)
def test_deadlines(text, kind, start, end, times):
    deadline = parse_deadline(text)
    assert (deadline.kind, deadline.start_year, deadline.end_year) == (kind, start, end)
    assert deadline.times_per_year == times


def test_targets_money_and_names():
    targets, missing = parse_targets("Anual: Nr. sesizări – 35. Nr. cazuri - 100. Nr. vizite - 75.")
    assert [(t.unit, t.value, t.annual) for t in targets] == [
        ("sesizări", Decimal(35), True),
        ("cazuri", Decimal(100), True),
        ("vizite", Decimal(75), True),
    ]
    assert missing == []
    targets, missing = parse_targets("Program implementat în (50%) școli")
    assert [(t.unit, t.value, t.percent) for t in targets] == [("școli", Decimal(50), True)]
    _targets, missing = parse_targets("Anual:Nr asistenți juridici angajați suplimentar, nr cazuri")
    assert missing == ["asistenți juridici angajați suplimentar", "cazuri"]
    [money], problem = parse_money("400,0 mii lei.\nBuget municipal")
    assert (money.source, money.amount, money.currency, problem) == (
        "municipal",
        Decimal("400000.0"),
        "MDL",
        None,
    )
    [money], _ = parse_money("300,0 mii lei. Buget mun")
    assert money.source == "municipal"
    assert parse_money("multă muncă", "8")[1] is not None
    assert split_institutions("DGPDC, DGETS, DGASS (Direcția juridică)") == [
        ("DGPDC", ""),
        ("DGETS", ""),
        ("DGASS", "Direcția juridică"),
    ]


def test_the_plan_as_a_pdf(api, people, imported):
    response = api(people["reporter"]).get(
        f"/api/v1/plans/{imported['id']}/export.pdf", {"year": 2023}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert len(response.content) > 5000
