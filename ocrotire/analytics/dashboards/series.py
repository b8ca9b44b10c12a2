"""The whole dashboard as its reader sees it: every series of counts as a chart and its table
(`dashboard`), small counts suppressed for readers who do not see the records (`present`), and
the raw counts kept a while per area, period and language (`dashboard_cached`)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ocrotire.accounts.models import User
from ocrotire.analytics.common import figures
from ocrotire.analytics.common.suppression import Group, suppress
from ocrotire.analytics.dashboards.area import Area, Filters
from ocrotire.analytics.dashboards.counts import (
    case_figures,
    children_figures,
    overdue_figures,
    placement_figures,
    plan_figures,
    referral_figures,
    report_figures,
    screening_figures,
    service_figures,
)


@dataclass(frozen=True)
class Series:
    """One chart and its table: rows of (key, label, one count per column)."""

    name: str
    title: Promise | str
    columns: tuple[tuple[str, Promise | str], ...]
    rows: Sequence[tuple[str, str, tuple[int, ...]]]
    chart: str = "bar"
    # Counts of children or of their records: small ones are suppressed for readers who do not
    # see the records. Places and sub-actions identify nobody.
    sensitive: bool = True
    # The drill-down metric behind each count ("" when there is none).
    drill: str = ""
    note: Promise | str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _one(rows: list[tuple[str, str, int]]) -> list[tuple[str, str, tuple[int, ...]]]:
    return [(k, label, (n,)) for k, label, n in rows]


def dashboard(*, user: User, filters: Filters, now: datetime | None = None) -> list[Series]:
    """Every series of the dashboard for an area and period, as raw counts."""
    area = Area(user, filters.unit)
    period = figures.period(area.q, filters.since, filters.until, area.unit_ids)
    reports = report_figures(user=user, filters=filters, area=area, period=period)
    children = children_figures(user=user, filters=filters, area=area, period=period)
    cases = case_figures(user=user, filters=filters, area=area)
    overdue = overdue_figures(user=user, filters=filters, area=area, now=now)
    services = service_figures(user=user, filters=filters, area=area)
    plan = plan_figures(user=user, filters=filters, area=area)
    count = (("count", _("Reports")),)
    children_col = (("count", _("Children")),)
    strategy = plan["strategy"]
    return [
        Series(
            "reports_by_month",
            _("Reports by month"),
            count,
            _one(reports["by_month"]),
            chart="line",
            drill="reports_month",
        ),
        Series(
            "reports_by_concern",
            _("Reports by concern"),
            count,
            _one(reports["by_concern"]),
            drill="reports_concern",
            note=_("A report with several concerns counts once for each."),
        ),
        Series(
            "reports_by_source",
            _("Reports by source"),
            count,
            _one(reports["by_source"]),
            drill="reports_source",
        ),
        Series(
            "reports_by_channel",
            _("Reports by channel"),
            count,
            _one(reports["by_channel"]),
            drill="reports_channel",
        ),
        Series(
            "reports_by_unit",
            _("Reports by unit"),
            count,
            _one(reports["by_unit"]),
            drill="reports_unit",
        ),
        Series(
            "children_by_sex",
            _("Children named in the reports, by sex"),
            children_col,
            _one(children["sex"]),
            chart="doughnut",
            drill="children_sex",
            note=_("A child named in two reports counts twice."),
        ),
        Series(
            "children_by_age",
            _("Children named in the reports, by age"),
            children_col,
            _one(children["band"]),
            drill="children_band",
            note=_("Age on the day the report was received."),
        ),
        Series(
            "children_by_area",
            _("Children named in the reports, urban or rural"),
            children_col,
            _one(children["area_kind"]),
            chart="doughnut",
            drill="children_area_kind",
            note=_("Where the report places what happened."),
        ),
        Series(
            "children_refugee",
            _("Refugee children named in the reports"),
            children_col,
            _one(children["refugee"]),
            chart="doughnut",
            drill="children_refugee",
        ),
        Series(
            "children_disability",
            _("Children with a disability named in the reports"),
            children_col,
            _one(children["disability"]),
            chart="doughnut",
            drill="children_disability",
        ),
        Series(
            "cases_by_stage",
            _("Cases by stage"),
            (("count", _("Cases")),),
            _one(cases["by_stage"]),
            drill="cases_stage",
            note=_("Open cases as they stand today; closed: those closed within the period."),
        ),
        Series(
            "caseload",
            _("Open cases per case manager"),
            (("count", _("Cases")),),
            _one(cases["caseload"]),
            drill="caseload",
        ),
        Series(
            "overdue_by_unit",
            _("Overdue steps by unit"),
            (("count", _("Steps")),),
            _one(overdue["by_unit"]),
            drill="overdue_unit",
            note=_("Open steps past their due time today."),
        ),
        Series(
            "overdue_by_worker",
            _("Overdue steps by worker"),
            (("count", _("Steps")),),
            _one(overdue["by_worker"]),
            drill="overdue_worker",
        ),
        Series(
            "referrals_by_status",
            _("Referrals by status"),
            (("count", _("Referrals")),),
            _one(referral_figures(user=user, filters=filters, area=area)),
            drill="referrals_status",
            note=_("Referrals sent within the period."),
        ),
        Series(
            "services",
            _("Places, children enrolled and waiting, by service"),
            (
                ("places", _("Places")),
                ("enrolled", _("Enrolled")),
                ("waiting", _("Waiting")),
                ("points", _("Service points")),
                ("parts_without", _("Units without it")),
            ),
            [
                (
                    s["key"],
                    s["label"],
                    (s["places"], s["enrolled"], s["waiting"], s["points"], s["parts_without"]),
                )
                for s in services
            ],
            extra={
                "sensitive_columns": ("enrolled", "waiting"),
                "chart_columns": ("places", "enrolled", "waiting"),
            },
            note=_("Open service points today; children enrolled and on the waiting lists today."),
        ),
        Series(
            "screening",
            _("Community screening: households and children by group"),
            (("households", _("Households")), ("children", _("Children"))),
            screening_figures(filters=filters, area=area),
            note=_(
                "From each household's latest screening in the period; a household may be in "
                "several groups."
            ),
        ),
        Series(
            "placements",
            _("Children in alternative care at each month end"),
            (
                ("family", _("Family-based care")),
                ("residential", _("Residential care")),
                ("other", _("Other forms")),
            ),
            placement_figures(user=user, filters=filters, area=area),
            chart="line",
        ),
        Series(
            "plan_progress",
            _("Action plan: sub-actions by progress"),
            (("count", _("Sub-actions")),),
            _one(plan["rows"]),
            chart="doughnut",
            sensitive=False,
            extra={"strategy": strategy, "year": plan["year"]},
        ),
    ]


def present(series: Series, *, exact: bool) -> list[dict[str, Any]]:
    """The rows as the reader may see them: small counts of children suppressed unless the
    reader sees the records, and complementary cells beside them, so that no hidden count can be
    computed back from the series' total (which another series or the HG 270 report shows): each
    sensitive column adds up to a total, and so does each row when every column is sensitive."""
    sensitive = [
        column
        for column, _title in series.columns
        if column in set(series.extra.get("sensitive_columns", ()))
        or (series.sensitive and not series.extra.get("sensitive_columns"))
    ]
    values: dict[tuple[str, str], int] = {}
    for key, _label, counts in series.rows:
        for (column, _title), value in zip(series.columns, counts, strict=True):
            if column in sensitive:
                values[key, column] = value
    groups = [
        Group(None, tuple((key, column) for key, *_rest in series.rows)) for column in sensitive
    ]
    if len(sensitive) > 1 and len(sensitive) == len(series.columns):
        groups += [
            Group(None, tuple((key, column) for column in sensitive)) for key, *_r in series.rows
        ]
    shown = suppress(values, groups, exact=exact)
    return [
        {
            "key": key,
            "label": label,
            "values": {
                column: shown.get((key, column), value)
                for (column, _title), value in zip(series.columns, counts, strict=True)
            },
        }
        for key, label, counts in series.rows
    ]


def dashboard_cached(*, user: User, filters: Filters) -> tuple[list[Series], datetime]:
    """The dashboard's series and when they were counted: kept for
    `OCROTIRE_DASHBOARD_CACHE_SECONDS` per area, period and language, since a city's dashboard
    costs about a second of counting at a million reports (docs/PERFORMANCE.md) and everyone of
    the area reads the same figures. The records behind a figure (drill-down) are always read
    live."""
    seconds = settings.OCROTIRE_DASHBOARD_CACHE_SECONDS
    if seconds <= 0:
        return dashboard(user=user, filters=filters), timezone.now()
    area = Area(user, filters.unit)
    signature = json.dumps(
        [
            sorted(area.paths),
            area.is_global,
            filters.since.isoformat(),
            filters.until.isoformat(),
            get_language(),
        ]
    )
    key = "analytics:dashboard:" + hashlib.sha256(signature.encode()).hexdigest()
    found: tuple[list[Series], datetime] | None = cache.get(key)
    if found is None:
        found = (dashboard(user=user, filters=filters), timezone.now())
        cache.set(key, found, seconds)
    return found
