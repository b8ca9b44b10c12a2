"""Dashboard figures (F10): raw counts of an area over a period, each series one or two GROUP BY
queries on indexed columns (unit ids, dates), never a loop over records. Suppression of small
counts is applied when a series is presented (`series.present`), not here."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import (
    Case,
    Count,
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
from django.utils.translation import gettext_lazy as _

from ocrotire.accounts.models import User
from ocrotire.analytics.common import figures
from ocrotire.analytics.common.expressions import UNKNOWN, band_of
from ocrotire.analytics.dashboards.area import Area, Filters
from ocrotire.care.models import FAMILY_BASED, RESIDENTIAL_FORMS, Placement
from ocrotire.cases.models import OPEN_STAGES, Referral, ReferralStatus, Stage
from ocrotire.cases.models import Case as CaseRecord
from ocrotire.core.expressions import InIds
from ocrotire.intake.models import Channel, ConcernCategory, ReporterKind, ReporterSector
from ocrotire.outreach.screening import screening_pack
from ocrotire.outreach.selectors import territory_counts
from ocrotire.planning.models import DeadlineKind, Level, PlanItem, ProgressStatus, Strategy
from ocrotire.providers.models import Enrolment, EnrolmentStatus, ServicePoint, open_points
from ocrotire.registry.models import Sex
from ocrotire.workflow.models import Task, TaskStatus

# Placements over time: at most this many month ends (a longer period is sampled evenly).
PLACEMENT_POINTS = 24
UNASSIGNED = "none"
AGE_BANDS = ("0_2", "3_6", "7_17", "18_plus")


# -- reports ---------------------------------------------------------------------------------


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


def screening_figures(*, filters: Filters, area: Area) -> list[tuple[str, str, tuple[int, ...]]]:
    """Community screening in the area and period, from each household's latest screening:
    households and children screened, in flagged households, and in each group of the packs (a
    household may be in several groups)."""
    screened = [0, 0]
    flagged = [0, 0]
    groups: dict[str, list[Any]] = {}
    for path in ("",) if area.is_global else area.paths:
        for row in territory_counts(path=path, since=filters.since, until=filters.until):
            screened[0] += row.households
            screened[1] += row.children
            flagged[0] += row.flagged_households
            flagged[1] += row.flagged_children
            pack = screening_pack(row.unit.country)
            for code, count in row.groups.items():
                flag = pack.flag(code)
                entry = groups.setdefault(code, [flag.label() if flag else code, 0, 0])
                entry[1] += count.households
                entry[2] += count.children
    rows: list[tuple[str, str, tuple[int, ...]]] = [
        ("screened", str(_("Screened")), (screened[0], screened[1])),
        ("flagged", str(_("In flagged households")), (flagged[0], flagged[1])),
    ]
    rows += [(code, label, (h, c)) for code, (label, h, c) in groups.items()]
    return rows
