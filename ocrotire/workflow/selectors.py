"""Reads of a report's tasks and timeline and of a user's notifications."""

from __future__ import annotations

from django.db.models import QuerySet

from ocrotire.accounts.models import User
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
