"""Every task can end: met by its event, cancelled with a reason (by a supervisor, or by the step
that made it unnecessary), or superseded by a newer task of its rule; none stays open for ever."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from ocrotire.cases.models import Case
from ocrotire.cases.tests.test_case_pages import open_case
from ocrotire.core.models import AuditEvent
from ocrotire.workflow.models import DeadlineRule, Task, TaskStatus, TimelineEvent
from ocrotire.workflow.tasks import overdue_scan

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(api: Any, personas: dict[str, Any], casework: None, mfa_off: None) -> Case:
    for user in personas.values():
        user.language = "en"
        user.save(update_fields=["language"])
    return open_case(api, personas["specialist"])


def assessment_task(case: Case) -> Task:
    return Task.objects.get(case=case, kind__startswith="initial_assessment")


def cancel(api: Any, user: Any, task: Task, **body: Any) -> Any:
    return api(user).post(f"/api/v1/tasks/{task.pk}/cancel/", body, format="json")


@pytest.mark.parametrize(
    ("persona", "status"), [("specialist", 403), ("specialist2", 404), ("outsider", 403)]
)
def test_only_a_supervisor_of_the_area_cancels(
    api: Any, personas: dict[str, Any], case: Case, persona: str, status: int
) -> None:
    task = assessment_task(case)
    response = cancel(api, personas[persona], task, reason="Not needed")
    assert response.status_code == status
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN
    assert not TimelineEvent.objects.filter(case=case, kind="task_cancelled").exists()


def test_a_supervisor_cancels_a_task_with_a_reason(
    api: Any, personas: dict[str, Any], case: Case
) -> None:
    task = assessment_task(case)
    supervisor = personas["supervisor"]
    blank = cancel(api, supervisor, task, reason="  ")
    assert blank.status_code == 400
    assert "reason" in blank.json()["error"]["fields"]

    done = cancel(api, supervisor, task, reason="The child moved abroad with the family.")
    assert done.status_code == 200, done.content
    body = done.json()
    assert body["status"] == "cancelled"
    assert body["cancel_reason"] == "The child moved abroad with the family."
    assert body["cancelled_at"] is not None
    task.refresh_from_db()
    assert task.cancelled_by == supervisor
    assert AuditEvent.objects.filter(object_type="workflow.task", object_id=str(task.pk)).exists()
    timeline = api(supervisor).get(f"/api/v1/cases/{case.pk}/").json()["timeline"]
    line = next(e for e in timeline if e["kind"] == "task_cancelled")
    assert "The child moved abroad with the family." in line["text"]
    assert "task_cancelled" not in line["text"]
    tasks = api(supervisor).get(f"/api/v1/cases/{case.pk}/").json()["tasks"]
    assert next(t for t in tasks if t["id"] == task.pk)["overdue"] is False

    # Cancelled already: a second cancellation is a conflict, and no deadline is escalated.
    again = cancel(api, supervisor, task, reason="Again")
    assert again.status_code == 409
    overdue_scan(now=timezone.now() + timedelta(days=30))
    assert not TimelineEvent.objects.filter(case=case, kind="task_overdue", data__task_id=task.pk)


def test_the_administrator_cancels_anywhere(api: Any, personas: dict[str, Any], case: Case) -> None:
    task = assessment_task(case)
    assert cancel(api, personas["admin"], task, reason="Entered twice").status_code == 200


def test_bad_input_is_a_400_not_a_500(api: Any, personas: dict[str, Any], case: Case) -> None:
    task = assessment_task(case)
    supervisor = api(personas["supervisor"])
    for body in ({}, {"reason": ["x"]}, {"reason": "x" * 2001}, {"reason": "x", "status": "done"}):
        response = supervisor.post(f"/api/v1/tasks/{task.pk}/cancel/", body, format="json")
        assert response.status_code == 400, (body, response.content)
    assert supervisor.post("/api/v1/tasks/999999999/cancel/", {"reason": "x"}).status_code == 404


def test_the_case_page_offers_cancelling_to_the_supervisor(
    client: Any, personas: dict[str, Any], case: Case
) -> None:
    task = assessment_task(case)
    url = f"/cases/tasks/{task.pk}/cancel/"
    client.force_login(personas["specialist"])
    assert url not in client.get(f"/cases/{case.pk}/").content.decode()
    assert client.get(url).status_code == 403

    client.force_login(personas["supervisor"])
    assert url in client.get(f"/cases/{case.pk}/").content.decode()
    form = client.get(url)
    assert form.status_code == 200
    refused = client.post(url, {"reason": ""})
    assert refused.status_code == 200
    assert refused.context["form"].errors["reason"]
    saved = client.post(url, {"reason": "Recorded on the wrong case."})
    assert saved.status_code == 302
    assert saved["Location"] == f"/cases/{case.pk}/"
    task.refresh_from_db()
    assert task.status == TaskStatus.CANCELLED
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "Recorded on the wrong case." in page
    assert client.post(url, {"reason": "Again"}).status_code == 409


def test_my_work_offers_cancelling_to_a_supervisor(
    client: Any, personas: dict[str, Any], case: Case
) -> None:
    task = assessment_task(case)
    Task.objects.filter(pk=task.pk).update(assignee=personas["supervisor"])
    client.force_login(personas["supervisor"])
    assert f"/cases/tasks/{task.pk}/cancel/" in client.get("/cases/my-work/").content.decode()


def test_an_ended_placement_cancels_its_review_with_the_cause(
    api: Any, personas: dict[str, Any], case: Case
) -> None:
    specialist = api(personas["specialist"])
    placed = specialist.post(
        "/api/v1/placements/",
        {
            "child": case.child_id,
            "case": case.pk,
            "form": "foster",
            "carer_name": "Familia Rusu",
            "emergency": True,
        },
        format="json",
    ).json()
    specialist.post(
        f"/api/v1/placements/{placed['id']}/end/",
        {"version": placed["version"], "end_reason": "reintegrated"},
        format="json",
    )
    tasks = specialist.get(f"/api/v1/cases/{case.pk}/", HTTP_ACCEPT_LANGUAGE="en").json()["tasks"]
    review = next(t for t in tasks if t["kind"] == "placement_review")
    assert review["status"] == "cancelled"
    assert review["cancel_reason"] == "The placement ended."


@pytest.fixture
def follow_up(casework: None) -> DeadlineRule:
    """A rule a pack may hold: a follow-up visit within 30 days of each visit."""
    return DeadlineRule.objects.create(
        code="visit_follow_up",
        country="MD",
        anchor="visit_recorded",
        completed_by="case_closed",
        offset=30,
        offset_unit="calendar_days",
        names={"en": "Follow-up visit", "ro": "Vizită de revenire"},
    )


def visit(api: Any, user: Any, case: Case, when: Any) -> None:
    case.refresh_from_db()
    response = api(user).post(
        f"/api/v1/cases/{case.pk}/visits/",
        {
            "version": case.version,
            "kind": "home",
            "observations": "The child is safe.",
            "visited_at": when.isoformat(),
        },
        format="json",
    )
    assert response.status_code == 201 or response.status_code == 200, response.content


def test_a_newer_task_of_the_same_rule_supersedes_the_open_one(
    api: Any, personas: dict[str, Any], case: Case, follow_up: DeadlineRule
) -> None:
    now = timezone.now()
    visit(api, personas["specialist"], case, now - timedelta(days=40))
    first = Task.objects.get(case=case, kind="visit_follow_up")
    visit(api, personas["specialist"], case, now - timedelta(days=1))
    first.refresh_from_db()
    second = Task.objects.get(case=case, kind="visit_follow_up", status=TaskStatus.OPEN)
    assert first.status == TaskStatus.SUPERSEDED
    assert first.superseded_by == second
    # The first was due ten days ago: superseded, it is not escalated.
    overdue_scan(now=now)
    assert not TimelineEvent.objects.filter(kind="task_overdue", data__task_id=first.pk).exists()
    tasks = api(personas["specialist"]).get(f"/api/v1/cases/{case.pk}/").json()["tasks"]
    row = next(t for t in tasks if t["id"] == first.pk)
    assert (row["status"], row["superseded_by"], row["overdue"]) == (
        "superseded",
        second.pk,
        False,
    )


def test_each_removal_keeps_its_own_prosecutor_deadline(
    api: Any, personas: dict[str, Any], case: Case
) -> None:
    specialist = api(personas["specialist"])
    for hours in (5, 1):
        case.refresh_from_db()
        response = specialist.post(
            f"/api/v1/cases/{case.pk}/protective-actions/",
            {
                "version": case.version,
                "kind": "removal",
                "decided_at": (timezone.now() - timedelta(hours=hours)).isoformat(),
                "description": "Removed from home",
            },
            format="json",
        )
        assert response.status_code in (200, 201), response.content
    notices = Task.objects.filter(case=case, kind="prosecutor_notice")
    assert [t.status for t in notices] == [TaskStatus.OPEN, TaskStatus.OPEN]


def test_closing_a_case_cancels_its_tasks_with_the_cause(
    api: Any, personas: dict[str, Any], case: Case
) -> None:
    specialist, supervisor = api(personas["specialist"]), api(personas["supervisor"])
    url = f"/api/v1/cases/{case.pk}"
    steps = [
        (
            specialist,
            "assessments",
            {"kind": "initial", "findings": "Bruises", "risk_level": "high", "confirmed": "yes"},
        ),
        (
            specialist,
            "assessments",
            {
                "kind": "complex",
                "findings": "Needs support",
                "risk_level": "medium",
                "confirmed": "yes",
            },
        ),
        (specialist, "plan", {"goals": "Safety", "actions": []}),
        (supervisor, "plan/decision", {"approve": True}),
        (specialist, "close", {"reason": "objectives_achieved"}),
        (supervisor, "closure-decision", {"approve": True}),
    ]
    for client, path, body in steps:
        response = client.post(f"{url}/{path}/", body, format="json")
        assert response.status_code == 200, (path, response.content)
    tasks = specialist.get(f"{url}/", HTTP_ACCEPT_LANGUAGE="en").json()["tasks"]
    review = next(t for t in tasks if t["kind"] == "plan_review")
    assert (review["status"], review["cancel_reason"]) == ("cancelled", "The case was closed.")
    assert all(t["status"] != "open" for t in tasks)
