"""Dashboard figures (F10): raw counts of an area over a period, each series one or two GROUP BY
queries on indexed columns (unit ids, dates), never a loop over records. Suppression of small
counts is applied when a series is presented (`present`), not here."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import (
    Case,
    Count,
    Exists,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ocrotire.accounts.models import User
from ocrotire.accounts.permissions import SCOPE_ID_LIST_LIMIT, scope_of
from ocrotire.analytics import figures
from ocrotire.analytics.expressions import UNKNOWN, age_band, band_of, place_kind
from ocrotire.analytics.suppression import Group, suppress
from ocrotire.care.models import FAMILY_BASED, RESIDENTIAL_FORMS, Placement
from ocrotire.cases.models import OPEN_STAGES, Referral, ReferralStatus, Stage
from ocrotire.cases.models import Case as CaseRecord
from ocrotire.core.expressions import InIds
from ocrotire.geo.models import PATH_SEPARATOR, Unit
from ocrotire.intake.models import (
    Channel,
    ConcernCategory,
    Report,
    ReportChild,
    ReporterKind,
    ReporterSector,
)
from ocrotire.planning.models import DeadlineKind, Level, PlanItem, ProgressStatus, Strategy
from ocrotire.providers.models import Enrolment, EnrolmentStatus, ServicePoint, open_points
from ocrotire.registry.models import Sex
from ocrotire.workflow.models import Task, TaskStatus

# The longest period a dashboard covers: the month series stays readable and the scans bounded.
MAX_PERIOD_DAYS = 5 * 366
# Placements over time: at most this many month ends (a longer period is sampled evenly).
PLACEMENT_POINTS = 24
UNASSIGNED = "none"
AGE_BANDS = ("0_2", "3_6", "7_17", "18_plus")


@dataclass(frozen=True)
class Filters:
    """What a dashboard shows: `unit` (None: the reader's whole area) from `since` to `until`,
    both days included."""

    unit: Unit | None
    since: date
    until: date

    @property
    def start(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.since, time.min))

    @property
    def end(self) -> datetime:
        """The first instant after the period (an exclusive bound, so an index range)."""
        return timezone.make_aware(datetime.combine(self.until + timedelta(days=1), time.min))


def default_period(today: date | None = None) -> tuple[date, date]:
    """The last twelve months, the current one included, from the first of the month."""
    today = today or timezone.localdate()
    first = today.replace(day=1)
    month = first.month - 11
    year = first.year
    if month < 1:
        month += 12
        year -= 1
    return first.replace(year=year, month=month), today


def default_unit(user: User) -> Unit | None:
    """The reader's own area when it is one unit; else None (every unit of theirs)."""
    scope = scope_of(user)
    if scope.is_global or len(scope.unit_paths) != 1:
        return None
    return Unit.objects.prefetch_related("names").filter(path=scope.unit_paths[0]).first()


class Area:
    """The units a dashboard counts, as the database will see them: a list of unit ids when
    there are not too many, else prefixes of the unit tree's paths; and the parts (units one
    level down) that the "by unit" series break it into."""

    def __init__(self, user: User, unit: Unit | None) -> None:
        self.user = user
        scope = scope_of(user)
        if unit is None and not scope.is_global and len(scope.unit_paths) == 1:
            unit = default_unit(user)
        self.unit = unit
        self.is_global = scope.is_global and unit is None
        if unit is not None:
            self.paths: tuple[str, ...] = (unit.path,)
        else:
            self.paths = scope.unit_paths

    @cached_property
    def unit_paths(self) -> dict[int, str] | None:
        """Every unit of the area with its path, read once (one small query); None when the
        area is everything or wider than a list of ids should be."""
        if self.is_global:
            return None
        under = Q(pk__in=[])
        for path in self.paths:
            under |= Q(path__startswith=path)
        rows = list(
            Unit.objects.filter(under)
            .order_by()
            .values_list("pk", "path")[: SCOPE_ID_LIST_LIMIT + 1]
        )
        return dict(rows) if len(rows) <= SCOPE_ID_LIST_LIMIT else None

    @property
    def unit_ids(self) -> list[int] | None:
        paths = self.unit_paths
        return None if paths is None else list(paths)

    def q(self, field: str) -> Q:
        """Rows whose unit (`field`, a foreign key to Unit) lies in the area."""
        if self.is_global:
            return Q()
        ids = self.unit_ids
        if ids is not None:
            return Q(InIds(field, ids))
        condition = Q(pk__in=[])
        for path in self.paths:
            condition |= Q(**{f"{field}__path__startswith": path})
        return condition

    @cached_property
    def parts(self) -> list[Unit]:
        units = Unit.objects.prefetch_related("names")
        if self.unit is not None:
            return list(units.filter(parent=self.unit).order_by("path"))
        if self.is_global:
            return list(units.filter(parent__isnull=True).order_by("path"))
        return list(units.filter(path__in=self.paths).order_by("path"))

    def part_of(self, path: str) -> Unit | None:
        """The part a unit lies in; None for the area's own unit (above its parts)."""
        return next((p for p in self.parts if path.startswith(p.path)), None)

    def by_part(self, counts: Iterable[tuple[int | None, int]]) -> list[tuple[str, str, int]]:
        """(unit id, count) rows summed into the parts, then the area's own unit: (key, label,
        count) for every part, zeros included. One query reads the paths of the units seen."""
        counts = [(uid, n) for uid, n in counts if uid is not None]
        paths = self.paths_of({uid for uid, _n in counts if uid is not None})
        totals: dict[str, int] = defaultdict(int)
        for uid, n in counts:
            part = self.part_of(paths.get(uid, "") if uid is not None else "")
            totals[part.code if part is not None else ""] += n
        rows = [(p.code, p.display_name(), totals.get(p.code, 0)) for p in self.parts]
        if self.unit is not None and (totals.get("") or not self.parts):
            rows.append((self.unit.code, self.unit.display_name(), totals.get("", 0)))
        return rows

    def paths_of(self, ids: set[int]) -> dict[int, str]:
        known = self.unit_paths
        if known is not None:
            return {pk: known[pk] for pk in ids if pk in known}
        return dict(Unit.objects.filter(pk__in=sorted(ids)).values_list("pk", "path"))

    def countries(self) -> list[str]:
        if self.unit is not None:
            return [self.unit.country]
        return sorted({p.country for p in self.parts})

    def ancestor_paths(self) -> list[str]:
        """The paths of every unit above or at the area's units (a city's plan covers its
        sectors)."""
        found = set()
        for path in self.paths:
            codes = [c for c in path.split(PATH_SEPARATOR) if c]
            for depth in range(1, len(codes) + 1):
                found.add(PATH_SEPARATOR.join(codes[:depth]) + PATH_SEPARATOR)
        return sorted(found)


# -- reports ---------------------------------------------------------------------------------


def _reports(area: Area, filters: Filters) -> QuerySet[Report]:
    return Report.objects.filter(
        area.q("unit"), received_at__gte=filters.start, received_at__lt=filters.end
    ).order_by()


def months(filters: Filters) -> list[str]:
    keys = []
    cursor = filters.since.replace(day=1)
    while cursor <= filters.until:
        keys.append(f"{cursor.year:04d}-{cursor.month:02d}")
        cursor = (cursor + timedelta(days=32)).replace(day=1)
    return keys


def source_key(channel: str, kind: str, sector: str) -> str:
    """Where a report came from: a self-referral of the authority, a professional's sector, or
    the kind of reporter."""
    if channel == Channel.SELF_REFERRAL:
        return "self_referral"
    if kind == ReporterKind.PROFESSIONAL:
        return sector or ReporterKind.PROFESSIONAL
    return kind


def source_q(key: str) -> Q:
    """The reports of a source key (the inverse of `source_key`, for the drill-down)."""
    if key == "self_referral":
        return Q(channel=Channel.SELF_REFERRAL)
    other = ~Q(channel=Channel.SELF_REFERRAL)
    if key in ReporterSector.values:
        return other & Q(reporter_kind=ReporterKind.PROFESSIONAL, reporter_sector=key)
    if key == ReporterKind.PROFESSIONAL:
        return other & Q(reporter_kind=key, reporter_sector="")
    return other & Q(reporter_kind=key)


def _source_label(key: str) -> str:
    if key == "self_referral":
        return str(Channel.SELF_REFERRAL.label)
    if key in ReporterSector.values:
        return str(ReporterSector(key).label)
    if key in ReporterKind.values:
        return str(ReporterKind(key).label)
    return key


def report_figures(
    *,
    user: User,
    filters: Filters,
    area: Area | None = None,
    period: figures.Period | None = None,
) -> dict[str, Any]:
    """Reports received in the period by month, channel, source and part of the area, and by
    concern: the kept day figures with the days changed since counted live (`figures`;
    `period` as `figures.period` gives it, else read here)."""
    area = area or Area(user, filters.unit)
    period = period or figures.period(area.q, filters.since, filters.until, area.unit_ids)
    by_month: dict[str, int] = defaultdict(int)
    by_channel: dict[str, int] = defaultdict(int)
    by_source: dict[str, int] = defaultdict(int)
    by_unit: dict[int | None, int] = defaultdict(int)
    total = 0
    # Two groupings rather than one by all five keys: tens of thousands of rows read back cost
    # more than a second pass over the same index.
    keys = (figures.MONTH, "channel", "reporter_kind", "reporter_sector")
    for (month, channel, kind, sector), n in figures.counts(figures.REPORTS, keys, period).items():
        total += n
        by_month[month] += n
        by_channel[channel] += n
        by_source[source_key(channel, kind, sector)] += n
    for (unit,), n in figures.counts(figures.REPORTS, (figures.UNIT,), period).items():
        by_unit[unit] += n
    concern_counts = {
        concern: n
        for (concern,), n in figures.counts(figures.CONCERNS, ("concern",), period).items()
    }
    concerns = list(
        ConcernCategory.objects.filter(
            Q(pk__in=list(concern_counts)) | Q(country__in=area.countries(), active=True)
        ).order_by("country", "ordering", "code")
    )
    sources = ["self_referral", *ReporterSector.values, ReporterKind.PROFESSIONAL]
    sources += [k for k in ReporterKind.values if k != ReporterKind.PROFESSIONAL]
    return {
        "total": total,
        "by_month": [(m, m, by_month.get(m, 0)) for m in months(filters)],
        "by_concern": [(c.code, c.label(), concern_counts.get(c.pk, 0)) for c in concerns],
        "by_source": [
            (k, _source_label(k), by_source.get(k, 0))
            for k in sources
            if by_source.get(k) or k != ReporterKind.PROFESSIONAL
        ],
        "by_channel": [(k, str(label), by_channel.get(k, 0)) for k, label in Channel.choices],
        "by_unit": area.by_part(by_unit.items()),
    }


# -- the children named in the reports -------------------------------------------------------


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


CHILD_DIMENSIONS = ("sex", "band", "area_kind", "refugee", "disability")


def _child_labels() -> dict[str, list[tuple[str, str]]]:
    yes_no = [("yes", str(_("Yes"))), ("no", str(_("No")))]
    return {
        "sex": [
            (Sex.FEMALE, str(_("Girls"))),
            (Sex.MALE, str(_("Boys"))),
            ("", str(_("Sex not recorded"))),
        ],
        "band": [
            ("0_2", str(_("0–2 years"))),
            ("3_6", str(_("3–6 years"))),
            ("7_17", str(_("7–17 years"))),
            ("18_plus", str(_("18 years or older"))),
            (UNKNOWN, str(_("Age not known"))),
        ],
        "area_kind": [
            ("urban", str(_("Urban"))),
            ("rural", str(_("Rural"))),
            (UNKNOWN, str(_("Not known"))),
        ],
        "refugee": yes_no,
        "disability": yes_no,
    }


def children_figures(
    *,
    user: User,
    filters: Filters,
    area: Area | None = None,
    period: figures.Period | None = None,
) -> dict[str, list[tuple[str, str, int]]]:
    """The children named in the period's reports (a child named in two reports counts twice),
    by sex, age band, urban or rural, refugee and disability: counted by whole years of age and
    banded here, as `age_band` does in SQL for the drill-down."""
    area = area or Area(user, filters.unit)
    period = period or figures.period(area.q, filters.since, filters.until, area.unit_ids)
    counts: dict[str, dict[str, int]] = {d: defaultdict(int) for d in CHILD_DIMENSIONS}
    keys = (figures.AREA_KIND, "sex", "years", "refugee", "disability")
    grouped = figures.counts(figures.CHILDREN, keys, period)
    for (area_kind, sex, years, refugee, disability), n in grouped.items():
        row = {
            "sex": sex,
            "band": band_of(years),
            "area_kind": area_kind,
            "refugee": refugee,
            "disability": disability,
        }
        for dimension in CHILD_DIMENSIONS:
            counts[dimension][row[dimension]] += n
    return {
        dimension: [(k, label, counts[dimension].get(k, 0)) for k, label in labels]
        for dimension, labels in _child_labels().items()
    }


# -- cases and steps ---------------------------------------------------------------------------


def case_figures(
    *, user: User, filters: Filters, area: Area | None = None
) -> dict[str, list[tuple[str, str, int]]]:
    """Open cases by stage now (with those closed within the period), and open cases per case
    manager: two grouped queries on (unit, stage), one for the managers' names."""
    area = area or Area(user, filters.unit)
    cases = CaseRecord.objects.filter(area.q("unit")).order_by()
    stages = dict(
        cases.filter(
            Q(stage__in=OPEN_STAGES)
            | Q(stage=Stage.CLOSED, closed_at__gte=filters.start, closed_at__lt=filters.end)
        )
        .values("stage")
        .annotate(n=Count("id"))
        .values_list("stage", "n")
    )
    managers = list(
        cases.filter(stage__in=OPEN_STAGES)
        .values("manager")
        .annotate(n=Count("id"))
        .values_list("manager", "n")
    )
    return {
        "by_stage": [(k, str(label), stages.get(k, 0)) for k, label in Stage.choices],
        "caseload": _per_worker(managers),
    }


def _per_worker(counts: Sequence[tuple[int | None, int]]) -> list[tuple[str, str, int]]:
    names = {
        pk: f"{first} {last}".strip() or username
        for pk, first, last, username in User.objects.filter(
            InIds("pk", [pk for pk, _n in counts if pk is not None])
        )
        .order_by()
        .values_list("pk", "first_name", "last_name", "username")
    }
    rows = sorted(
        ((str(pk), names.get(pk, str(pk)), n) for pk, n in counts if pk is not None),
        key=lambda row: (-row[2], row[1]),
    )
    unassigned = sum(n for pk, n in counts if pk is None)
    if unassigned:
        rows.append((UNASSIGNED, str(_("Not assigned")), unassigned))
    return rows


def overdue_tasks(area: Area, now: datetime | None = None) -> QuerySet[Task]:
    return Task.objects.filter(
        area.q("unit"), status=TaskStatus.OPEN, due_at__lt=now or timezone.now()
    ).order_by()


def overdue_figures(
    *, user: User, filters: Filters, area: Area | None = None, now: datetime | None = None
) -> dict[str, list[tuple[str, str, int]]]:
    """Open steps past their due time now, by part of the area and by the worker who owes them
    (the assignee, else the case manager)."""
    area = area or Area(user, filters.unit)
    tasks = overdue_tasks(area, now)
    manager = CaseRecord.objects.filter(pk=OuterRef("case_id")).order_by().values("manager_id")[:1]
    by_unit = area.by_part(
        tasks.values("unit_id").annotate(n=Count("id")).values_list("unit_id", "n")
    )
    workers = [
        (row["worker"], row["n"])
        # The case's manager looked up for each step without an assignee (not a join, which
        # the planner was apt to answer by walking every case of the country).
        for row in tasks.annotate(
            worker=Coalesce("assignee_id", Subquery(manager), output_field=IntegerField())
        )
        .values("worker")
        .annotate(n=Count("id"))
    ]
    return {"by_unit": by_unit, "by_worker": _per_worker(workers)}


# -- referrals, services, placements -------------------------------------------------------------


def referral_figures(
    *, user: User, filters: Filters, area: Area | None = None
) -> list[tuple[str, str, int]]:
    """Referrals sent in the period from the cases of the area, by where they stand now."""
    area = area or Area(user, filters.unit)
    counts = dict(
        Referral.objects.filter(
            area.q("case__unit"), sent_at__gte=filters.start, sent_at__lt=filters.end
        )
        .order_by()
        .values("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return [(k, str(label), counts.get(k, 0)) for k, label in ReferralStatus.choices]


def service_figures(
    *, user: User, filters: Filters, area: Area | None = None
) -> list[dict[str, Any]]:
    """Per service type of the area's countries: open service points, places, children enrolled
    and waiting now, and how many parts of the area have no service of that type (the gaps the
    providers' gap analysis shows cell by cell). Three grouped queries."""
    from ocrotire.providers.models import ServiceType

    area = area or Area(user, filters.unit)
    today = timezone.localdate()
    points = ServicePoint.objects.filter(open_points(today), area.q("unit")).order_by()
    supply: dict[int, dict[str, int]] = defaultdict(lambda: {"points": 0, "places": 0})
    covered: dict[int, set[str]] = defaultdict(set)
    unit_ids: set[int] = set()
    per_unit = list(
        points.values("service_type_id", "unit_id").annotate(n=Count("id"), places=Sum("capacity"))
    )
    for row in per_unit:
        supply[row["service_type_id"]]["points"] += row["n"]
        supply[row["service_type_id"]]["places"] += row["places"] or 0
        unit_ids.add(row["unit_id"])
    paths = area.paths_of(unit_ids)
    for row in per_unit:
        part = area.part_of(paths.get(row["unit_id"], ""))
        # A service at the area's own level serves every part.
        covered[row["service_type_id"]].update(
            [part.code] if part is not None else [p.code for p in area.parts]
        )
    demand: dict[int, dict[str, int]] = defaultdict(lambda: {"enrolled": 0, "waiting": 0})
    for type_id, status, n in (
        Enrolment.objects.filter(
            area.q("service_point__unit"),
            status__in=[EnrolmentStatus.ENROLLED, EnrolmentStatus.WAITING],
        )
        .order_by()
        .values("service_point__service_type_id", "status")
        .annotate(n=Count("id"))
        .values_list("service_point__service_type_id", "status", "n")
    ):
        key = "enrolled" if status == EnrolmentStatus.ENROLLED else "waiting"
        demand[type_id][key] += n
    types = ServiceType.objects.filter(
        Q(pk__in=[*supply, *demand]) | Q(country__in=area.countries(), active=True)
    ).order_by("country", "ordering", "code")
    parts = len(area.parts)
    return [
        {
            "key": t.code,
            "label": t.label(),
            "points": supply[t.pk]["points"] if t.pk in supply else 0,
            "places": supply[t.pk]["places"] if t.pk in supply else 0,
            "enrolled": demand[t.pk]["enrolled"] if t.pk in demand else 0,
            "waiting": demand[t.pk]["waiting"] if t.pk in demand else 0,
            "parts_without": parts - len(covered.get(t.pk, ())),
        }
        for t in types
    ]


def month_ends(filters: Filters) -> list[date]:
    """The last day of each month of the period (the period's last day for the last month), at
    most PLACEMENT_POINTS of them, sampled evenly."""
    days = []
    for key in months(filters):
        first = date(int(key[:4]), int(key[5:]), 1)
        last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        days.append(min(last, filters.until))
    if len(days) > PLACEMENT_POINTS:
        step = (len(days) - 1) / (PLACEMENT_POINTS - 1)
        days = [days[round(i * step)] for i in range(PLACEMENT_POINTS)]
    return days


def placement_figures(
    *, user: User, filters: Filters, area: Area | None = None
) -> list[tuple[str, str, tuple[int, int, int]]]:
    """Children in alternative care at each month end, family-based, residential and other
    (transitional) forms: one query with a conditional count per point and form."""
    area = area or Area(user, filters.unit)
    days = month_ends(filters)
    kinds = {
        "family": Q(form__in=sorted(FAMILY_BASED)),
        "residential": Q(form__in=sorted(RESIDENTIAL_FORMS)),
        "other": ~Q(form__in=sorted(FAMILY_BASED | RESIDENTIAL_FORMS)),
    }
    aggregates = {}
    for i, day in enumerate(days):
        moment = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
        living = Q(started_at__lt=moment) & (Q(ended_at__isnull=True) | Q(ended_at__gte=moment))
        for kind, condition in kinds.items():
            aggregates[f"{kind}_{i}"] = Count("id", filter=living & condition)
    totals = (
        Placement.objects.filter(
            area.q("child__scope_unit"),
            Q(ended_at__isnull=True) | Q(ended_at__gte=filters.start),
            started_at__lt=filters.end,
        )
        .order_by()
        .aggregate(**aggregates)
        if days
        else {}
    )
    return [
        (
            day.isoformat(),
            day.isoformat(),
            tuple(int(totals.get(f"{kind}_{i}") or 0) for kind in kinds),  # type: ignore[misc]
        )
        for i, day in enumerate(days)
    ]


# -- the action plan -------------------------------------------------------------------------


def plan_figures(*, user: User, filters: Filters, area: Area | None = None) -> dict[str, Any]:
    """Sub-actions of the newest strategy of the area (or of a unit above it) that run in the
    period's last year, by their progress status that year: two queries."""
    area = area or Area(user, filters.unit)
    year = filters.until.year
    covering = Q(unit__path__in=area.ancestor_paths())
    for path in area.paths:
        covering |= Q(unit__path__startswith=path)
    if area.is_global:
        covering = Q()
    strategy = (
        Strategy.objects.filter(covering)
        .annotate(
            runs=Case(
                When(period_start__lte=year, period_end__gte=year, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        .order_by("-runs", "-period_start", "-id")
        .first()
    )
    if strategy is None:
        return {"strategy": None, "year": year, "rows": []}
    due = (
        Q(deadline_kind__in=[DeadlineKind.YEAR, DeadlineKind.RANGE])
        & (Q(start_year__isnull=True) | Q(start_year__lte=year))
        & (
            Q(end_year__gte=year)
            | Q(end_year__isnull=True, start_year__gte=year)
            | Q(end_year__isnull=True, start_year__isnull=True)
        )
    ) | (
        ~Q(deadline_kind__in=[DeadlineKind.YEAR, DeadlineKind.RANGE])
        & (Q(start_year__isnull=True) | Q(start_year__lte=year))
    )
    counts = dict(
        PlanItem.objects.filter(due, strategy=strategy, level=Level.SUBACTION)
        .annotate(this_year=FilteredRelation("progress", condition=Q(progress__year=year)))
        .order_by()
        .values("this_year__status")
        .annotate(n=Count("id"))
        .values_list("this_year__status", "n")
    )
    counts[ProgressStatus.NOT_STARTED] = counts.get(ProgressStatus.NOT_STARTED, 0) + counts.pop(
        None, 0
    )
    return {
        "strategy": strategy,
        "year": year,
        "rows": [(k, str(label), counts.get(k, 0)) for k, label in ProgressStatus.choices],
    }


# -- the whole dashboard, as the reader may see it -------------------------------------------------


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


# -- drill-down: the records behind a count --------------------------------------------------------

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
