"""Reads of the register, always through the reader's scope; a report outside it is a 404."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from ocrotire.accounts.models import User
from ocrotire.core.forms import query_date
from ocrotire.intake.models import Channel, Report, ReportChild, ReportStatus
from ocrotire.intake.permissions import can_file_report, keeps_register
from ocrotire.registry.selectors import has_digits, named_q, scope_q
from ocrotire.workflow.deadlines import repeat_window_days
from ocrotire.workflow.models import Task, TaskStatus


def report_scope(user: User) -> QuerySet[Report]:
    """The register keepers see their area; a reporter sees only the reports they filed."""
    if keeps_register(user):
        condition = scope_q(user, "unit")
        qs = Report.objects.all()
        return qs if condition is None else qs.filter(condition)
    if can_file_report(user):
        return Report.objects.filter(created_by=user)
    return Report.objects.none()


def report_list(
    *,
    user: User,
    status: str = "",
    channel: str = "",
    unit_code: str = "",
    search: str = "",
    received_from: date | None = None,
    received_to: date | None = None,
    immediate_danger: bool | None = None,
) -> QuerySet[Report]:
    """Each report carries `overdue`: one of its steps (triage, the notification form) is late."""
    qs = report_scope(user)
    if immediate_danger is not None:
        qs = qs.filter(immediate_danger=immediate_danger)
    if status:
        qs = qs.filter(status=status)
    if channel:
        qs = qs.filter(channel=channel)
    if unit_code:
        qs = qs.filter(Q(unit__code=unit_code) | Q(unit__path__contains=f"/{unit_code}/"))
    if search:
        term = search.strip()
        if has_digits(term):
            qs = qs.filter(number__iexact=term)
        else:
            reports = ReportChild.objects.filter(named_q("person_id", term)).values("report_id")
            qs = qs.filter(pk__in=reports)
    if received_from:
        qs = qs.filter(received_at__date__gte=received_from)
    if received_to:
        qs = qs.filter(received_at__date__lte=received_to)
    return (
        qs.select_related("unit", "most_serious", "reporter_institution", "registering_institution")
        .prefetch_related("concerns", "children", "cases", "agency_notices")
        .annotate(
            overdue=Exists(
                Task.objects.filter(
                    report=OuterRef("pk"), status=TaskStatus.OPEN, due_at__lt=timezone.now()
                )
            )
        )
        .order_by("-received_at", "-id")
    )


def report_list_from_query(
    *, user: User, params: Mapping[str, Any]
) -> tuple[QuerySet[Report], dict[str, str]]:
    """The register as the list page filters it from its query string (the export of the list
    reads the same filters the same way): the reports and the filters as understood."""
    get = params
    filters = {
        "status": get.get("status", "") if get.get("status", "") in ReportStatus.values else "",
        "channel": get.get("channel", "") if get.get("channel", "") in Channel.values else "",
        "danger": get.get("danger", "") if get.get("danger", "") in ("yes", "no") else "",
        "received_from": get.get("received_from", "")[:10],
        "received_to": get.get("received_to", "")[:10],
        "q": get.get("q", "").strip()[:60],
    }
    qs = report_list(
        user=user,
        status=filters["status"],
        channel=filters["channel"],
        search=filters["q"],
        received_from=query_date(filters["received_from"]),
        received_to=query_date(filters["received_to"]),
        immediate_danger={"yes": True, "no": False}.get(filters["danger"]),
    )
    return qs, filters


def reports_filed_by(*, user: User) -> QuerySet[Report]:
    """What a user filed themselves, whoever's area it is in: the filer follows its status."""
    return Report.objects.filter(created_by=user).order_by("-received_at", "-id")


def report_get(*, user: User, pk: int | str) -> Report:
    try:
        return (
            report_scope(user)
            .select_related(
                "unit",
                "most_serious",
                "reporter_institution",
                "registering_institution",
                "redirected_to",
                "triaged_by",
            )
            .prefetch_related("concerns", "children", "agency_notices", "attachments", "cases")
            .get(pk=pk)
        )
    except (Report.DoesNotExist, ValueError, OverflowError) as exc:
        raise Http404 from exc


def reports_about_same_children(*, user: User, report: Report) -> QuerySet[Report]:
    """Other reports about any child of this one, received within the country's window."""
    window = timedelta(days=repeat_window_days(report.unit.country))
    # A report dated near year 1 or 9999 (written before dates were bounded) has a window that
    # ends at the calendar's edge.
    earliest, latest = datetime.min.replace(tzinfo=UTC), datetime.max.replace(tzinfo=UTC)
    received = report.received_at
    return (
        report_scope(user)
        .filter(
            children__in=report.children.all(),
            received_at__gte=received - window if received - earliest > window else earliest,
            received_at__lte=received + window if latest - received > window else latest,
        )
        .exclude(pk=report.pk)
        .select_related("unit")
        .distinct()
        .order_by("-received_at")
    )
