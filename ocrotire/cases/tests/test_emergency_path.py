"""The emergency path, from the API and the pages: immediate danger makes a case high risk and
only a supervisor lowers it; the clocks the law starts at the report run from its receipt; the
initial assessment stays recordable through an emergency; ending the emergency closes no legal
deadline; an emergency placement past its legal cap alerts the manager, then the supervisors,
then the head of the area."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone, translation

from ocrotire.accounts.models import User
from ocrotire.cases.casefile import case_file_html
from ocrotire.cases.models import Case, Stage
from ocrotire.cases.tests.test_api import report_body
from ocrotire.core.models import AuditEvent
from ocrotire.geo.services import UnitSpec, unit_upsert
from ocrotire.intake.services import concerns_load
from ocrotire.workflow.deadlines import rules_load
from ocrotire.workflow.models import DeadlineRule, Notification, Task, TimelineEvent
from ocrotire.workflow.notices import notification_text
from ocrotire.workflow.tasks import overdue_scan

pytestmark = pytest.mark.django_db
MD = ZoneInfo("Europe/Chisinau")
UA = ZoneInfo("Europe/Kyiv")


def _now() -> datetime:
    """Now, to the second (as the API gives times back)."""
    return timezone.now().replace(microsecond=0)


def _end_of(day: date, zone: ZoneInfo) -> datetime:
    return datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=zone)


@pytest.fixture
def api(api: Any) -> Any:
    """API clients that read English answers (the assertions read English sentences)."""

    def client_for(user: User | None) -> Any:
        client = api(user)
        client.credentials(HTTP_ACCEPT_LANGUAGE="en")
        return client

    return client_for


@pytest.fixture(autouse=True)
def english(personas: dict[str, User]) -> None:
    for user in personas.values():
        user.language = "en"
        user.save(update_fields=["language"])


@pytest.fixture
def specialist(api: Any, personas: dict[str, User], casework: None) -> Any:
    return api(personas["specialist"])


@pytest.fixture
def supervisor(api: Any, personas: dict[str, User], casework: None) -> Any:
    return api(personas["supervisor"])


def _report(client: Any, **extra: Any) -> dict[str, Any]:
    response = client.post("/api/v1/reports/", report_body(**extra), format="json")
    assert response.status_code == 201, response.json()
    return dict(response.json())


def _triage(client: Any, report: dict[str, Any], risk: str, **extra: Any) -> Any:
    return client.post(
        f"/api/v1/reports/{report['id']}/triage/",
        {"decision": "open_case", "reason": "Disclosure at school", "risk_level": risk, **extra},
        format="json",
    )


def _open(client: Any, risk: str = "high", **extra: Any) -> dict[str, Any]:
    report = _report(client, **extra)
    triaged = _triage(client, report, risk)
    assert triaged.status_code == 200, triaged.json()
    return _detail(client, triaged.json()["cases"][0]["id"])


def _detail(client: Any, case_id: int) -> dict[str, Any]:
    response = client.get(f"/api/v1/cases/{case_id}/")
    assert response.status_code == 200
    return dict(response.json())


def _tasks(detail: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {t["kind"]: t for t in detail["tasks"]}


def _post(client: Any, case: dict[str, Any], path: str, body: dict[str, Any]) -> Any:
    version = _detail(client, case["id"])["version"]
    return client.post(
        f"/api/v1/cases/{case['id']}/{path}/", {"version": version, **body}, format="json"
    )


# 1. Immediate danger makes the case high risk ---------------------------------------------------

SEXUAL_VIOLENCE = {
    "concerns": ["sexual"],
    "most_serious": "sexual",
    "immediate_danger": True,
    "narrative": "The girl told the teacher that her stepfather abuses her at night.",
}


@pytest.mark.parametrize("risk", ["low", "medium"])
def test_a_report_of_immediate_danger_cannot_open_a_lower_risk_case(
    specialist: Any, risk: str
) -> None:
    report = _report(specialist, **SEXUAL_VIOLENCE)
    refused = _triage(specialist, report, risk)
    assert refused.status_code == 400
    assert "risk_level" in refused.json()["error"]["fields"]
    assert "immediate danger" in str(refused.json()["error"]["fields"]["risk_level"])
    assert not Case.objects.exists()
    assert specialist.get(f"/api/v1/reports/{report['id']}/").json()["status"] == "new"


def test_its_initial_assessment_is_due_24_hours_after_the_receipt(specialist: Any) -> None:
    received = _now() - timedelta(hours=5)
    report = _report(specialist, received_at=received.isoformat(), **SEXUAL_VIOLENCE)
    triaged = _triage(specialist, report, "high")
    assert triaged.status_code == 200, triaged.json()
    case = _detail(specialist, triaged.json()["cases"][0]["id"])
    assert case["risk_level"] == "high"
    task = _tasks(case)["initial_assessment_high"]
    assert datetime.fromisoformat(task["due_at"]) == received + timedelta(hours=24)
    assert task["overdue"] is False


def test_the_triage_page_opens_high_and_says_why_it_refuses_less(
    client: Any, specialist: Any, personas: dict[str, User]
) -> None:
    report = _report(specialist, **SEXUAL_VIOLENCE)
    client.force_login(personas["specialist"])
    card = client.get(f"/reports/{report['id']}/").content.decode()
    assert '<option value="high" selected>' in card
    page = client.post(
        f"/reports/{report['id']}/triage/",
        {"decision": "open_case", "reason": "Disclosure", "risk_level": "low", "version": 1},
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert "the case must be opened as high risk" in html
    assert not Case.objects.exists()


def test_a_report_of_immediate_danger_linked_to_a_case_makes_it_high_risk(
    specialist: Any,
) -> None:
    case = _open(specialist, "low")
    report = _report(specialist, **SEXUAL_VIOLENCE)
    linked = specialist.post(
        f"/api/v1/reports/{report['id']}/triage/",
        {"decision": "link_case", "reason": "The same child"},
        format="json",
    )
    assert linked.status_code == 200, linked.json()
    detail = _detail(specialist, case["id"])
    assert detail["risk_level"] == "high"
    assert "case_updated" in [e["kind"] for e in detail["timeline"]]


# Lowering the risk: a supervisor's step, with a reason -------------------------------------------


def test_only_a_supervisor_lowers_the_risk_with_a_reason(
    specialist: Any, supervisor: Any, client: Any, personas: dict[str, User]
) -> None:
    case = _open(specialist, "high", **SEXUAL_VIOLENCE)
    url = f"/api/v1/cases/{case['id']}"
    assessment = _tasks(case)["initial_assessment_high"]

    # The case workers may not: not by the step, the edit, a visit, nor the initial assessment.
    assert (
        _post(specialist, case, "risk-lowering", {"risk_level": "low", "reason": "x"}).status_code
        == 403
    )
    edit = specialist.patch(
        url + "/", {"version": case["version"], "risk_level": "low"}, format="json"
    )
    assert edit.status_code == 400
    assert "risk_level" in edit.json()["error"]["fields"]
    visit = _post(
        specialist, case, "visits", {"kind": "home", "observations": "Calm", "risk_level": "medium"}
    )
    assert visit.status_code == 400
    assert "risk_level" in visit.json()["error"]["fields"]
    initial = _post(
        specialist,
        case,
        "assessments",
        {"kind": "initial", "findings": "Calm", "risk_level": "low", "confirmed": "partly"},
    )
    assert initial.status_code == 400
    assert "risk_level" in initial.json()["error"]["fields"]
    assert Case.objects.get(pk=case["id"]).risk_level == "high"

    # A supervisor must give the reason, and a lower level.
    no_reason = _post(supervisor, case, "risk-lowering", {"risk_level": "medium", "reason": " "})
    assert no_reason.status_code == 400
    assert "reason" in no_reason.json()["error"]["fields"]
    not_lower = _post(supervisor, case, "risk-lowering", {"risk_level": "high", "reason": "x"})
    assert not_lower.status_code == 400
    assert "risk_level" in not_lower.json()["error"]["fields"]
    lowered = _post(
        supervisor,
        case,
        "risk-lowering",
        {"risk_level": "medium", "reason": "The stepfather left the home; police order in force."},
    )
    assert lowered.status_code == 200, lowered.json()
    detail = lowered.json()
    assert detail["risk_level"] == "medium"
    [line] = [e["text"] for e in detail["timeline"] if e["kind"] == "risk_lowered"]
    assert line == (
        "Risk level lowered from High to Medium: The stepfather left the home; police order in "
        "force."
    )
    audit = AuditEvent.objects.filter(object_type="cases.case", object_id=str(case["id"])).latest(
        "id"
    )
    assert audit.changes["risk_level"] == ["high", "medium"]
    assert audit.actor_username == "supervisor"
    # The open deadline set by the higher level keeps its stricter due time.
    kept = _tasks(detail)["initial_assessment_high"]
    assert (kept["status"], kept["due_at"]) == ("open", assessment["due_at"])

    # Raising it again is any case worker's.
    raised = specialist.patch(
        url + "/", {"version": detail["version"], "risk_level": "high"}, format="json"
    )
    assert raised.status_code == 200
    assert raised.json()["risk_level"] == "high"

    # The step is on the supervisor's case page, not the specialist's.
    client.force_login(personas["supervisor"])
    assert 'data-step="risk_lower"' in client.get(f"/cases/{case['id']}/").content.decode()
    assert client.get(f"/cases/{case['id']}/steps/risk_lower/").status_code == 200
    client.force_login(personas["specialist"])
    assert 'data-step="risk_lower"' not in client.get(f"/cases/{case['id']}/").content.decode()
    assert client.get(f"/cases/{case['id']}/steps/risk_lower/").status_code == 403


# 2. Clocks counted from the report's receipt ----------------------------------------------------


def test_a_report_received_12_days_ago_and_triaged_today_is_overdue_at_once(
    specialist: Any, personas: dict[str, User]
) -> None:
    received = _now() - timedelta(days=12)
    report = _report(specialist, received_at=received.isoformat())
    triaged = _triage(specialist, report, "low")
    assert triaged.status_code == 200, triaged.json()
    case = _detail(specialist, triaged.json()["cases"][0]["id"])
    task = _tasks(case)["initial_assessment_low"]
    assert task["overdue"] is True
    assert datetime.fromisoformat(task["due_at"]) == received + timedelta(days=7)

    assert overdue_scan() >= 1
    stored = Task.objects.get(pk=task["id"])
    assert stored.overdue_notified_at is not None
    assert Notification.objects.filter(
        task=stored, kind="task_overdue", user=personas["specialist"]
    ).exists()
    assert "task_overdue" in [e["kind"] for e in _detail(specialist, case["id"])["timeline"]]


def test_a_chernihiv_needs_assessment_is_due_5_working_days_after_receipt(
    api: Any, personas: dict[str, User], casework: None
) -> None:
    client = api(personas["specialist_ua"])
    received = datetime(2026, 11, 26, 10, 0, tzinfo=UA)  # a Thursday
    report = _report(client, unit="UA-74", received_at=received.isoformat())
    triaged = _triage(client, report, "medium", at=(received + timedelta(days=3)).isoformat())
    assert triaged.status_code == 200, triaged.json()
    case = _detail(client, triaged.json()["cases"][0]["id"])
    task = _tasks(case)["initial_assessment"]
    # Fri 27, Mon 30 November, Tue 1, Wed 2, Thu 3 December on Ukraine's calendar.
    assert datetime.fromisoformat(task["due_at"]) == _end_of(date(2026, 12, 3), UA)
    assert task["verified"] is True
    rule = DeadlineRule.objects.get(country="UA", code="initial_assessment", active=True)
    assert rule.counted_from == "report_received"
    assert rule.names["uk"].startswith("Оцінювання потреб")


@pytest.fixture
def specialist_ro(api: Any, make_user: Any, casework: None) -> Any:
    """A specialist of Bacău county, with the Romanian pack's rules and concerns."""
    unit_upsert(actor=None, spec=UnitSpec("RO", "country", "România", iso_code="RO"))
    unit_upsert(actor=None, spec=UnitSpec("RO-BC", "region", "Bacău", "RO", iso_code="RO-BC"))
    rules_load(country="RO")
    concerns_load(country="RO")
    return api(make_user("specialist_ro", ("specialist",), ("RO-BC",), language="en"))


