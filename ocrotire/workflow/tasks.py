"""Background jobs of the workflow: the overdue scan that escalates missed deadlines.

Several watchers may run at once (one per worker machine): each claims its batch with
SKIP LOCKED on PostgreSQL, and a task is escalated once (`overdue_notified_at`); a rule with
levels of escalation alerts each level once, when its time comes (`escalation_level`,
`next_escalation_at`, moved on under the same lock)."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from ocrotire.accounts.models import RoleCode, User
from ocrotire.geo.models import Unit
from ocrotire.workflow.deadlines import escalation_time, event_fire
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
    manager and the supervisors of the unit — or, where the rule escalates, each level of its
    escalation once, when its time comes. Returns how many tasks were escalated."""
    now = now or timezone.now()
    first = Q(status=TaskStatus.OPEN, due_at__lt=now, overdue_notified_at__isnull=True)
    later = Q(
        status=TaskStatus.OPEN, overdue_notified_at__isnull=False, next_escalation_at__lte=now
    )
    return _rounds(first, now=now, batch=batch, overdue=True) + _rounds(
        later, now=now, batch=batch, overdue=False
    )


def _rounds(condition: Q, *, now: datetime, batch: int, overdue: bool) -> int:
    """Claim batches of the tasks that meet `condition` and escalate each. A claimed row is
    locked (SKIP LOCKED: another watcher takes other rows) and marked in the same transaction,
    so that no level is alerted twice."""
    escalated = 0
    while True:
        with transaction.atomic():
            qs = (
                Task.objects.filter(condition)
                .select_related("case", "report", "rule", "unit", "assignee", "case__manager")
                .order_by("due_at", "id")
            )
            if connection.features.has_select_for_update_skip_locked:
                qs = qs.select_for_update(skip_locked=True, of=("self",))
            tasks = list(qs[:batch])
            if not tasks:
                return escalated
            if overdue:
                Task.objects.filter(pk__in=[t.pk for t in tasks]).update(overdue_notified_at=now)
            supervisors: dict[tuple[int, tuple[str, ...]], list[User]] = {}
            for item in tasks:
                try:
                    with transaction.atomic():
                        if overdue:
                            item.overdue_notified_at = now
                            _escalate(item, supervisors)
                        else:
                            _escalate_further(item, supervisors, now=now)
                except (OperationalError, InterfaceError):
                    raise  # the connection, not the row: the watcher reconnects
                except Exception:
                    # A bad row (a date no calendar holds, written straight into the database)
                    # is logged and left marked, so that it cannot stop every round after it.
                    logger.exception("overdue task %s could not be escalated; skipped", item.pk)
                    Task.objects.filter(pk=item.pk).update(next_escalation_at=None)
            escalated += len(tasks)


def _of_unit(
    item: Task, roles: tuple[str, ...], cache: dict[tuple[int, tuple[str, ...]], list[User]]
) -> list[User]:
    key = (item.unit_id, roles)
    if key not in cache:
        cache[key] = supervisors_of(item.unit, roles=roles)
    return cache[key]


def _escalate(item: Task, supervisors: dict[tuple[int, tuple[str, ...]], list[User]]) -> None:
    """Put one task that turned overdue (at `overdue_notified_at`) on the timeline and notify
    those who answer for it: at once, or the levels of the rule's escalation whose time came."""
    assert item.overdue_notified_at is not None
    event_fire(
        actor=None,
        kind="task_overdue",
        at=item.due_at,
        case=item.case,
        report=None if item.case_id else item.report,
        data={"task": item.kind, "task_id": item.pk, "due_at": item.due_at.isoformat()},
    )
    if item.rule.escalation:
        _escalate_further(item, supervisors, now=item.overdue_notified_at)
        return
    recipients = [
        _manager(item),
        *_of_unit(item, (RoleCode.SUPERVISOR, RoleCode.HEAD), supervisors),
    ]
    if item.rule.assignee == "triage":
        # Nobody is assigned a report yet: the unit's specialists share the triage.
        recipients += _of_unit(item, (RoleCode.SPECIALIST,), supervisors)
    notify(
        users=[u for u in recipients if u is not None],
        kind="task_overdue",
        case=item.case,
        task=item,
        data=_notice_data(item),
    )


def _escalate_further(
    item: Task, supervisors: dict[tuple[int, tuple[str, ...]], list[User]], *, now: datetime
) -> None:
    """Alert each level of the rule's escalation whose time has come and was not alerted yet
    (several, if the watcher ran late), and note where the escalation stands."""
    levels = item.rule.escalation or []
    level = item.escalation_level
    while (due := escalation_time(item.rule, item.due_at, level)) is not None and due <= now:
        to = levels[level]["to"]
        if to == "manager":
            manager = _manager(item)
            notify(
                users=[manager] if manager is not None else [],
                kind="task_overdue",
                case=item.case,
                task=item,
                data=_notice_data(item),
            )
        else:
            role = RoleCode.SUPERVISOR if to == "supervisor" else RoleCode.HEAD
            notify(
                users=_of_unit(item, (role,), supervisors),
                kind="task_escalated",
                case=item.case,
                task=item,
                data=_notice_data(item),
            )
            event_fire(
                actor=None,
                kind="task_escalated",
                at=due,
                case=item.case,
                report=None if item.case_id else item.report,
                data={"task": item.kind, "task_id": item.pk, "to": to},
            )
        level += 1
    Task.objects.filter(pk=item.pk).update(
        escalation_level=level, next_escalation_at=escalation_time(item.rule, item.due_at, level)
    )


def _manager(item: Task) -> User | None:
    return item.assignee or (item.case.manager if item.case is not None else None)


def _notice_data(item: Task) -> dict[str, Any]:
    subject = item.case if item.case_id else item.report
    assert subject is not None
    return {
        "subject": subject.number,
        "task": item.rule.label(),
        "due": timezone.localtime(item.due_at).strftime("%Y-%m-%d %H:%M"),
    }


@task()
def overdue_scan_job() -> int:
    return overdue_scan()


def overdue_filter(now: datetime | None = None) -> Q:
    return Q(status=TaskStatus.OPEN, due_at__lt=now or timezone.now())
