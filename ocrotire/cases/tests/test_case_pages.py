"""Case pages: scope of the list and the case file, every step form, version conflicts, refused
steps, closure approval, the board, my work and notifications."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from ocrotire.cases.models import (
    Assessment,
    Case,
    CaseMember,
    Meeting,
    Plan,
    PlanStatus,
    ProtectiveAction,
    Referral,
    Review,
    Stage,
    Visit,
)
from ocrotire.core.models import AuditEvent
from ocrotire.workflow.models import Notification, Task, TimelineEvent

pytestmark = pytest.mark.django_db

CHILD = {"given_name": "Ion", "family_name": "Rusu", "sex": "M", "birth_date": "2015-03-02"}
REPORT: dict[str, Any] = {
    "channel": "phone",
    "reporter": {"kind": "professional", "sector": "education", "name": "Diriginta"},
    "children": [CHILD],
    "concerns": ["physical"],
    "most_serious": "physical",
    "immediate_danger": False,
    "unit": "MD-CU-BOT",
    "narrative": "Bruises on both arms.",
}


def open_case(api: Any, user: Any, *, unit: str = "MD-CU-BOT", given: str = "Ion") -> Case:
    client = api(user)
    body = {**REPORT, "unit": unit, "children": [{**CHILD, "given_name": given}]}
    report = client.post("/api/v1/reports/", body, format="json").json()
    triaged = client.post(
        f"/api/v1/reports/{report['id']}/triage/",
        {"decision": "open_case", "reason": "Injuries seen by the school", "risk_level": "high"},
        format="json",
    )
    assert triaged.status_code == 200, triaged.json()
    return Case.objects.get(pk=triaged.json()["cases"][0]["id"])


@pytest.fixture(autouse=True)
def english(personas: dict[str, Any]) -> None:
    """The assertions read English sentences, whatever the catalogues translate later."""
    for user in personas.values():
        user.language = "en"
        user.save(update_fields=["language"])


@pytest.fixture
def case(api: Any, personas: dict[str, Any], casework: None, mfa_off: None) -> Case:
    return open_case(api, personas["specialist"])


def as_user(client: Any, user: Any) -> Any:
    client.force_login(user)
    return client


def post_step(client: Any, case: Case, step: str, data: dict[str, Any]) -> Any:
    case.refresh_from_db()
    return client.post(f"/cases/{case.pk}/steps/{step}/", {"version": case.version, **data})


def fingerprint(case: Case) -> tuple[Any, ...]:
    case.refresh_from_db()
    return (
        case.version,
        case.stage,
        case.risk_level,
        case.manager_id,
        case.unit_id,
        TimelineEvent.objects.filter(case=case).count(),
        AuditEvent.objects.exclude(action="view").count(),
    )


def test_list_shows_only_the_area_with_overdue_counts(
    client: Any, api: Any, personas: dict[str, Any], case: Case
) -> None:
    other = open_case(api, personas["specialist2"], unit="MD-CU-CEN", given="Vasile")
    Task.objects.filter(case=case, status="open").update(due_at=timezone.now() - timedelta(hours=1))
    overdue = Task.objects.filter(case=case, status="open").count()
    assert overdue >= 1
    html = as_user(client, personas["specialist"]).get("/cases/").content.decode()
    assert case.number in html
    assert other.number not in html
    assert 'class="overdue"' in html
    assert f"{overdue} overdue" in html
    supervisor = as_user(client, personas["supervisor"]).get("/cases/").content.decode()
    assert case.number in supervisor
    assert other.number in supervisor


def test_list_filters(client: Any, api: Any, personas: dict[str, Any], case: Case) -> None:
    other = open_case(api, personas["supervisor"], unit="MD-CU-CEN", given="Vasile")
    client = as_user(client, personas["supervisor"])

    def numbers(**params: str) -> set[str]:
        html = client.get("/cases/", params).content.decode()
        return set(re.findall(r"[A-Z-]+-C-\d{4}-\d{6}", html))

    assert numbers() == {case.number, other.number}
    assert numbers(unit="MD-CU-CEN") == {other.number}
    assert numbers(q="Vasile") == {other.number}
    assert numbers(stage="initial_assessment", risk_level="high") == {case.number, other.number}
    assert numbers(stage="closed") == set()
    assert numbers(mine="1") == {other.number}


def test_case_in_another_sector_is_404_and_lacking_role_is_403(
    client: Any, personas: dict[str, Any], case: Case
) -> None:
    assert as_user(client, personas["specialist2"]).get(f"/cases/{case.pk}/").status_code == 404
    assert client.get(f"/cases/{case.pk}/steps/visit/").status_code == 404, (
        "a step of an unseen case"
    )
    assert as_user(client, personas["outsider"]).get("/cases/").status_code == 403
    # In the area but without the supervisor role: the approval steps are refused.
    specialist = as_user(client, personas["specialist"])
    assert specialist.get(f"/cases/{case.pk}/steps/closure_decide/").status_code == 403
    assert specialist.get(f"/cases/{case.pk}/steps/no_such_step/").status_code == 404


def test_detail_shows_child_tasks_rules_timeline_and_only_allowed_buttons(
    client: Any, personas: dict[str, Any], case: Case
) -> None:
    Task.objects.filter(case=case, status="open").update(due_at=timezone.now() - timedelta(hours=1))
    task = Task.objects.filter(case=case, status="open").select_related("rule").first()
    assert task is not None
    response = as_user(client, personas["specialist"]).get(f"/cases/{case.pk}/")
    html = response.content.decode()
    assert f'href="/registry/{case.child_id}/"' in html
    assert task.rule.label() in html
    if task.rule.legal_reference:
        assert task.rule.legal_reference in html
    assert 'class="overdue"' in html
    steps = set(re.findall(r'data-step="([a-z_]+)"', html))
    # Exactly what the stage allows to a specialist: no approvals, no reassignment.
    assert steps == {
        "initial_assessment",
        "protective_action",
        "visit",
        "referral",
        "meeting",
        "closure_propose",
        "transfer",
    }
    kinds = re.findall(r'<li data-kind="([a-z_]+)"', html)
    assert kinds == ["report_received", "report_triaged", "case_opened"]
    supervisor_html = as_user(client, personas["supervisor"]).get(f"/cases/{case.pk}/")
    assert 'data-step="reassign"' in supervisor_html.content.decode()
    assert AuditEvent.objects.filter(action="view", object_id=str(case.pk)).exists()


ASSESSMENT = {
    "findings": "Confirmed bruises",
    "risk_level": "high",
    "confirmed": "yes",
    "protection_interview_done": "on",
    "needs": "psychological_counselling, parenting",
}


def test_every_step_form_posts_and_advances(
    client: Any, api: Any, personas: dict[str, Any], case: Case
) -> None:
    specialist = as_user(client, personas["specialist"])
    for step in ("initial_assessment", "visit", "referral", "meeting", "transfer"):
        assert specialist.get(f"/cases/{case.pk}/steps/{step}/").status_code == 200, step

    def go(step: str, data: dict[str, Any], stage: str) -> None:
        response = post_step(specialist, case, step, data)
        assert response.status_code == 302, (step, response.content.decode()[-3000:])
        assert response["Location"] == f"/cases/{case.pk}/"
        case.refresh_from_db()
        assert case.stage == stage, step

    go("initial_assessment", {**ASSESSMENT, "emergency": "on"}, Stage.EMERGENCY_PROTECTION)
    initial = Assessment.objects.get(case=case)
    assert initial.protection_interview_done
    assert initial.needs == ["psychological_counselling", "parenting"]
    go(
        "protective_action",
        {"kind": "removal", "description": "Placed with aunt"},
        "emergency_protection",
    )
    removal = ProtectiveAction.objects.get(case=case)
    go(
        "protective_step",
        {"action": removal.pk, "step": "prosecutor_notified"},
        "emergency_protection",
    )
    removal.refresh_from_db()
    assert removal.prosecutor_notified_at is not None
    go("emergency_end", {"note": "Court action filed, child safe"}, Stage.COMPLEX_ASSESSMENT)
    go("complex_assessment", {**ASSESSMENT, "risk_level": "medium"}, Stage.PLANNING)
    go(
        "plan_submit",
        {
            "goals": "Safety at home",
            "actions": "Parenting course | CMC | 2030-01-01\nSchool follow-up",
        },
        Stage.PLAN_APPROVAL,
    )
    plan = Plan.objects.get(case=case)
    assert plan.actions == [
        {"action": "Parenting course", "responsible": "CMC", "due": "2030-01-01"},
        {"action": "School follow-up", "responsible": "", "due": ""},
    ]
    supervisor = as_user(client, personas["supervisor"])
    response = post_step(supervisor, case, "plan_decide", {"decision": "approve"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.stage == Stage.IMPLEMENTATION
    assert Plan.objects.get(case=case).status == PlanStatus.APPROVED
    specialist = as_user(client, personas["specialist"])
    # A visit may raise the risk level; lowering it is the supervisor's step, with a reason.
    go(
        "visit",
        {"kind": "home", "observations": "Calm at home", "risk_level": "high"},
        "implementation",
    )
    assert Visit.objects.filter(case=case).count() == 1
    case.refresh_from_db()
    assert case.risk_level == "high"
    supervisor = as_user(client, personas["supervisor"])
    lowered = post_step(
        supervisor, case, "risk_lower", {"risk_level": "low", "reason": "Calm at home"}
    )
    assert lowered.status_code == 302, lowered.content.decode()[-2000:]
    case.refresh_from_db()
    assert case.risk_level == "low"
    specialist = as_user(client, personas["specialist"])
    go(
        "review",
        {"outcome": "continue", "summary": "Going well", "risk_level": "low"},
        "implementation",
    )
    assert Review.objects.filter(case=case).count() == 1
    go("referral", {"service": "Day centre", "reason": "After-school care"}, "implementation")
    assert Referral.objects.get(case=case).service == "Day centre"
    go(
        "meeting",
        {"kind": "commission", "decision": "Keep the child in the family", "decision_number": "17"},
        "implementation",
    )
    assert Meeting.objects.get(case=case).decision_number == "17"
    go("team", {"user": "specialist2", "role": "Psychologist"}, "implementation")
    assert CaseMember.objects.filter(case=case, user=personas["specialist2"], active=True).exists()
    case.refresh_from_db()
    removed = specialist.post(
        f"/cases/{case.pk}/team/{personas['specialist2'].pk}/remove/", {"version": case.version}
    )
    assert removed.status_code == 302
    assert not CaseMember.objects.filter(case=case, active=True).exists()
    # The case file shows what each step recorded, not only that it happened.
    html = specialist.get(f"/cases/{case.pk}/").content.decode()
    records = html.split('id="records"')[1].split('id="team"')[0]
    for recorded in (
        "Confirmed bruises",
        "Placed with aunt",
        "Safety at home",
        "Parenting course",
        "Calm at home",
        "Going well",
        "Keep the child in the family",
        "Day centre",
    ):
        assert recorded in records, recorded
    report = case.reports.get()
    assert f'href="/reports/{report.pk}/"' in html
    go("closure_propose", {"reason": "objectives_achieved"}, Stage.CLOSURE_PROPOSED)
    supervisor = as_user(client, personas["supervisor"])
    refused = post_step(
        supervisor, case, "closure_decide", {"decision": "return", "note": "Not yet"}
    )
    assert refused.status_code == 302
    case.refresh_from_db()
    assert case.stage == Stage.IMPLEMENTATION
    specialist = as_user(client, personas["specialist"])
    go("closure_propose", {"reason": "objectives_achieved"}, Stage.CLOSURE_PROPOSED)
    supervisor = as_user(client, personas["supervisor"])
    assert post_step(supervisor, case, "closure_decide", {"decision": "approve"}).status_code == 302
    case.refresh_from_db()
    assert case.stage == Stage.CLOSED
    specialist = as_user(client, personas["specialist"])
    go("reopen", {"reason": "A new report"}, Stage.COMPLEX_ASSESSMENT)
    supervisor = as_user(client, personas["supervisor"])
    response = post_step(
        supervisor, case, "reassign", {"manager": personas["supervisor"].pk, "reason": "Workload"}
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    case.refresh_from_db()
    assert case.manager == personas["supervisor"]
    specialist = as_user(client, personas["specialist"])
    centre = case.unit.__class__.objects.get(code="MD-CU-CEN")
    moved = post_step(specialist, case, "transfer", {"unit": centre.pk, "reason": "Family moved"})
    # Out of the specialist's area now: back to the list, with the case in Centru.
    assert moved.status_code == 302
    assert moved["Location"] == "/cases/"
    case.refresh_from_db()
    assert case.unit == centre


def test_case_edit_and_stale_version_conflict_changes_nothing(
    client: Any, personas: dict[str, Any], case: Case
) -> None:
    specialist = as_user(client, personas["specialist"])
    stale = case.version
    # (Lowering the risk level is the supervisor's step: the edit keeps it high.)
    saved = specialist.post(
        f"/cases/{case.pk}/edit/",
        {"version": stale, "risk_level": "high", "registration_disposition": "D-15"},
    )
    assert saved.status_code == 302
    case.refresh_from_db()
    assert (case.risk_level, case.registration_disposition) == ("high", "D-15")
    before = fingerprint(case)
    # A second person still holds the old version: their save is refused, readably.
    conflict = specialist.post(
        f"/cases/{case.pk}/edit/",
        {"version": stale, "risk_level": "low", "registration_disposition": "D-99"},
    )
    assert conflict.status_code == 409
    assert "Someone else changed this case" in conflict.content.decode()
    assert fingerprint(case) == before
    step = specialist.post(
        f"/cases/{case.pk}/steps/initial_assessment/", {"version": stale, **ASSESSMENT}
    )
    assert step.status_code == 409
    html = step.content.decode()
    assert "Someone else changed this case" in html
    assert "Confirmed bruises" in html, "what the user typed is kept"
    assert fingerprint(case) == before
    assert not Assessment.objects.filter(case=case).exists()


def test_illegal_step_is_refused_with_the_service_message(
    client: Any, personas: dict[str, Any], case: Case
) -> None:
    specialist = as_user(client, personas["specialist"])
    page = specialist.get(f"/cases/{case.pk}/steps/plan_submit/")
    assert page.status_code == 200
    assert "This step is not possible while the case is at the stage" in page.content.decode()
    before = fingerprint(case)
    response = post_step(specialist, case, "plan_submit", {"goals": "Too early"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "This step is not possible while the case is at the stage" in html
    assert "Initial assessment" in html
    assert fingerprint(case) == before
    assert not Plan.objects.exists()
    invalid = post_step(specialist, case, "initial_assessment", {"risk_level": "high"})
    assert invalid.status_code == 200
    assert fingerprint(case) == before


def test_closure_requires_supervisor_approval(
    client: Any, personas: dict[str, Any], case: Case
) -> None:
    specialist = as_user(client, personas["specialist"])
    assert post_step(specialist, case, "closure_propose", {"reason": "other"}).status_code == 200
    case.refresh_from_db()
    assert case.stage == Stage.INITIAL_ASSESSMENT, "“Other” needs a note"
    assert (
        post_step(specialist, case, "closure_propose", {"reason": "not_confirmed"}).status_code
        == 302
    )
    case.refresh_from_db()
    assert case.stage == Stage.CLOSURE_PROPOSED
    before = fingerprint(case)
    assert post_step(specialist, case, "closure_decide", {"decision": "approve"}).status_code == 403
    assert fingerprint(case) == before
    detail = specialist.get(f"/cases/{case.pk}/").content.decode()
    assert 'data-step="closure_decide"' not in detail
    supervisor = as_user(client, personas["supervisor"])
    assert 'data-step="closure_decide"' in supervisor.get(f"/cases/{case.pk}/").content.decode()
    # Refusing needs a reason.
    assert post_step(supervisor, case, "closure_decide", {"decision": "return"}).status_code == 200
    assert fingerprint(case) == before
    assert post_step(supervisor, case, "closure_decide", {"decision": "approve"}).status_code == 302
    case.refresh_from_db()
    assert case.stage == Stage.CLOSED
    assert case.closure_approved_by == personas["supervisor"]
    assert case.closure_reason == "not_confirmed"


def test_board_shows_reports_and_cases_by_stage_with_overdue(
    client: Any, api: Any, personas: dict[str, Any], case: Case
) -> None:
    waiting = api(personas["specialist"]).post("/api/v1/reports/", REPORT, format="json").json()
    other = open_case(api, personas["specialist2"], unit="MD-CU-CEN", given="Vasile")
    Task.objects.filter(case=case, status="open").update(due_at=timezone.now() - timedelta(hours=1))
    assert as_user(client, personas["specialist"]).get("/cases/board/").status_code == 403
    response = as_user(client, personas["supervisor"]).get("/cases/board/")
    html = response.content.decode()
    column = html.split('data-stage="initial_assessment"')[1].split("</section>")[0]
    assert case.number in column
    assert other.number in column
    assert 'class="overdue"' in column
    reports = html.split('id="col-reports"')[1].split("</section>")[0]
    assert waiting["number"] in reports
    only_centre = as_user(client, personas["supervisor"]).get(
        "/cases/board/", {"unit": "MD-CU-CEN"}
    )
    assert case.number not in only_centre.content.decode()


def test_my_work_lists_overdue_today_and_approvals(
    client: Any, api: Any, personas: dict[str, Any], case: Case
) -> None:
    now = timezone.now()
    tasks = list(Task.objects.filter(case=case, status="open").order_by("id"))
    assert tasks
    Task.objects.filter(pk=tasks[0].pk).update(due_at=now - timedelta(hours=2))
    html = as_user(client, personas["specialist"]).get("/cases/my-work/").content.decode()
    overdue = html.split('id="overdue"')[1].split("</section>")[0]
    assert case.number in overdue
    assert tasks[0].rule.label() in overdue
    proposed = open_case(api, personas["specialist"], given="Vasile")
    assert (
        post_step(
            as_user(client, personas["specialist"]),
            proposed,
            "closure_propose",
            {"reason": "not_confirmed"},
        ).status_code
        == 302
    )
    approvals = as_user(client, personas["supervisor"]).get("/cases/my-work/").content.decode()
    assert proposed.number in approvals.split('id="approvals"')[1].split("</section>")[0]
    mine = as_user(client, personas["specialist"]).get("/cases/my-work/").content.decode()
    assert proposed.number not in mine.split('id="approvals"')[1].split("</section>")[0]


def test_notifications_mark_read_and_unread_count_in_nav(
    client: Any, personas: dict[str, Any], case: Case
) -> None:
    user = personas["specialist"]
    first = Notification.objects.create(
        user=user, kind="case_assigned", case=case, data={"subject": case.number}
    )
    Notification.objects.create(
        user=user, kind="team_added", case=case, data={"subject": case.number}
    )
    foreign = Notification.objects.create(
        user=personas["supervisor"], kind="case_assigned", case=case
    )
    client = as_user(client, user)
    html = client.get("/cases/notifications/").content.decode()
    assert f"You are now the case manager of {case.number}." in html
    assert re.search(r'class="nav-count">2<', html)
    assert client.post(f"/cases/notifications/{foreign.pk}/read/").status_code == 404
    foreign.refresh_from_db()
    assert foreign.read_at is None
    assert client.post(f"/cases/notifications/{first.pk}/read/").status_code == 302
    first.refresh_from_db()
    assert first.read_at is not None
    assert re.search(r'class="nav-count">1<', client.get("/cases/notifications/").content.decode())
    assert client.post("/cases/notifications/read-all/").status_code == 302
    assert not Notification.objects.filter(user=user, read_at__isnull=True).exists()
    assert 'class="nav-count"' not in client.get("/cases/notifications/").content.decode()
    foreign.refresh_from_db()
    assert foreign.read_at is None