def test_a_bacau_initial_assessment_is_due_72_hours_after_receipt(specialist_ro: Any) -> None:
    received = _now() - timedelta(hours=30)
    report = _report(specialist_ro, unit="RO-BC", received_at=received.isoformat())
    triaged = _triage(specialist_ro, report, "medium")
    assert triaged.status_code == 200, triaged.json()
    case = _detail(specialist_ro, triaged.json()["cases"][0]["id"])
    tasks = _tasks(case)
    assert set(tasks) == {"initial_assessment"}
    assert datetime.fromisoformat(tasks["initial_assessment"]["due_at"]) == received + timedelta(
        hours=72
    )
    assert tasks["initial_assessment"]["overdue"] is False


@pytest.mark.parametrize(("who", "unit", "legal"), [("ua", "UA-74", 0), ("ro", "RO-BC", 72)])
def test_in_ukraine_and_romania_immediate_danger_is_assessed_within_24_hours(
    request: pytest.FixtureRequest,
    api: Any,
    personas: dict[str, User],
    casework: None,
    who: str,
    unit: str,
    legal: int,
) -> None:
    client = (
        request.getfixturevalue("specialist_ro") if who == "ro" else api(personas["specialist_ua"])
    )
    received = _now() - timedelta(hours=2)
    report = _report(client, unit=unit, received_at=received.isoformat(), **SEXUAL_VIOLENCE)
    assert _triage(client, report, "low").status_code == 400
    triaged = _triage(client, report, "high")
    assert triaged.status_code == 200, triaged.json()
    tasks = _tasks(_detail(client, triaged.json()["cases"][0]["id"]))
    danger = tasks["initial_assessment_danger"]
    assert datetime.fromisoformat(danger["due_at"]) == received + timedelta(hours=24)
    assert danger["verified"] is False
    # The legal term still stands beside the stricter default.
    assert tasks["initial_assessment"]["verified"] is True
    if legal:
        assert datetime.fromisoformat(tasks["initial_assessment"]["due_at"]) == (
            received + timedelta(hours=legal)
        )


