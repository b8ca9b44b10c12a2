"""A working day in each country (issue 20, item 6): Chernihiv, Bacău county and Alamüdün
district hold cases at every stage, each from a triaged report; their specialists sign in through
the API and find their caseload and their due and overdue work; Chernihiv's city reports count as
urban in the dashboard."""

from __future__ import annotations

import html
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from ocrotire.accounts.models import User
from ocrotire.cases.models import Case, Stage
from ocrotire.core.tests.snapshot import demo_in_transaction
from ocrotire.demo.loader import DEMO_PASSWORD
from ocrotire.intake.models import Report, ReportStatus

# The tests read the demo: it is loaded once for the module, before each test's own transaction.
pytestmark = pytest.mark.usefixtures("db")

# Each area's specialist, the unit of their account, their language and a word of its script.
AREAS = {
    "UA": ("specialist_ua", "UA-74-CHE-CHEH", "uk", re.compile("[іїєґ]")),
    "RO": ("specialist_ro", "RO-BC", "ro", re.compile("[ăâîșț]")),
    # Russian: Cyrillic without the letters of Ukrainian.
    "KG": ("specialist_kg", "KG-C-ALA", "ru", re.compile("^(?=.*[а-я])(?!.*[іїєґ])", re.S)),
}


@pytest.fixture(autouse=True)
def _world_then_db(request: Any, module_world: Any) -> None:
    module_world.use("demo", demo_in_transaction)
    request.getfixturevalue("db")


def _signed_in(username: str) -> APIClient:
    client = APIClient()
    response = client.post(
        "/api/v1/auth/token/", {"username": username, "password": DEMO_PASSWORD}, format="json"
    )
    assert response.status_code == 200, username
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    return client


def _all_cases(client: APIClient) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    page = 1
    while True:
        body = client.get("/api/v1/cases/", {"page": page, "page_size": 100}).json()
        rows += body["results"]
        if not body.get("next"):
            return rows
        page += 1


@pytest.mark.parametrize("country", sorted(AREAS))
def test_each_area_has_cases_at_every_stage_from_triaged_reports(country: str) -> None:
    _username, unit, _language, script = AREAS[country]
    cases = Case.objects.filter(unit__path__contains=f"/{unit}/")
    assert set(cases.values_list("stage", flat=True)) == set(Stage.values)
    for case in cases:
        report = Report.objects.get(cases=case)
        assert report.status == ReportStatus.CASE_OPENED
        assert report.unit.country == country
        assert report.concerns.exists()
        # Written in the country's language, not copied from another area.
        assert script.search(report.narrative.lower()), report.narrative
    # Deadlines of the country's rules, some met, some missed, some running.
    tasks = [t for case in cases for t in case.tasks.all()]
    assert {t.rule.country for t in tasks} == {country}
    now = timezone.now()
    assert any(t.done_at is not None and t.done_at <= t.due_at for t in tasks)
    assert any(t.status == "open" and t.due_at < now for t in tasks)
    assert any(t.status == "open" and t.due_at > now for t in tasks)
    # A report still awaits triage, past its deadline.
    waiting = Report.objects.filter(unit__path__contains=f"/{unit}/", status=ReportStatus.NEW)
    assert any(t.due_at < now for report in waiting for t in report.tasks.all())


@pytest.mark.parametrize("country", sorted(AREAS))
def test_each_specialist_signs_in_and_lists_a_caseload(country: str) -> None:
    username, _unit, language, _script = AREAS[country]
    client = _signed_in(username)
    me = client.get("/api/v1/me/").json()
    assert me["language"] == language
    assert me["roles"] == ["specialist"]
    rows = _all_cases(client)
    assert len(rows) >= 20
    assert {row["unit"][:2] for row in rows} == {country}
    assert {row["stage"] for row in rows} == set(Stage.values)
    work = client.get("/api/v1/my-work/").json()
    assert work["overdue"], username
    assert work["upcoming"] or work["due_today"], username
    # The supervisor of the area has plans and closures to decide.
    supervisor = _signed_in(username.replace("specialist", "supervisor"))
    approvals = supervisor.get("/api/v1/my-work/").json()["approvals"]
    assert {row["stage"] for row in approvals} >= {Stage.PLAN_APPROVAL, Stage.CLOSURE_PROPOSED}


def test_each_specialist_reads_my_work_in_their_language(client: Any) -> None:
    for username, _unit, _language, _script in AREAS.values():
        user = User.objects.get(username=username)
        client.force_login(user)
        page = html.unescape(client.get("/cases/my-work/").content.decode()).lower()
        rules = {
            task.rule
            for case in Case.objects.filter(manager=user)
            for task in case.tasks.filter(status="open")
        }
        names = {rule.names[user.language] for rule in rules} - {rule.names["en"] for rule in rules}
        assert any(name.lower() in page for name in names), username


def _children_by_area(username: str, unit: str) -> dict[str, Any]:
    client = _signed_in(username)
    body = client.get("/api/v1/analytics/dashboard/", {"unit": unit}).json()
    series = {s["name"]: s for s in body["series"]}
    rows = series["children_by_area"]["rows"]
    return {row["key"]: next(iter(row["values"].values())) for row in rows}


def test_chernihiv_city_reports_count_as_urban_on_the_dashboard() -> None:
    counts = _children_by_area("supervisor_ua", "UA-74-CHE-CHEH")
    assert counts["urban"] not in (0, "<5", "×")
    assert counts.get("rural", 0) == 0
    assert counts.get("unknown", 0) == 0


def test_bacau_city_is_urban_its_communes_and_alamudun_rural_on_the_dashboard() -> None:
    bacau = _children_by_area("supervisor_ro", "RO-BC")
    assert bacau["urban"] not in (0, "<5", "×")
    assert bacau["rural"] not in (0, "<5", "×")
    assert bacau.get("unknown", 0) == 0
    alamudun = _children_by_area("supervisor_kg", "KG-C-ALA")
    assert alamudun["rural"] not in (0, "<5", "×")
    assert alamudun.get("urban", 0) == alamudun.get("unknown", 0) == 0


def test_each_worker_reads_due_times_in_their_countrys_time_zone(client: Any) -> None:
    """A deadline is shown at the time it falls where the work is done: the same task reads
    three hours later in Bishkek than in Chișinău."""
    for country, zone in (("KG", "Asia/Bishkek"), ("MD", "Europe/Chisinau")):
        username = "specialist_kg" if country == "KG" else "specialist"
        user = User.objects.get(username=username)
        case = (
            Case.objects.filter(manager=user, tasks__status="open", unit__country=country)
            .distinct()
            .first()
        )
        assert case is not None, username
        client.force_login(user)
        page = client.get(f"/cases/{case.pk}/").content.decode()
        task = case.tasks.filter(status="open").order_by("due_at").first()
        assert task is not None
        local = timezone.localtime(task.due_at, ZoneInfo(zone))
        assert f'<time datetime="{local.isoformat()}">' in page, (username, local)
        assert f"{local:%H:%M}</time>" in page, (username, local)
