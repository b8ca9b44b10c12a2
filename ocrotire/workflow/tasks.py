"""Background jobs of the workflow: the overdue scan that escalates missed deadlines.

Several watchers may run at once (one per worker machine): each claims its batch with
SKIP LOCKED on PostgreSQL, and a task is escalated once (`overdue_notified_at`)."""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from ocrotire.accounts.models import RoleCode, User
from ocrotire.geo.models import Unit
from ocrotire.workflow.deadlines import event_fire
from ocrotire.workflow.models import Task, TaskStatus
from ocrotire.workflow.notifications import notify

logger = logging.getLogger(__name__)


def supervisors_of(
    unit: Unit, *, roles: tuple[str, ...] = (RoleCode.SUPERVISOR, RoleCode.HEAD)
) -> list[User]:
    """Active users with one of `roles` whose area covers `unit`."""
    ancestors = Unit.objects.filter(code__in=unit.ancestor_codes())
    return list(
        User.objects.filter(
            is_active=True, roles__code__in=list(roles), units__in=ancestors
        ).distinct()
    )


def overdue_scan(*, now: datetime | None = None, batch: int = 500) -> int:
    """Mark the tasks that passed their due time, put it on the timeline, and notify the case
    manager and the supervisors of the unit. Returns how many tasks were escalated."""
    now = now or timezone.now()
    escalated = 0
    while True:
        with transaction.atomic():
            qs = (
                Task.objects.filter(
                    status=TaskStatus.OPEN, due_at__lt=now, overdue_notified_at__isnull=True
                )
                .select_related("case", "report", "rule", "unit", "assignee", "case__manager")
                .order_by("due_at", "id")
            )
            if connection.features.has_select_for_update_skip_locked:
                qs = qs.select_for_update(skip_locked=True, of=("self",))
            tasks = list(qs[:batch])
            if not tasks:
                return escalated
            Task.objects.filter(pk__in=[t.pk for t in tasks]).update(overdue_notified_at=now)
            supervisors: dict[int, list[User]] = {}
            for item in tasks:
                try:
                    with transaction.atomic():
                        _escalate(item, supervisors)
                except (OperationalError, InterfaceError):
                    raise  # the connection, not the row: the watcher reconnects
                except Exception:
                    # A bad row (a date no calendar holds, written straight into the database)
                    # is logged and left marked, so that it cannot stop every round after it.
                    logger.exception("overdue task %s could not be escalated; skipped", item.pk)
            escalated += len(tasks)


def _escalate(item: Task, supervisors: dict[int, list[User]]) -> None:
    """Put one overdue task on the timeline and notify those who answer for it."""
    subject = item.case if item.case_id else item.report
    assert subject is not None
    event_fire(
        actor=None,
        kind="task_overdue",
        at=item.due_at,
        case=item.case,
        report=None if item.case_id else item.report,
        data={"task": item.kind, "task_id": item.pk, "due_at": item.due_at.isoformat()},
    )
    if item.unit_id not in supervisors:
        supervisors[item.unit_id] = supervisors_of(item.unit)
    manager = item.assignee or (item.case.manager if item.case is not None else None)
    recipients = [manager, *supervisors[item.unit_id]]
    if item.rule.assignee == "triage":
        # Nobody is assigned a report yet: the unit's specialists share the triage.
        recipients += supervisors_of(item.unit, roles=(RoleCode.SPECIALIST,))
    notify(
        users=[u for u in recipients if u is not None],
        kind="task_overdue",
        case=item.case,
        task=item,
        data={
            "subject": subject.number,
            "task": item.rule.label(),
            "due": timezone.localtime(item.due_at).strftime("%Y-%m-%d %H:%M"),
        },
    )


@task()
def overdue_scan_job() -> int:
    return overdue_scan()


def overdue_filter(now: datetime | None = None) -> Q:
    return Q(status=TaskStatus.OPEN, due_at__lt=now or timezone.now())
