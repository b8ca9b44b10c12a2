"""Edges of the plan: keepers stay in their area, events count only for rows one reports on,
reminders read the year's own progress, and odd cells are listed instead of failing."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from ocrotire.core.errors import NotAllowed
from ocrotire.planning import parsing
from ocrotire.planning.models import ImportIssue, PlanItem, Progress, Strategy
from ocrotire.planning.reminders import plan_reminders
from ocrotire.planning.services import event_record, item_update, plan_import
from ocrotire.planning.tests.helpers import upload
from ocrotire.workflow.models import Notification

pytestmark = pytest.mark.django_db


def test_a_keeper_of_another_area_changes_nothing(api, make_user, people, imported, seed):
    other = make_user("planner_ua", ("planner",), ("UA-74",))
    assert upload(api, other, seed).status_code == 403
    item = PlanItem.objects.get(strategy_id=imported["id"], code="1.1.1.3")
    with pytest.raises(NotAllowed):
        item_update(actor=other, item=item, version=item.version, title="Altceva")
    progress = api(other).post(
        f"/api/v1/plans/{imported['id']}/items/{item.pk}/progress/",
        {"year": 2023, "status": "done"},
        format="json",
    )
    assert progress.status_code == 403
    assert Strategy.objects.count() == 1


def test_an_event_counts_only_for_rows_one_reports_on(people, imported, md_institutions):
    theirs = PlanItem.objects.get(strategy_id=imported["id"], code="1.1.1.3")  # DGPDC
    with pytest.raises(NotAllowed):
        event_record(
            actor=people["reporter"],
            kind="seminar",
            title="Seminar",
            held_on=date(2023, 3, 1),
            participants=10_000_000,
            unit=theirs.strategy.unit,
            items=[theirs],
        )


def test_reminders_look_at_the_years_own_progress(people, imported):
    item = PlanItem.objects.get(strategy_id=imported["id"], code="1.1.3.4")  # DGPDC, annual
    planner = people["planner"]
    Progress.objects.create(item=item, year=2024, status="done", updated_by=planner)
    Progress.objects.create(item=item, year=2025, status="in_progress", updated_by=planner)
    plan_reminders(date(2025, 12, 1))
    codes = {n.data["subject"] for n in Notification.objects.filter(user=people["dgpdc"])}
    assert "1.1.3.4" in codes
    # The section of DGPDC reports on DGPDC's rows, so it is reminded too.
    assert Notification.objects.filter(user=people["sector"], data__subject="1.1.3.4").exists()


def test_odd_cells_are_listed_not_failed(people, territory):
    plan = parsing.ParsedPlan(name="Plan 2020-2025", period_start=2020, period_end=2025)
    plan.items = [
        parsing.Item("general", "1", "Obiectiv", indicators=[parsing.Indicator("I.1.1", "a")]),
        parsing.Item(
            "specific",
            "1.1",
            "Specific",
            parent="1",
            indicators=[parsing.Indicator("1.1.i", "x"), parsing.Indicator("1.1.i", "x again")],
        ),
    ]
    strategy = plan_import(actor=people["planner"], plan=plan, unit=territory["MD-CU"])
    assert strategy.indicators.count() == 2
    assert ImportIssue.objects.filter(strategy=strategy, problem="duplicate_code").count() == 1
    odd = parsing.parse_action_plan("31.02.2023\n\nPlan 2020-2025\n")
    assert {i.problem for i in odd.issues} >= {"document_date"}
    assert odd.document_date == ""
    [money], _problem = parsing.parse_money("2023 100 mii lei")
    assert money.amount == Decimal(100_000)
    assert parsing.parse_money("99999999999999 lei")[1] is not None
    targets, missing = parsing.parse_targets("Nr. participanți – 99999999999999999")
    assert (targets, missing) == ([], ["participanți"])
    assert parsing.parse_deadline("anual, 40000 ori").kind == "unknown"


def test_text_that_looks_like_a_formula_stays_text(api, people, imported):
    from openpyxl import load_workbook

    item = PlanItem.objects.get(strategy_id=imported["id"], code="1.1.1.3")
    item_update(
        actor=people["planner"],
        item=item,
        version=item.version,
        title=item.title,
        deadline_text="2023",
        result_text='=HYPERLINK("http://example.invalid")',
    )
    exported = api(people["planner"]).get(f"/api/v1/plans/{imported['id']}/export.xlsx")
    sheet = load_workbook(io.BytesIO(exported.content), data_only=True)["Plan"]
    values = [c.value for row in sheet.iter_rows() for c in row]
    assert '=HYPERLINK("http://example.invalid")' in values


def test_far_dates_are_refused_with_a_message(api, people, territory):
    response = api(people["planner"]).get(
        "/api/v1/deinstitutionalisation/", {"unit": "MD-CU", "until": "9999-12-31"}
    )
    assert response.status_code == 400
    assert "until" in response.json()["error"]["fields"]
    assert timezone.localdate()  # the default period still works
    ok = api(people["planner"]).get("/api/v1/deinstitutionalisation/", {"unit": "MD-CU"})
    assert ok.status_code == 200


def test_an_import_sent_twice_with_one_key_makes_one_plan(api, people, seed):
    client = api(people["planner"])
    answers = []
    for _attempt in range(2):
        with seed.open("rb") as handle:
            answers.append(
                client.post(
                    "/api/v1/plans/import/",
                    {"file": handle, "unit": "MD-CU"},
                    format="multipart",
                    HTTP_IDEMPOTENCY_KEY="import-2021-07-07",
                )
            )
    assert [a.status_code for a in answers] == [201, 201]
    assert answers[1]["Idempotent-Replayed"] == "true"
    assert answers[1].json()["id"] == answers[0].json()["id"]
    assert answers[1].json()["document_date"] == "2021-07-07"
    assert Strategy.objects.count() == 1
