"""Drill-down: the records behind one count of the dashboard, read through the reader's own
scoped selectors."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from ocrotire.accounts.models import User
from ocrotire.analytics.common import figures
from ocrotire.analytics.common.expressions import age_band, place_kind
from ocrotire.analytics.dashboards.area import Area, Filters
from ocrotire.analytics.dashboards.counts import (
    CHILD_DIMENSIONS,
    UNASSIGNED,
    overdue_tasks,
    source_q,
)
from ocrotire.cases.models import OPEN_STAGES, Referral, ReferralStatus, Stage
from ocrotire.intake.models import Report, ReportChild

REPORT_METRICS = (
    "reports_month",
    "reports_concern",
    "reports_source",
    "reports_channel",
    "reports_unit",
    *(f"children_{d}" for d in CHILD_DIMENSIONS),
)
CASE_METRICS = ("cases_stage", "caseload")
TASK_METRICS = ("overdue_unit", "overdue_worker")
REFERRAL_METRICS = ("referrals_status",)
DRILL_METRICS = (*REPORT_METRICS, *CASE_METRICS, *TASK_METRICS, *REFERRAL_METRICS)


def _reports(area: Area, filters: Filters) -> QuerySet[Report]:
    return Report.objects.filter(
        area.q("unit"), received_at__gte=filters.start, received_at__lt=filters.end
    ).order_by()


def child_rows(area: Area, filters: Filters) -> QuerySet[ReportChild]:
    """Each child named in each report of the period, with the groups it falls in: sex, age band
    at the report's date, urban or rural place of the report, refugee, disability."""
    rows: QuerySet[ReportChild] = (
        figures.CHILDREN.source()
        .filter(
            area.q("report__unit"),
            report__received_at__gte=filters.start,
            report__received_at__lt=filters.end,
        )
        .annotate(
            band=age_band(at="report__received_at", born="person__birth_date"),
            area_kind=place_kind("report__unit"),
        )
    )
    return rows


class UnknownFigure(ValueError):
    """A drill-down asked for a figure or a key the dashboard does not have."""


def _part_q(area: Area, key: str, field: str) -> Q:
    """The rows of one part of the area (or of the area's own unit, by its code)."""
    if area.unit is not None and key == area.unit.code:
        return Q(**{field: area.unit})
    part = next((p for p in area.parts if p.code == key), None)
    if part is None:
        raise UnknownFigure(key)
    return Q(**{f"{field}__path__startswith": part.path})


def _worker_q(key: str, assignee: str, manager: str) -> Q:
    if key == UNASSIGNED:
        return Q(**{f"{assignee}__isnull": True, f"{manager}__isnull": True})
    worker = _int(key)
    return Q(**{assignee: worker}) | Q(**{f"{assignee}__isnull": True, manager: worker})


def drill_records(
    *, user: User, filters: Filters, metric: str, key: str, now: datetime | None = None
) -> tuple[str, QuerySet[Any]]:
    """The records behind one count of the dashboard, read through the reader's own scoped
    selectors (so a record outside their scope never appears, whatever the filters say):
    ("report" | "case" | "task" | "referral", queryset)."""
    from ocrotire.cases.selectors import case_scope, task_scope
    from ocrotire.intake.selectors import report_scope

    area = Area(user, filters.unit)
    if metric in REPORT_METRICS:
        reports = report_scope(user).filter(pk__in=_reports(area, filters).values("pk"))
        if metric == "reports_month":
            try:
                first = date(int(key[:4]), int(key[5:7]), 1)
            except ValueError as exc:
                raise UnknownFigure(key) from exc
            if not 1900 <= first.year <= 2100:
                raise UnknownFigure(key)
            start = timezone.make_aware(datetime.combine(first, time.min))
            after = timezone.make_aware(
                datetime.combine((first + timedelta(days=32)).replace(day=1), time.min)
            )
            reports = reports.filter(received_at__gte=start, received_at__lt=after)
        elif metric == "reports_concern":
            through = Report.concerns.through.objects.filter(
                report=OuterRef("pk"), concerncategory__code=key
            )
            reports = reports.filter(Exists(through))
        elif metric == "reports_source":
            reports = reports.filter(source_q(key))
        elif metric == "reports_channel":
            reports = reports.filter(channel=key)
        elif metric == "reports_unit":
            reports = reports.filter(_part_q(area, key, "unit"))
        else:
            dimension = metric.removeprefix("children_")
            children = child_rows(area, filters).filter(**{dimension: key})
            reports = reports.filter(pk__in=children.values("report_id"))
        return "report", reports.select_related("unit").order_by("-received_at", "-id")
    if metric in CASE_METRICS:
        cases = case_scope(user).filter(area.q("unit"))
        if metric == "cases_stage":
            if key not in Stage.values:
                raise UnknownFigure(key)
            cases = cases.filter(stage=key)
            if key == Stage.CLOSED:
                cases = cases.filter(closed_at__gte=filters.start, closed_at__lt=filters.end)
        else:
            cases = cases.filter(stage__in=OPEN_STAGES)
            cases = cases.filter(
                Q(manager__isnull=True) if key == UNASSIGNED else Q(manager_id=_int(key))
            )
        return "case", cases.select_related("unit", "manager").order_by("-opened_at", "-id")
    if metric in TASK_METRICS:
        tasks = task_scope(user).filter(pk__in=overdue_tasks(area, now).values("pk"))
        if metric == "overdue_unit":
            tasks = tasks.filter(_part_q(area, key, "unit"))
        else:
            tasks = tasks.filter(_worker_q(key, "assignee_id", "case__manager_id"))
        return "task", tasks.select_related("rule", "case", "report", "unit", "assignee").order_by(
            "due_at", "id"
        )
    if metric in REFERRAL_METRICS:
        if key not in ReferralStatus.values:
            raise UnknownFigure(key)
        referrals = Referral.objects.filter(
            area.q("case__unit"),
            case__in=case_scope(user).values("pk"),
            sent_at__gte=filters.start,
            sent_at__lt=filters.end,
            status=key,
        )
        return "referral", referrals.select_related("case", "service_point").order_by(
            "-sent_at", "-id"
        )
    raise UnknownFigure(metric)


def _int(key: str) -> int:
    if not key.isdigit() or len(key) > 18:
        raise UnknownFigure(key)
    return int(key)
