"""Dashboard pages: every series as an accessible table (a chart drawn over it when scripts run),
and the drill-down from a count to the records behind it for readers who see the records."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ocrotire.accounts.models import User
from ocrotire.accounts.permissions import member_or_403
from ocrotire.analytics.common.permissions import can_view_analytics, sees_records
from ocrotire.analytics.common.suppression import is_suppressed
from ocrotire.analytics.dashboards.area import Filters
from ocrotire.analytics.dashboards.drill import DRILL_METRICS, UnknownFigure, drill_records
from ocrotire.analytics.dashboards.forms import DashboardFilterForm, unit_picker
from ocrotire.analytics.dashboards.series import Series, dashboard_cached, present

# What each drill-down lists, as its page's heading.
DRILL_TITLES = {
    "reports_month": _("Reports received in a month"),
    "reports_concern": _("Reports of a concern"),
    "reports_source": _("Reports from a source"),
    "reports_channel": _("Reports received through a channel"),
    "reports_unit": _("Reports of a unit"),
    "children_sex": _("Reports naming children of a sex"),
    "children_band": _("Reports naming children of an age band"),
    "children_area_kind": _("Reports naming children from urban or rural places"),
    "children_refugee": _("Reports naming refugee children, or not"),
    "children_disability": _("Reports naming children with a disability, or not"),
    "cases_stage": _("Cases at a stage"),
    "caseload": _("Open cases of a case manager"),
    "overdue_unit": _("Overdue steps of a unit"),
    "overdue_worker": _("Overdue steps of a worker"),
    "referrals_status": _("Referrals by status"),
}


def _reader(request: HttpRequest) -> User:
    user = member_or_403(request)
    if not can_view_analytics(user):
        raise PermissionDenied
    return user


def filter_query(filters: Filters) -> dict[str, str]:
    return {
        "unit": filters.unit.code if filters.unit is not None else "",
        "since": filters.since.isoformat(),
        "until": filters.until.isoformat(),
    }


def _table(series: Series, *, exact: bool, drill_base: str) -> dict[str, Any]:
    """A series as its table (cells with their drill-down links) and its chart's data."""
    rows = present(series, exact=exact)
    columns = [{"key": key, "label": str(label)} for key, label in series.columns]
    table_rows = []
    for row in rows:
        cells = []
        for column in columns:
            value = row["values"][column["key"]]
            link = ""
            if exact and series.drill and isinstance(value, int) and value > 0:
                link = drill_base + "&" + urlencode({"metric": series.drill, "key": row["key"]})
            cells.append({"value": value, "link": link})
        table_rows.append({"key": row["key"], "label": row["label"], "cells": cells})
    chart_columns = series.extra.get("chart_columns") or [c["key"] for c in columns]
    chart = {
        "type": series.chart,
        "title": str(series.title),
        "labels": [row["label"] for row in rows],
        "datasets": [
            {
                "label": column["label"],
                # A suppressed count is not drawn: the table says "<5".
                "data": [
                    None
                    if is_suppressed(row["values"][column["key"]])
                    else row["values"][column["key"]]
                    for row in rows
                ],
            }
            for column in columns
            if column["key"] in chart_columns
        ],
    }
    return {
        "name": series.name,
        "title": series.title,
        "note": series.note,
        "columns": columns,
        "rows": table_rows,
        "chart": chart,
        "extra": series.extra,
        "empty": not any(isinstance(v, str) or v for row in rows for v in row["values"].values()),
    }


@login_required
def dashboard_view(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    form = DashboardFilterForm(request.GET, user=user)
    context: dict[str, Any] = {"form": form, "units": unit_picker(user), "sections": []}
    if not form.is_valid():
        return render(request, "analytics/dashboard.html", context, status=400)
    filters = form.filters()
    exact = sees_records(user)
    drill_base = reverse("analytics:drill") + "?" + urlencode(filter_query(filters))
    all_series, counted_at = dashboard_cached(user=user, filters=filters)
    sections = [_table(s, exact=exact, drill_base=drill_base) for s in all_series]
    context.update(
        {
            "counted_at": counted_at,
            "filters": filters,
            "exact": exact,
            "sections": sections,
            "charts": {section["name"]: section["chart"] for section in sections},
        }
    )
    return render(request, "analytics/dashboard.html", context)


@login_required
def drill_view(request: HttpRequest) -> HttpResponse:
    """The records behind a count: reports, cases, overdue steps or referrals, a page at a time,
    only those the reader may open."""
    user = _reader(request)
    if not sees_records(user):
        raise PermissionDenied
    form = DashboardFilterForm(request.GET, user=user)
    metric = request.GET.get("metric", "")[:40]
    key = request.GET.get("key", "")[:100]
    if metric not in DRILL_METRICS:
        raise Http404
    if not form.is_valid():
        return render(request, "analytics/drill.html", {"form": form, "metric": metric}, status=400)
    filters = form.filters()
    try:
        kind, records = drill_records(user=user, filters=filters, metric=metric, key=key)
    except UnknownFigure as exc:
        raise Http404 from exc
    page = Paginator(records, 50).get_page(request.GET.get("page"))
    query = {**filter_query(filters), "metric": metric, "key": key}
    return render(
        request,
        "analytics/drill.html",
        {
            "form": form,
            "kind": kind,
            "metric": metric,
            "title": DRILL_TITLES.get(metric, ""),
            "key": key,
            "filters": filters,
            "page": page,
            "query": urlencode(query) + "&",
            "back": reverse("analytics:dashboard") + "?" + urlencode(filter_query(filters)),
        },
    )
