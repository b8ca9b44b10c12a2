"""Reads of a report's tasks and timeline, of one task of the user's area, and of a user's
notifications."""

from __future__ import annotations

from django.db.models import QuerySet

from ocrotire.accounts.models import User
from ocrotire.accounts.permissions import is_member, scope_of
from ocrotire.core.errors import NotFound
from ocrotire.workflow.models import Notification, Task, TimelineEvent


def report_tasks(report_id: int) -> QuerySet[Task]:
    return Task.objects.filter(report_id=report_id).select_related("rule").order_by("due_at", "id")


def report_timeline(report_id: int) -> list[TimelineEvent]:
    return list(
        TimelineEvent.objects.filter(report_id=report_id)
        .select_related("actor")
        .order_by("at", "id")
    )


def notifications_of(user: User) -> QuerySet[Notification]:
    return (
        Notification.objects.filter(user=user)
        .select_related("case", "task")
        .order_by("-created_at", "-id")
    )


def unread_count(user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def task_get(*, user: User, pk: int) -> Task:
    """A task of a case or report in the user's area; missing or not theirs is NotFound."""
    task = (
        Task.objects.select_related("rule", "unit", "case", "report", "assignee")
        .filter(pk=pk)
        .first()
    )
    if task is None or not is_member(user) or not scope_of(user).covers_path(task.unit.path):
        raise NotFound
    return task
