"""The plan's pages: the tree with statuses and money, a sub-action where its responsible
institution records progress and values (refusals shown beside the fields, nothing lost), the
import form, the cells to look at, the execution report and the events."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from ocrotire.planning.models import PlanItem, Progress, Strategy, TrainingEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(people: dict[str, Any]) -> None:
    for user in people.values():
        user.language = "en"
        user.save(update_fields=["language"])


def test_the_tree_page_shows_every_row_with_money(client, mfa_off, people, imported):
    client.force_login(people["reporter"])
    page = client.get(f"/plans/{imported['id']}/", {"year": 2023})
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count('data-code="') == 52
    assert 'data-code="1.2.4.5"' in html
    assert "700,000" in html or "700 000" in html or "700.000" in html
    assert "cells to look at" in html


def test_a_responsible_institution_records_progress_from_the_page(
    client, mfa_off, people, imported
):
    strategy = Strategy.objects.get(pk=imported["id"])
    own = PlanItem.objects.get(strategy=strategy, code="1.1.3.1")  # DGETS
    other = PlanItem.objects.get(strategy=strategy, code="1.1.1.3")  # DGPDC
    client.force_login(people["dgets"])
    page = client.get(f"/plans/{strategy.pk}/items/{own.pk}/").content.decode()
    assert 'id="progress-form"' in page
    assert (
        'id="progress-form"'
        not in client.get(f"/plans/{strategy.pk}/items/{other.pk}/").content.decode()
    )
    long = "x" * 4001
    refused = client.post(
        f"/plans/{strategy.pk}/items/{own.pk}/progress/",
        {"year": 2023, "status": "done", "comment": long, "version": 0},
    )
    assert refused.status_code == 400
    assert "At most 4,000 characters." in refused.content.decode()
    assert long in refused.content.decode()  # what was typed is kept
    saved = client.post(
        f"/plans/{strategy.pk}/items/{own.pk}/progress/",
        {"year": 2023, "status": "done", "comment": "Curricula aprobată", "version": 0},
    )
    assert saved.status_code == 302
    assert Progress.objects.get(item=own, year=2023).status == "done"
    stale = client.post(
        f"/plans/{strategy.pk}/items/{own.pk}/progress/",
        {"year": 2023, "status": "delayed", "comment": "", "version": 0},
    )
    assert stale.status_code == 409
    assert Progress.objects.get(item=own, year=2023).status == "done"
    forbidden = client.post(
        f"/plans/{strategy.pk}/items/{other.pk}/progress/",
        {"year": 2023, "status": "done", "version": 0},
    )
    assert forbidden.status_code == 403


def test_values_are_entered_with_evidence(client, mfa_off, people, imported):
    strategy = Strategy.objects.get(pk=imported["id"])
    item = PlanItem.objects.get(strategy=strategy, code="1.1.4.3")  # DGETS: 30 profesori, 60 copii
    indicator = item.indicators.get(code="1.1.4.3-1")
    client.force_login(people["dgets"])
    prefix = f"v{indicator.pk}"
    bad = client.post(
        f"/plans/{strategy.pk}/items/{item.pk}/indicators/{indicator.pk}/",
        {f"{prefix}-year": 2031, f"{prefix}-value": "12", f"{prefix}-note": "Listă"},
    )
    assert bad.status_code == 400
    assert "2020–2025" in bad.content.decode() or "2100" in bad.content.decode()
    good = client.post(
        f"/plans/{strategy.pk}/items/{item.pk}/indicators/{indicator.pk}/",
        {f"{prefix}-year": 2025, f"{prefix}-value": "31", f"{prefix}-note": "Listă de prezență"},
    )
    assert good.status_code == 302
    page = client.get(f"/plans/{strategy.pk}/items/{item.pk}/").content.decode()
    assert "Listă de prezență" in page
    assert "met" in page


def test_import_from_the_page_and_the_cells_to_look_at(client, mfa_off, people, seed):
    client.force_login(people["planner"])
    from ocrotire.geo.models import Unit

    unit = Unit.objects.get(code="MD-CU")
    with seed.open("rb") as handle:
        answer = client.post("/plans/import/", {"file": handle, "unit": unit.pk})
    assert answer.status_code == 302, answer.content.decode()[:2000]
    strategy = Strategy.objects.get()
    assert answer["Location"] == f"/plans/{strategy.pk}/issues/"
    issues = client.get(answer["Location"]).content.decode()
    assert "Comitetul coordonator" in issues
    assert "The document ends in this row" in issues
    first = strategy.issues.order_by("id")[0]
    client.post(answer["Location"], {"issue": first.pk})
    first.refresh_from_db()
    assert first.resolved
    client.force_login(people["dgets"])
    assert client.post(answer["Location"], {"issue": first.pk}).status_code == 403


def test_the_execution_report_and_events(client, mfa_off, people, imported):
    strategy = Strategy.objects.get(pk=imported["id"])
    seminar_row = PlanItem.objects.get(strategy=strategy, code="1.1.3.4")  # DGPDC, annual
    client.force_login(people["dgpdc"])
    year = timezone.localdate().year
    recorded = client.post(
        "/plans/events/",
        {
            "kind": "seminar",
            "title": "Prevenirea și combaterea traficului de copii",
            "held_on": f"{year}-03-14",
            "participants": 32,
            "items": [seminar_row.pk],
        },
    )
    assert recorded.status_code == 302
    assert TrainingEvent.objects.get().organiser.abbreviation == "DGPDC"
    report = client.get(f"/plans/{strategy.pk}/report/", {"year": min(year, 2025)}).content.decode()
    assert 'data-code="1.1.3.4"' in report
    assert 'data-code="1.1.1.1"' not in report or min(year, 2025) == 2022
    if year <= 2025:
        # The seminar counts towards the row's two computed indicators.
        row = report.split('data-code="1.1.3.4"')[1].split("</tr>")[0]
        assert "seminare: 1" in row
        assert "participanți: 32" in row


def test_a_planner_defines_an_indicator(client, mfa_off, people, imported):
    strategy = Strategy.objects.get(pk=imported["id"])
    item = PlanItem.objects.get(strategy=strategy, code="1.2.2.5")  # children placed - 20
    indicator = item.indicators.get(code="1.2.2.5-1")
    url = f"/plans/{strategy.pk}/items/{item.pk}/indicators/{indicator.pk}/definition/"
    prefix = f"d{indicator.pk}"
    client.force_login(people["planner"])
    page = client.get(f"/plans/{strategy.pk}/items/{item.pk}/").content.decode()
    assert "Define the indicator" in page
    bad = client.post(
        url,
        {
            f"{prefix}-computation": "children_placed_emergency",
            f"{prefix}-targets": "next year: lots",
            f"{prefix}-version": indicator.version,
        },
    )
    assert bad.status_code == 400
    assert "Line 1 is not a year and a value" in bad.content.decode()
    good = client.post(
        url,
        {
            f"{prefix}-computation": "children_placed_emergency",
            f"{prefix}-unit": "copii plasați",
            f"{prefix}-targets": "*: 20\n2024: 25",
            f"{prefix}-version": indicator.version,
        },
    )
    assert good.status_code == 302
    indicator.refresh_from_db()
    assert indicator.computation == "children_placed_emergency"
    assert sorted((t.year or 0, int(t.value)) for t in indicator.targets.all()) == [
        (0, 20),
        (2024, 25),
    ]
    client.force_login(people["dgpdc"])
    assert client.post(url, {f"{prefix}-version": indicator.version}).status_code == 403


def test_a_planner_corrects_a_row_the_import_could_not_read(
    client, mfa_off, people, imported, md_institutions
):
    strategy = Strategy.objects.get(pk=imported["id"])
    item = PlanItem.objects.get(strategy=strategy, code="1.1.1.2")  # "Comitetul coordonator"
    assert not item.responsible.exists()
    client.force_login(people["planner"])
    url = f"/plans/{strategy.pk}/items/{item.pk}/edit/"
    bad = client.post(
        url,
        {"title": item.title, "deadline_text": "când se poate", "version": item.version},
    )
    assert bad.status_code == 400
    assert "Write a year (2024)" in bad.content.decode()
    good = client.post(
        url,
        {
            "title": item.title,
            "deadline_text": "Periodic (2 ori pe an)",
            "responsible": [md_institutions["DGPDC"].pk],
            "result_text": item.result_text,
            "version": item.version,
        },
    )
    assert good.status_code == 302
    item.refresh_from_db()
    assert [i.abbreviation for i in item.responsible.all()] == ["DGPDC"]
    assert (item.deadline_kind, item.times_per_year) == ("periodic", 2)
    # Now DGPDC's people may report on it.
    client.force_login(people["dgpdc"])
    page = client.get(f"/plans/{strategy.pk}/items/{item.pk}/").content.decode()
    assert 'id="progress-form"' in page
    assert 'id="item-form"' not in page
    assert client.post(url, {"title": "x", "version": item.version}).status_code == 403


def test_evidence_files_land_with_their_value_and_stay_private(client, mfa_off, people, imported):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from ocrotire.planning.models import Evidence, IndicatorValue

    strategy = Strategy.objects.get(pk=imported["id"])
    item = PlanItem.objects.get(strategy=strategy, code="1.1.4.3")  # DGETS
    indicator = item.indicators.get(code="1.1.4.3-1")
    url = f"/plans/{strategy.pk}/items/{item.pk}/indicators/{indicator.pk}/"
    prefix = f"v{indicator.pk}"
    client.force_login(people["dgets"])
    refused = client.post(
        url,
        {
            f"{prefix}-year": 2025,
            f"{prefix}-value": "31",
            f"{prefix}-file": SimpleUploadedFile("run.exe", b"MZ...", "application/x-msdownload"),
        },
    )
    assert refused.status_code == 400
    assert "This kind of file is not accepted" in refused.content.decode()
    assert not IndicatorValue.objects.exists()  # the value waits for an acceptable file
    saved = client.post(
        url,
        {
            f"{prefix}-year": 2025,
            f"{prefix}-value": "31",
            f"{prefix}-file": SimpleUploadedFile("lista.pdf", b"%PDF-1.4 lista", "application/pdf"),
        },
    )
    assert saved.status_code == 302
    evidence = Evidence.objects.get()
    page = client.get(f"/plans/{strategy.pk}/items/{item.pk}/").content.decode()
    assert f"/plans/evidence/{evidence.pk}/" in page
    download = client.get(f"/plans/evidence/{evidence.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 lista"
    client.force_login(people["reporter"])
    assert client.get(f"/plans/evidence/{evidence.pk}/").status_code == 403
