"""Several deadline watchers at the same moment alert each level of an escalation once: each
claims its tasks with SKIP LOCKED and moves the escalation on under that lock."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from ocrotire.accounts.models import User
from ocrotire.care.services import placement_start
from ocrotire.cases.triage import TriageInput, report_triage
from ocrotire.intake.services import ChildInput, ReportInput, report_create
from ocrotire.registry.services import PersonInput
from ocrotire.workflow.models import Notification, Task, TimelineEvent
from ocrotire.workflow.tasks import overdue_scan


def _watchers_at(now: datetime, count: int = 4) -> None:
    errors: list[BaseException] = []
    start = threading.Barrier(count)

    def watch() -> None:
        try:
            start.wait()
            overdue_scan(now=now)
        except BaseException as exc:  # collected and re-raised in the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=watch) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="the in-memory SQLite test database cannot take writers from several threads",
)
def test_concurrent_watchers_alert_each_level_once(
    transactional_db: Any,
    personas: dict[str, User],
    territory: dict[str, Any],
    casework: None,
    make_user: Callable[..., User],
) -> None:
    make_user("head", ("head",), ("MD-CU",))
    specialist = personas["specialist"]
    report = report_create(
        actor=specialist,
        data=ReportInput(
            channel="hotline",
            reporter_kind="anonymous",
            unit=territory["MD-CU-BOT"],
            narrative="The child is beaten at home tonight.",
            concerns=["physical"],
            immediate_danger=True,
            children=[ChildInput(new=PersonInput(given_name="Ion", birth_date=date(2016, 1, 1)))],
        ),
    )
    report = report_triage(
        actor=specialist,
        report=report,
        version=report.version,
        data=TriageInput(decision="open_case", reason="Danger", risk_level="high"),
    )
    case = report.cases.get()
    placement_start(
        actor=specialist,
        child=case.child,
        case=case,
        form="emergency_centre",
        emergency=True,
        carer_name="Centrul de plasament temporar",
        started_at=timezone.now(),
    )
    cap = Task.objects.get(case=case, kind="emergency_placement_cap")

    def lines(kind: str) -> int:
        return TimelineEvent.objects.filter(
            case=case, kind=kind, data__task="emergency_placement_cap"
        ).count()

    _watchers_at(cap.due_at + timedelta(minutes=1))
    assert lines("task_overdue") == 1
    assert Notification.objects.filter(task=cap).count() == 1
    _watchers_at(cap.due_at + timedelta(hours=12, minutes=1))
    _watchers_at(cap.due_at + timedelta(hours=24, minutes=1))
    assert lines("task_overdue") == 1
    assert lines("task_escalated") == 2
    assert set(Notification.objects.filter(task=cap).values_list("user__username", "kind")) == {
        ("specialist", "task_overdue"),
        ("supervisor", "task_escalated"),
        ("head", "task_escalated"),
    }
    cap.refresh_from_db()
    assert (cap.escalation_level, cap.next_escalation_at) == (3, None)