# 3 and 4. Emergency protection around the initial assessment ------------------------------------


def _removal(client: Any, case: dict[str, Any], decided: datetime) -> Any:
    return _post(
        client,
        case,
        "protective-actions",
        {"kind": "removal", "decided_at": decided.isoformat(), "description": "Taken to a centre"},
    )


def test_a_removal_before_the_initial_assessment_leaves_it_recordable(specialist: Any) -> None:
    received = datetime(2026, 11, 27, 9, 0, tzinfo=MD)  # a Friday
    report = _report(specialist, received_at=received.isoformat(), **SEXUAL_VIOLENCE)
    triaged = _triage(specialist, report, "high", at=(received + timedelta(hours=1)).isoformat())
    case = _detail(specialist, triaged.json()["cases"][0]["id"])
    removed = datetime(2026, 11, 27, 14, 0, tzinfo=MD)
    response = _removal(specialist, case, removed)
    assert response.status_code == 200, response.json()
    detail = response.json()
    assert detail["stage"] == "emergency_protection"
    assert "initial_assessment" in detail["allowed_steps"]
    tasks = _tasks(detail)
    assert datetime.fromisoformat(tasks["prosecutor_notice"]["due_at"]) - removed == timedelta(
        hours=24
    )
    # Three working days on Moldova's calendar: Mon 30 November, Tue 1 and Wed 2 December.
    assert datetime.fromisoformat(tasks["court_filing"]["due_at"]) == _end_of(date(2026, 12, 2), MD)
    assert tasks["initial_assessment_high"]["status"] == "open"

    recorded = _post(
        specialist,
        case,
        "assessments",
        {
            "kind": "initial",
            "findings": "Disclosure confirmed in the protection interview.",
            "risk_level": "high",
            "confirmed": "yes",
            "protection_interview_done": True,
        },
    )
    assert recorded.status_code == 200, recorded.json()
    after = recorded.json()
    # Still under emergency protection: only its own step ends it.
    assert after["stage"] == "emergency_protection"
    assert "initial_assessment" not in after["allowed_steps"]
    assert _tasks(after)["initial_assessment_high"]["status"] == "done"
    again = _post(
        specialist,
        case,
        "assessments",
        {"kind": "initial", "findings": "Again", "risk_level": "high", "confirmed": "yes"},
    )
    assert again.status_code == 400
    ended = _post(specialist, case, "emergency-end", {"note": "Child safe with the aunt."})
    assert ended.status_code == 200, ended.json()
    assert ended.json()["stage"] == "complex_assessment"


