"""Output shapes of tasks and timeline events, shared by the report and case APIs."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from rest_framework import serializers

from ocrotire.workflow.events import event_text
from ocrotire.workflow.models import CancelCause, TaskStatus
from ocrotire.workflow.timeline import deadlines_of, rule_names


class TaskSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    name = serializers.CharField(source="rule.label")
    due_at = serializers.DateTimeField()
    done_at = serializers.DateTimeField(allow_null=True)
    status = serializers.CharField()
    overdue = serializers.SerializerMethodField()
    met = serializers.BooleanField(allow_null=True)
    legal_reference = serializers.CharField(source="rule.legal_reference")
    verified = serializers.BooleanField(source="rule.verified")
    rule_version = serializers.IntegerField(source="rule.version")
    cancelled_at = serializers.DateTimeField(allow_null=True)
    cancel_reason = serializers.SerializerMethodField(
        help_text="Why it was cancelled: the reason written, or the step that made it unnecessary."
    )
    superseded_by = serializers.IntegerField(
        source="superseded_by_id", allow_null=True, help_text="The task that replaced it."
    )

    def get_cancel_reason(self, task: Any) -> str:
        return cancel_text(task)

    def get_overdue(self, task: Any) -> bool:
        if task.done_at is not None:
            return bool(task.done_at > task.due_at)
        return bool(task.status == "open" and task.due_at < timezone.now())


def cancel_text(task: Any) -> str:
    """Why a task ended without being done, in the reader's language ("" when it did not)."""
    if task.status == TaskStatus.SUPERSEDED:
        return str(TaskStatus.SUPERSEDED.label)
    if task.status != TaskStatus.CANCELLED:
        return ""
    if task.cancel_reason:
        return str(task.cancel_reason)
    if task.cancel_cause in CancelCause.values:
        return str(CancelCause(task.cancel_cause).label)
    return str(TaskStatus.CANCELLED.label)


class TimelineEventSerializer(serializers.Serializer[Any]):
    at = serializers.DateTimeField()
    kind = serializers.CharField()
    text = serializers.CharField()
    actor = serializers.CharField(allow_null=True)
    report = serializers.CharField(allow_null=True)
    deadlines = serializers.ListField(child=serializers.DictField())


def timeline_rows(events: list[Any], country: str) -> list[dict[str, Any]]:
    names = rule_names(country)
    return [
        {
            "at": e.at,
            "kind": e.kind,
            "text": event_text(e, names),
            "actor": (e.actor.get_full_name() or e.actor.username) if e.actor else None,
            "report": e.report.number if e.report_id and e.report else None,
            "deadlines": deadlines_of(e, names),
        }
        for e in events
    ]
