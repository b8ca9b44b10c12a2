"""The report card: the page of one report for those who keep the register — its facts, the
children, the agencies notified, deadlines, attachments and the timeline, with the panels other
apps add (`intake.panels`). The triage page (cases) shows it again with its form as posted."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from ocrotire.accounts.models import User
from ocrotire.intake.forms import AttachmentForm, FormReceivedForm
from ocrotire.intake.models import Report
from ocrotire.intake.panels import panels_of
from ocrotire.intake.permissions import can_record_form_received, can_triage
from ocrotire.intake.selectors import reports_about_same_children
from ocrotire.workflow.events import event_text
from ocrotire.workflow.selectors import report_tasks, report_timeline
from ocrotire.workflow.timeline import deadlines_of, rule_names


def _tasks(report: Report) -> list[Any]:
    now = timezone.now()
    tasks = list(report_tasks(report.pk))
    for task in tasks:
        task.overdue = (  # type: ignore[attr-defined]
            task.done_at > task.due_at
            if task.done_at is not None
            else task.status == "open" and task.due_at < now
        )
    return tasks


def _timeline(report: Report) -> list[dict[str, Any]]:
    names = rule_names(report.unit.country)
    return [
        {
            "at": event.at,
            "text": event_text(event, names),
            "actor": (event.actor.get_full_name() or event.actor.username) if event.actor else "",
            "deadlines": deadlines_of(event, names),
        }
        for event in report_timeline(report.pk)
    ]


def report_card(
    request: HttpRequest,
    *,
    user: User,
    report: Report,
    bound: Mapping[str, Mapping[str, Any]] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The card of a report the user may read (from `report_get`). `bound` is what a panel
    shows instead of its own, by panel name (a form as posted, with its errors)."""
    return render(
        request,
        "intake/report_detail.html",
        {
            "report": report,
            "children": list(report.children.all()),
            "concerns": list(report.concerns.all()),
            "agencies": list(report.agency_notices.all()),
            "attachments": list(report.attachments.all()),
            "tasks": _tasks(report),
            "timeline": _timeline(report),
            "same_children": list(reports_about_same_children(user=user, report=report)[:50]),
            "panels": panels_of(user, report, bound=bound),
            "form_received_form": FormReceivedForm(initial={"version": report.version})
            if can_record_form_received(user, report)
            else None,
            "attachment_form": AttachmentForm() if can_triage(user, report) else None,
        },
        status=status,
    )