def test_ending_the_emergency_before_the_assessment_returns_to_it_and_keeps_the_deadlines(
    specialist: Any, client: Any, personas: dict[str, User]
) -> None:
    case = _open(specialist, "high", **SEXUAL_VIOLENCE)
    removed = timezone.now() - timedelta(days=10)
    assert _removal(specialist, case, removed).status_code == 200
    ended = _post(specialist, case, "emergency-end", {"note": "The child is with the aunt."})
    assert ended.status_code == 200, ended.json()
    detail = ended.json()
    assert detail["stage"] == "initial_assessment"
    tasks = _tasks(detail)
    assert tasks["prosecutor_notice"]["status"] == "open"
    assert tasks["court_filing"]["status"] == "open"
    # The court action was due days ago: the child must be returned, emergency or not.
    assert len(detail["return_required"]) == 1
    client.force_login(personas["specialist"])
    assert 'id="return-required"' in client.get(f"/cases/{case['id']}/").content.decode()

    action = detail["return_required"][0]["action"]
    version = detail["version"]
    returned = specialist.post(
        f"/api/v1/cases/{case['id']}/protective-actions/{action}/steps/",
        {"version": version, "step": "child_returned"},
        format="json",
    )
    assert returned.status_code == 200, returned.json()
    after = returned.json()
    assert after["return_required"] == []
    court = _tasks(after)["court_filing"]
    assert (court["status"], court["met"]) == ("done", False)
    # The prosecutor must still be told of the removal.
    assert _tasks(after)["prosecutor_notice"]["status"] == "open"
    texts = [e["text"] for e in after["timeline"] if e["kind"] == "child_returned"]
    assert texts == ["The removed child was returned to the family."]
    # The return is on the record: the API's, the case page's and the case file's.
    [removal] = after["records"]["protective_actions"]
    assert removal["returned_at"] is not None
    page = client.get(f"/cases/{case['id']}/").content.decode()
    assert 'data-fact="returned"' in page
    assert 'data-fact="returned"' in case_file_html(
        actor=personas["specialist"], case=Case.objects.get(pk=case["id"])
    )


