"""The report → triage → case path through the API, as an outside checker drives it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from ocrotire.cases.models import Case, Stage
from ocrotire.core.models import AuditEvent
from ocrotire.intake.models import Report
from ocrotire.workflow.models import DeadlineRule, Task
from ocrotire.workflow.tasks import overdue_scan

pytestmark = pytest.mark.django_db
CHISINAU = ZoneInfo("Europe/Chisinau")


def report_body(**extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "channel": "phone",
        "reporter": {"kind": "professional", "sector": "education", "name": "Diriginta"},
        "children": [
            {"given_name": "Ion", "family_name": "Rusu", "sex": "M", "birth_date": "2015-03-02"}
        ],
        "concerns": ["physical", "neglect"],
        "most_serious": "physical",
        "immediate_danger": False,
        "unit": "MD-CU-BOT",
        "narrative": "Bruises on both arms, the child says his father hit him.",
    }
    body.update(extra)
    return body


@pytest.fixture
def specialist_api(api: Any, personas: dict[str, Any], casework: None) -> Any:
    return api(personas["specialist"])


def _open_case(client: Any, **extra: Any) -> dict[str, Any]:
    report = client.post("/api/v1/reports/", report_body(**extra), format="json").json()
    triaged = client.post(
        f"/api/v1/reports/{report['id']}/triage/",
        {"decision": "open_case", "reason": "Injuries seen by the school", "risk_level": "high"},
        format="json",
    )
    assert triaged.status_code == 200, triaged.json()
    case_id = triaged.json()["cases"][0]["id"]
    return dict(client.get(f"/api/v1/cases/{case_id}/").json())


@pytest.mark.parametrize(
    "channel",
    ["notification_form", "phone", "hotline", "walk_in", "written", "online", "self_referral"],
)
def test_report_in_every_channel(specialist_api: Any, channel: str) -> None:
    response = specialist_api.post("/api/v1/reports/", report_body(channel=channel), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["channel"] == channel
    assert body["status"] == "new"
    assert body["number"].startswith("DGPDC-BOT-")


def test_anonymous_report_keeps_no_identity(specialist_api: Any) -> None:
    anonymous = report_body(channel="hotline", reporter={"kind": "anonymous"})
    response = specialist_api.post("/api/v1/reports/", anonymous, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["reporter"]["anonymous"] is True
    named = report_body(reporter={"kind": "citizen", "anonymous": True, "name": "Vecina"})
    refused = specialist_api.post("/api/v1/reports/", named, format="json")
    assert refused.status_code == 400
    assert "reporter" in refused.json()["error"]["fields"]


def test_bad_report_is_refused_with_fields_and_nothing_written(specialist_api: Any) -> None:
    before = (Report.objects.count(), AuditEvent.objects.count())
    body = report_body(concerns=["physical", "sexual"], most_serious="", unit="NOPE")
    response = specialist_api.post("/api/v1/reports/", body, format="json")
    assert response.status_code == 400
    assert "unit" in response.json()["error"]["fields"]
    body = report_body(concerns=["physical", "sexual", "made_up"], most_serious="")
    response = specialist_api.post("/api/v1/reports/", body, format="json")
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert set(fields) >= {"concerns", "most_serious"}
    assert (Report.objects.count(), AuditEvent.objects.count()) == before


def test_idempotency_key_creates_one_report(specialist_api: Any) -> None:
    headers = {"HTTP_IDEMPOTENCY_KEY": "retry-42"}
    first = specialist_api.post("/api/v1/reports/", report_body(), format="json", **headers)
    second = specialist_api.post("/api/v1/reports/", report_body(), format="json", **headers)
    assert first.status_code == second.status_code == 201
    assert first.json()["number"] == second.json()["number"]
    assert Report.objects.count() == 1


def test_triage_opens_case_with_tasks_from_rules(specialist_api: Any) -> None:
    case = _open_case(specialist_api)
    assert case["stage"] == "initial_assessment"
    assert case["risk_level"] == "high"
    [task] = case["tasks"]
    assert task["kind"] == "initial_assessment_high"
    assert task["verified"] is False
    # The initial assessment counts from the report's receipt (`counted_from`), not the triage.
    received = Report.objects.get(cases=case["id"]).received_at
    assert datetime.fromisoformat(task["due_at"]) - received == timedelta(hours=24)


def test_report_received_days_ago_shows_overdue_triage(specialist_api: Any) -> None:
    received = timezone.now() - timedelta(days=6)
    report = specialist_api.post(
        "/api/v1/reports/",
        report_body(received_at=received.isoformat(), channel="written"),
        format="json",
    ).json()
    detail = specialist_api.get(f"/api/v1/reports/{report['id']}/").json()
    triage = next(t for t in detail["tasks"] if t["kind"] == "triage")
    assert triage["overdue"] is True
    # the periodic job escalates it once and writes it on the timeline
    assert overdue_scan() == 1
    assert overdue_scan() == 0
    detail = specialist_api.get(f"/api/v1/reports/{report['id']}/").json()
    assert [e["kind"] for e in detail["timeline"]] == ["report_received", "task_overdue"]


def test_repeat_report_links_to_the_open_case(specialist_api: Any) -> None:
    case = _open_case(specialist_api)
    again = specialist_api.post(
        "/api/v1/reports/",
        report_body(children=[{"person": case["child"]["id"]}], channel="hotline"),
        format="json",
    ).json()
    detail = specialist_api.get(f"/api/v1/reports/{again['id']}/").json()
    assert [r["number"] for r in detail["same_child_reports"]] == [case["reports"][0]["number"]]
    refused = specialist_api.post(
        f"/api/v1/reports/{again['id']}/triage/",
        {"decision": "open_case", "reason": "again", "risk_level": "high"},
        format="json",
    )
    assert refused.status_code == 400
    linked = specialist_api.post(
        f"/api/v1/reports/{again['id']}/triage/",
        {"decision": "link_case", "reason": "Same child, same family"},
        format="json",
    )
    assert linked.status_code == 200
    assert linked.json()["status"] == "linked"
    assert [c["id"] for c in linked.json()["cases"]] == [case["id"]]
    assert Case.objects.count() == 1
    timeline = specialist_api.get(f"/api/v1/cases/{case['id']}/").json()["timeline"]
    assert "report_linked" in [e["kind"] for e in timeline]


def test_case_in_another_sector_is_404(api: Any, personas: dict[str, Any], casework: None) -> None:
    case = _open_case(api(personas["specialist"]))
    other = api(personas["specialist2"])
    assert other.get(f"/api/v1/cases/{case['id']}/").status_code == 404
    response = other.post(
        f"/api/v1/cases/{case['id']}/visits/",
        {"kind": "home", "observations": "x"},
        format="json",
    )
    assert response.status_code == 404
    assert case["id"] not in [c["id"] for c in other.get("/api/v1/cases/").json()["results"]]
    assert api(personas["supervisor"]).get(f"/api/v1/cases/{case['id']}/").status_code == 200


def test_concurrent_edits_conflict(specialist_api: Any, api: Any, personas: dict[str, Any]) -> None:
    case = _open_case(specialist_api)
    version = case["version"]
    # (The risk level is lowered only by a supervisor's step: the edits change the disposition.)
    first = specialist_api.patch(
        f"/api/v1/cases/{case['id']}/",
        {"version": version, "registration_disposition": "D-1"},
        format="json",
    )
    assert first.status_code == 200
    second = api(personas["supervisor"]).patch(
        f"/api/v1/cases/{case['id']}/",
        {"version": version, "registration_disposition": "D-2"},
        format="json",
    )
    assert second.status_code == 409
    assert Case.objects.get(pk=case["id"]).registration_disposition == "D-1"
    step = specialist_api.post(
        f"/api/v1/cases/{case['id']}/visits/",
        {"version": version, "kind": "home", "observations": "Visited"},
        format="json",
    )
    assert step.status_code == 409


def test_illegal_step_is_refused_with_a_message(specialist_api: Any) -> None:
    case = _open_case(specialist_api)
    response = specialist_api.post(
        f"/api/v1/cases/{case['id']}/plan/", {"goals": "Safety"}, format="json"
    )
    assert response.status_code == 400
    assert "stage" in response.json()["error"]["fields"]


def test_main_path_with_approvals_and_timeline(
    specialist_api: Any, api: Any, personas: dict[str, Any]
) -> None:
    supervisor = api(personas["supervisor"])
    case = _open_case(specialist_api)
    url = f"/api/v1/cases/{case['id']}"

    def step(client: Any, path: str, body: dict[str, Any], stage: str) -> dict[str, Any]:
        response = client.post(f"{url}/{path}/", body, format="json")
        assert response.status_code == 200, response.json()
        assert response.json()["stage"] == stage
        return dict(response.json())

    step(
        specialist_api,
        "assessments",
        {
            "kind": "initial",
            "findings": "Confirmed bruises",
            "risk_level": "high",
            "confirmed": "yes",
            "protection_interview_done": True,
        },
        "complex_assessment",
    )
    step(
        specialist_api,
        "assessments",
        {
            "kind": "complex",
            "findings": "Family needs support",
            "risk_level": "medium",
            "confirmed": "yes",
        },
        "planning",
    )
    step(
        specialist_api,
        "plan",
        {
            "goals": "Safety at home",
            "actions": [{"action": "Parenting course", "responsible": "CMC"}],
        },
        "plan_approval",
    )
    refused = specialist_api.post(f"{url}/plan/decision/", {"approve": True}, format="json")
    assert refused.status_code == 403
    step(supervisor, "plan/decision", {"approve": True}, "implementation")
    step(
        specialist_api, "visits", {"kind": "home", "observations": "Calm at home"}, "implementation"
    )
    step(specialist_api, "close", {"reason": "objectives_achieved"}, "closure_proposed")
    assert (
        specialist_api.post(
            f"{url}/closure-decision/", {"approve": True}, format="json"
        ).status_code
        == 403
    )
    closed = step(supervisor, "closure-decision", {"approve": True}, "closed")
    assert all(t["status"] != "open" for t in closed["tasks"])
    kinds = [e["kind"] for e in closed["timeline"]]
    assert kinds == [
        "report_received",
        "report_triaged",
        "case_opened",
        "initial_assessment_done",
        "complex_assessment_done",
        "plan_submitted",
        "plan_approved",
        "visit_recorded",
        "closure_proposed",
        "case_closed",
    ]
    ats = [e["at"] for e in closed["timeline"]]
    assert ats == sorted(ats)
    met = [d for e in closed["timeline"] for d in e["deadlines"]]
    assert {d["task"] for d in met} >= {"triage", "initial_assessment_high", "plan_approval"}
    assert all(d["met"] for d in met)
    reopened = step(
        specialist_api, "reopen", {"reason": "New report of violence"}, "complex_assessment"
    )
    assert reopened["times_reopened"] == 1


def test_removal_over_weekend_and_holiday(specialist_api: Any) -> None:
    case = _open_case(specialist_api, immediate_danger=True)
    # Removal on Tuesday 2025-08-26: Wednesday 27th is Independence Day, so the three working
    # days are Thursday 28th, Friday 29th and, after the weekend, Monday 1 September.
    removed = datetime(2025, 8, 26, 10, 0, tzinfo=CHISINAU)
    response = specialist_api.post(
        f"/api/v1/cases/{case['id']}/protective-actions/",
        {"kind": "removal", "decided_at": removed.isoformat(), "description": "Removed from home"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    tasks = {t["kind"]: t for t in response.json()["tasks"]}
    prosecutor = datetime.fromisoformat(tasks["prosecutor_notice"]["due_at"])
    court = datetime.fromisoformat(tasks["court_filing"]["due_at"]).astimezone(CHISINAU)
    assert prosecutor - removed == timedelta(hours=24)
    assert tasks["court_filing"]["verified"] is True
    assert (court.date().isoformat(), court.hour) == ("2025-09-01", 23)


def test_reporter_sees_only_status_of_own_reports(
    api: Any, personas: dict[str, Any], casework: None
) -> None:
    reporter = api(personas["reporter"])
    body = report_body(channel="notification_form", reporter={"kind": "professional"})
    response = reporter.post("/api/v1/reports/", body, format="json")
    assert response.status_code == 201, response.json()
    filed = response.json()
    assert set(filed) == {"id", "number", "status", "received_at", "channel", "unit", "created_at"}
    report = Report.objects.get(pk=filed["id"])
    assert report.reporter_sector == "education"
    assert report.reporter_institution == personas["reporter"].institution
    listed = reporter.get("/api/v1/reports/").json()
    assert [r["id"] for r in listed["results"]] == [filed["id"]]
    assert "narrative" not in listed["results"][0]
    specialist = api(personas["specialist"])
    other = specialist.post("/api/v1/reports/", report_body(), format="json").json()
    assert reporter.get(f"/api/v1/reports/{other['id']}/").status_code == 404
    assert reporter.get("/api/v1/cases/").json()["count"] == 0
    self_referral = reporter.post(
        "/api/v1/reports/", report_body(channel="self_referral"), format="json"
    )
    assert self_referral.status_code == 400


def test_rules_are_versioned_and_only_admins_change_them(
    api: Any, personas: dict[str, Any], casework: None
) -> None:
    rule = DeadlineRule.objects.get(country="MD", code="initial_assessment_high", active=True)
    specialist = api(personas["specialist"])
    assert specialist.get("/api/v1/deadline-rules/?country=MD").status_code == 200
    assert (
        specialist.patch(
            f"/api/v1/deadline-rules/{rule.pk}/", {"offset": 12}, format="json"
        ).status_code
        == 403
    )
    changed = api(personas["admin"]).patch(
        f"/api/v1/deadline-rules/{rule.pk}/", {"offset": 12, "verified": True}, format="json"
    )
    assert changed.status_code == 200
    assert changed.json()["version"] == 2
    rule.refresh_from_db()
    assert rule.active is False
    case = _open_case(specialist)
    [task] = case["tasks"]
    assert task["rule_version"] == 2
    received = Report.objects.get(cases=case["id"]).received_at
    assert datetime.fromisoformat(task["due_at"]) - received == timedelta(hours=12)
    assert Task.objects.filter(rule=rule).count() == 0


def test_transfer_moves_the_case_out_of_reach(
    api: Any, personas: dict[str, Any], casework: None
) -> None:
    specialist = api(personas["specialist"])
    case = _open_case(specialist)
    response = specialist.post(
        f"/api/v1/cases/{case['id']}/transfer/",
        {"unit": "MD-CU-CEN", "reason": "The family moved to Centru"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert specialist.get(f"/api/v1/cases/{case['id']}/").status_code == 404
    moved = api(personas["specialist2"]).get(f"/api/v1/cases/{case['id']}/").json()
    assert moved["unit"] == "MD-CU-CEN"
    assert Case.objects.get(pk=case["id"]).stage == Stage.INITIAL_ASSESSMENT


def test_team_member_from_another_institution_sees_only_that_case(
    api: Any, personas: dict[str, Any], casework: None, make_user: Any
) -> None:
    from ocrotire.accounts.models import Institution

    psychologist = make_user(
        "psychologist", ("provider",), (), Institution.objects.get(abbreviation="IGP")
    )
    specialist = api(personas["specialist"])
    case = _open_case(specialist)
    other = _open_case(
        specialist,
        children=[
            {"given_name": "Ana", "family_name": "Lungu", "sex": "F", "birth_date": "2014-01-05"}
        ],
    )
    added = specialist.post(
        f"/api/v1/cases/{case['id']}/team/",
        {"user": psychologist.pk, "role": "psychologist"},
        format="json",
    )
    assert added.status_code == 200, added.json()
    member = api(psychologist)
    assert member.get(f"/api/v1/cases/{case['id']}/").status_code == 200
    assert member.get(f"/api/v1/cases/{other['id']}/").status_code == 404
    assert [c["id"] for c in member.get("/api/v1/cases/").json()["results"]] == [case["id"]]
    refused = member.post(
        f"/api/v1/cases/{case['id']}/visits/", {"kind": "home", "observations": "x"}, format="json"
    )
    assert refused.status_code == 403


def _queries(client: Any, path: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured.captured_queries)


def test_lists_and_timeline_do_not_grow_queries_with_rows(specialist_api: Any) -> None:
    first = _open_case(specialist_api)
    one_case = _queries(specialist_api, "/api/v1/cases/")
    one_report = _queries(specialist_api, "/api/v1/reports/")
    short_timeline = _queries(specialist_api, f"/api/v1/cases/{first['id']}/")
    for index, name in enumerate(["Ana", "Vasile", "Elena", "Mihai"]):
        child = {"given_name": name, "family_name": "Lungu", "birth_date": f"201{index}-02-02"}
        _open_case(specialist_api, children=[child])
    for _ in range(3):
        specialist_api.post(
            f"/api/v1/cases/{first['id']}/visits/",
            {"kind": "phone", "observations": "Called"},
            format="json",
        )
    overdue_scan(now=timezone.now() + timedelta(days=60))
    assert _queries(specialist_api, "/api/v1/cases/") == one_case
    assert _queries(specialist_api, "/api/v1/reports/") == one_report
    assert _queries(specialist_api, f"/api/v1/cases/{first['id']}/") == short_timeline


def test_attachments_are_private_scoped_and_checked(
    api: Any, personas: dict[str, Any], casework: None, settings: Any, tmp_path: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    specialist = api(personas["specialist"])
    report = specialist.post("/api/v1/reports/", report_body(), format="json").json()
    url = f"/api/v1/reports/{report['id']}/attachments/"
    upload = SimpleUploadedFile(
        "fisa.pdf", b"%PDF-1.4 fisa de sesizare", content_type="application/pdf"
    )
    added = specialist.post(url, {"file": upload}, format="multipart")
    assert added.status_code == 201, added.json()
    attachment = added.json()
    download = specialist.get(f"{url}{attachment['id']}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 fisa de sesizare"
    assert api(personas["specialist2"]).get(f"{url}{attachment['id']}/").status_code == 404
    assert api(personas["reporter"]).get(f"{url}{attachment['id']}/").status_code == 403
    script = SimpleUploadedFile("x.html", b"<script>", content_type="text/html")
    refused = specialist.post(url, {"file": script}, format="multipart")
    assert refused.status_code == 400
    assert "file" in refused.json()["error"]["fields"]
    assert AuditEvent.objects.filter(action="view", object_type="intake.reportattachment").exists()


def test_overdue_triage_reaches_the_unit_specialists(
    specialist_api: Any, api: Any, personas: dict[str, Any]
) -> None:
    from ocrotire.workflow.models import Notification

    received = timezone.now() - timedelta(days=8)
    specialist_api.post(
        "/api/v1/reports/", report_body(received_at=received.isoformat()), format="json"
    )
    overdue_scan()
    notified = set(Notification.objects.values_list("user__username", flat=True))
    assert notified == {"specialist", "supervisor"}
    texts = [
        n["text"]
        for n in api(personas["specialist"]).get("/api/v1/notifications/").json()["results"]
    ]
    assert len(texts) == 2  # the triage and the written form of a phone report


def test_removal_without_court_filing_in_time_requires_return(
    specialist_api: Any, client: Any, personas: dict[str, Any]
) -> None:
    case = _open_case(specialist_api, immediate_danger=True)
    removed = timezone.now() - timedelta(days=10)
    removal = specialist_api.post(
        f"/api/v1/cases/{case['id']}/protective-actions/",
        {"kind": "removal", "decided_at": removed.isoformat(), "description": "Removed from home"},
        format="json",
    ).json()
    detail = specialist_api.get(f"/api/v1/cases/{case['id']}/").json()
    assert len(detail["return_required"]) == 1
    due = datetime.fromisoformat(detail["return_required"][0]["due_at"])
    assert removed < due < timezone.now()
    client.force_login(personas["specialist"])
    page = client.get(f"/cases/{case['id']}/").content.decode()
    assert 'id="return-required"' in page

    action = detail["return_required"][0]["action"]
    filed = specialist_api.post(
        f"/api/v1/cases/{case['id']}/protective-actions/{action}/steps/",
        {"version": removal["version"], "step": "court_filed"},
        format="json",
    )
    assert filed.status_code == 200, filed.json()
    assert specialist_api.get(f"/api/v1/cases/{case['id']}/").json()["return_required"] == []


def test_a_recent_removal_does_not_require_return_yet(specialist_api: Any) -> None:
    case = _open_case(specialist_api, immediate_danger=True)
    specialist_api.post(
        f"/api/v1/cases/{case['id']}/protective-actions/",
        {"kind": "removal", "decided_at": timezone.now().isoformat(), "description": "Removed"},
        format="json",
    )
    assert specialist_api.get(f"/api/v1/cases/{case['id']}/").json()["return_required"] == []