def test_a_case_already_past_its_initial_assessment_stage_is_not_sent_back_to_it(
    specialist: Any,
) -> None:
    """Before the initial assessment was kept recordable, ending an emergency could move a case
    on to the complex assessment without one. Such a case, in planning now, that is removed
    again goes back to planning when the emergency ends; no initial assessment is offered."""
    case = _open(specialist, "high", **SEXUAL_VIOLENCE)
    Case.objects.filter(pk=case["id"]).update(stage=Stage.PLANNING)  # as such a case stands
    assert _removal(specialist, case, timezone.now() - timedelta(hours=1)).status_code == 200
    during = specialist.get(f"/api/v1/cases/{case['id']}/").json()
    assert during["stage"] == "emergency_protection"
    assert "initial_assessment" not in during["allowed_steps"]
    ended = _post(specialist, case, "emergency-end", {"note": "The child is with the aunt."})
    assert ended.status_code == 200, ended.json()
    assert ended.json()["stage"] == "planning"


# 5. The emergency placement's legal cap ----------------------------------------------------------


@pytest.fixture
def head(make_user: Any) -> User:
    user: User = make_user("head", ("head",), ("MD-CU",))
    return user


def _emergency_placement(client: Any, case: dict[str, Any], started: datetime) -> dict[str, Any]:
    response = client.post(
        "/api/v1/placements/",
        {
            "child": Case.objects.get(pk=case["id"]).child_id,
            "case": case["id"],
            "form": "emergency_centre",
            "emergency": True,
            "carer_name": "Centrul de plasament temporar",
            "started_at": started.isoformat(),
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    return dict(response.json())


def _cap_notices(cap: Task) -> set[tuple[str, str]]:
    return set(Notification.objects.filter(task=cap).values_list("user__username", "kind"))


def test_an_emergency_placement_past_its_cap_alerts_each_level_once(
    specialist: Any, personas: dict[str, User], head: User
) -> None:
    case = _open(specialist, "high", **SEXUAL_VIOLENCE)
    started = _now() - timedelta(hours=1)
    _emergency_placement(specialist, case, started)
    cap = Task.objects.get(case_id=case["id"], kind="emergency_placement_cap")
    assert cap.due_at - started == timedelta(hours=72)
    assert cap.rule.verified is False
    assert [level["to"] for level in cap.rule.escalation] == ["manager", "supervisor", "head"]
    # The case's other deadlines (the initial assessment's) turn overdue before the cap.
    overdue_scan(now=cap.due_at - timedelta(minutes=1))
    assert _cap_notices(cap) == set()

    assert overdue_scan(now=cap.due_at + timedelta(minutes=1)) == 1
    assert _cap_notices(cap) == {("specialist", "task_overdue")}
    # Again, or before the next level's time: nothing more.
    assert overdue_scan(now=cap.due_at + timedelta(minutes=2)) == 0
    assert overdue_scan(now=cap.due_at + timedelta(hours=11)) == 0
    assert overdue_scan(now=cap.due_at + timedelta(hours=12, minutes=1)) == 1
    assert _cap_notices(cap) == {("specialist", "task_overdue"), ("supervisor", "task_escalated")}
    assert overdue_scan(now=cap.due_at + timedelta(hours=13)) == 0
    assert overdue_scan(now=cap.due_at + timedelta(hours=24, minutes=1)) == 1
    assert _cap_notices(cap) == {
        ("specialist", "task_overdue"),
        ("supervisor", "task_escalated"),
        ("head", "task_escalated"),
    }
    assert overdue_scan(now=cap.due_at + timedelta(days=10)) == 0
    assert Notification.objects.filter(task=cap).count() == 3
    lines = TimelineEvent.objects.filter(case_id=case["id"], data__task="emergency_placement_cap")
    assert sorted(e.kind for e in lines) == ["task_escalated", "task_escalated", "task_overdue"]
    texts = [e["text"] for e in _detail(specialist, case["id"])["timeline"]]
    assert "Deadline still missed: Emergency placement: end it or turn it into a planned " in (
        "\n".join(texts)
    )
    with translation.override("en"):
        notice = notification_text(Notification.objects.get(task=cap, user=head))
    assert notice.startswith("Escalated to you: Emergency placement")
    assert case["number"] in notice


def test_a_late_watcher_alerts_every_level_whose_time_came(
    specialist: Any, personas: dict[str, User], head: User
) -> None:
    case = _open(specialist, "high", **SEXUAL_VIOLENCE)
    _emergency_placement(specialist, case, _now())
    cap = Task.objects.get(case_id=case["id"], kind="emergency_placement_cap")
    overdue_scan(now=cap.due_at + timedelta(hours=30))
    assert {user for user, _kind in _cap_notices(cap)} == {"specialist", "supervisor", "head"}
    cap.refresh_from_db()
    assert (cap.escalation_level, cap.next_escalation_at) == (3, None)


def test_ending_the_emergency_placement_meets_its_cap(specialist: Any, head: User) -> None:
    case = _open(specialist, "high", **SEXUAL_VIOLENCE)
    created = _emergency_placement(specialist, case, _now() - timedelta(hours=2))
    ended = specialist.post(
        f"/api/v1/placements/{created['id']}/end/",
        {"version": created["version"], "end_reason": "reintegrated"},
        format="json",
    )
    assert ended.status_code == 200, ended.json()
    cap = Task.objects.get(case_id=case["id"], kind="emergency_placement_cap")
    assert (cap.status, cap.next_escalation_at is not None) == ("done", True)
    overdue_scan(now=cap.due_at + timedelta(days=3))
    assert _cap_notices(cap) == set()


def test_a_planned_placement_has_no_cap(specialist: Any) -> None:
    case = _open(specialist, "medium")
    created = specialist.post(
        "/api/v1/placements/",
        {
            "child": Case.objects.get(pk=case["id"]).child_id,
            "case": case["id"],
            "form": "kinship",
            "emergency": False,
            "carer_name": "Bunica",
            "decision_by": "gatekeeper",
            "decision_outcome": "approved",
            "decision_reference": "D-1",
            "decision_date": str(timezone.localdate()),
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert not Task.objects.filter(case_id=case["id"], kind="emergency_placement_cap").exists()


def test_escalation_levels_are_checked_when_a_rule_is_revised(casework: None) -> None:
    from django.core.exceptions import ValidationError

    from ocrotire.workflow.deadlines import rule_revise

    rule = DeadlineRule.objects.get(country="MD", code="emergency_placement_cap", active=True)
    for bad in (
        [{"after_hours": 12, "to": "supervisor"}, {"after_hours": 0, "to": "head"}],
        [{"after_hours": 0, "to": "mayor"}],
        [{"after_hours": -1, "to": "manager"}],
        {"to": "manager"},
    ):
        with pytest.raises(ValidationError):
            rule_revise(actor=None, rule=rule, values={"escalation": bad})
    revised = rule_revise(
        actor=None,
        rule=rule,
        values={"escalation": [{"after_hours": 0, "to": "supervisor"}], "counted_from": "anchor"},
    )
    assert (revised.version, revised.escalation) == (2, [{"after_hours": 0, "to": "supervisor"}])
    assert revised.counted_from == "anchor"
