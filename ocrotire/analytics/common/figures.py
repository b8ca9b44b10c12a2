"""The reports' day figures kept for the dashboards (F10; SPEC §4: a city's dashboard in
500 ms at a million persons).

Counting a city's year afresh joins about a hundred thousand reports to their concerns and to
the children they name. The dashboards read instead three narrow tables of counts per unit and
day (`ReportDayFigure`, `ConcernDayFigure`, `ChildDayFigure`), summed from their indexes.

**Always exact.** Database triggers (`db_triggers`) note in `FigureChange` the unit and moment
of every report whose figures change, in the writer's own transaction. A reader counts the kept
figures of its area and period except the days with a change not yet counted, and counts those
days from the reports themselves; so a report filed a second ago is in the dashboard. With more
changed days in view than `OCROTIRE_FIGURES_PENDING_LIMIT`, or before the first build, or with
another TIME_ZONE than the one the days were counted in, everything is counted afresh.

**Refresh.** `refresh()` (the deadline watcher runs it every round, and the generator at the
end of a load) takes the noted changes, deletes them, and counts their days again, in one
transaction; the changes are deleted before the counting, so whatever was deleted is seen by the
counting (read committed), and a change committed meanwhile stays for the next round. On
PostgreSQL an advisory lock keeps two refreshers (two worker machines) from counting the same
day twice; SQLite has one writer at a time."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from typing import Any

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection, models, transaction
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    Exists,
    Expression,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, TruncDate, TruncMonth
from django.utils import timezone

from ocrotire.analytics.common.expressions import UNKNOWN, age_years, place_kind
from ocrotire.analytics.models import (
    ChildDayFigure,
    ConcernDayFigure,
    FigureBuild,
    FigureChange,
    ReportDayFigure,
)
from ocrotire.core.expressions import InIds
from ocrotire.geo.models import Unit
from ocrotire.intake.models import Channel, Report, ReportChild
from ocrotire.registry.models import Displacement, Person, VulnerabilityCategory

# Keys of `counts` besides a family's own dimensions.
MONTH, UNIT, AREA_KIND = "month", "unit", "area_kind"
# The advisory lock of the refresh (any constant the application uses nowhere else).
logger = logging.getLogger(__name__)

LOCK_KEY = 0x0C807_F16
BATCH = 1000


def _yes_no(condition: Any) -> Case:
    return Case(When(condition, then=Value("yes")), default=Value("no"), output_field=CharField())


def _reports() -> QuerySet[Any]:
    return Report.objects.order_by()


def _concerns() -> QuerySet[Any]:
    return Report.concerns.through.objects.order_by().annotate(concern=F("concerncategory_id"))


def _children() -> QuerySet[Any]:
    """Each child named in each report, with sex, age in whole years on the report's day, and
    refugee and disability marks (the status or one of the pack's categories of that code)."""
    marks = Person.vulnerabilities.through.objects.filter(person_id=OuterRef("person_id"))
    ids: dict[str, list[int]] = {"refugee": [], "disability": []}
    for pk, code in VulnerabilityCategory.objects.filter(code__in=list(ids)).values_list(
        "pk", "code"
    ):
        ids[code].append(pk)
    return ReportChild.objects.order_by().annotate(
        sex=Coalesce(F("person__sex"), Value("")),
        years=age_years(at="report__received_at", born="person__birth_date"),
        refugee=_yes_no(
            Q(person__displacement=Displacement.REFUGEE)
            | Exists(marks.filter(vulnerabilitycategory_id__in=ids["refugee"]))
        ),
        disability=_yes_no(
            Q(person__disability=True)
            | Exists(marks.filter(vulnerabilitycategory_id__in=ids["disability"]))
        ),
        # The HG 270 form's rows 1 (reports from others) and 2 (the authority's own).
        self_referral=_yes_no(Q(report__channel=Channel.SELF_REFERRAL)),
    )


@dataclass(frozen=True)
class Family:
    """Records counted alike live and from their kept day figures: the live rows (`source`),
    where their unit and moment are (`unit`, `at`), the dimensions kept, and the table."""

    name: str
    source: Callable[[], QuerySet[Any]]
    unit: str
    at: str
    dims: tuple[str, ...]
    model: type[models.Model]

    def kept(self) -> QuerySet[Any]:
        return self.model._default_manager.order_by()


REPORTS = Family(
    "reports",
    _reports,
    "unit",
    "received_at",
    ("channel", "reporter_kind", "reporter_sector"),
    ReportDayFigure,
)
CONCERNS = Family(
    "concerns", _concerns, "report__unit", "report__received_at", ("concern",), ConcernDayFigure
)
CHILDREN = Family(
    "children",
    _children,
    "report__unit",
    "report__received_at",
    ("sex", "years", "refugee", "disability", "self_referral"),
    ChildDayFigure,
)
FAMILIES = (REPORTS, CONCERNS, CHILDREN)


def _zone() -> Any:
    return timezone.get_default_timezone()


def _start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), _zone())


def _countable(unit: int | None, at: datetime) -> tuple[int | None, date] | None:
    """The unit and local day of a change, or None (logged) for a day whose bounds are no instant
    (a report dated year 1 written straight into the database): dropped, it cannot stop every
    refresh after it."""
    try:
        day = timezone.localtime(at, _zone()).date()
        _start(day).astimezone(UTC)
        _start(day + timedelta(days=1)).astimezone(UTC)
    except (OverflowError, ValueError):
        logger.warning("figures: a report received at %r cannot be counted; skipped", at)
        return None
    return unit, day


def _norm(key: str, value: Any) -> Any:
    if key == MONTH:
        if isinstance(value, datetime):
            value = timezone.localtime(value, _zone()) if timezone.is_aware(value) else value
        return f"{value.year:04d}-{value.month:02d}"
    if key == "years":
        return None if value is None else int(value)
    return value


# -- reading ---------------------------------------------------------------------------------


def _group(
    rows: QuerySet[Any], by: tuple[str, ...], exprs: dict[str, Any], total: Any
) -> dict[tuple[Any, ...], int]:
    names = {key: f"k_{key}" for key in by}
    grouped = (
        rows.annotate(**{names[key]: exprs[key] for key in by})
        .values(*names.values())
        .annotate(n=total)
    )
    counts: dict[tuple[Any, ...], int] = defaultdict(int)
    for row in grouped:
        counts[tuple(_norm(key, row[names[key]]) for key in by)] += int(row["n"] or 0)
    return counts


def live_counts(family: Family, where: Q, by: tuple[str, ...]) -> dict[tuple[Any, ...], int]:
    """The family's records selected by `where` counted from the records by the keys `by`."""
    exprs: dict[str, Any] = {
        MONTH: TruncMonth(family.at, tzinfo=_zone()),
        UNIT: F(family.unit),
        AREA_KIND: place_kind(family.unit),
    }
    exprs.update({dim: F(dim) for dim in family.dims})
    return _group(family.source().filter(where), by, exprs, Count("pk"))


def area_kinds(unit_ids: list[int]) -> Case:
    """The urban or rural mark of each of these units (one query), as a CASE on the unit."""
    kinds: dict[str, list[int]] = defaultdict(list)
    for pk, kind in (
        Unit.objects.filter(InIds("pk", unit_ids))
        .order_by()
        .annotate(kind=place_kind(""))
        .values_list("pk", "kind")
    ):
        kinds[kind].append(pk)
    return Case(
        When(InIds("unit", kinds["urban"]), then=Value("urban")),
        When(InIds("unit", kinds["rural"]), then=Value("rural")),
        default=Value(UNKNOWN),
        output_field=CharField(),
    )


def _kept(
    family: Family, where: Q, by: tuple[str, ...], period: Period
) -> dict[tuple[Any, ...], int]:
    exprs: dict[str, Any] = {MONTH: TruncMonth("day"), UNIT: F("unit")}
    if AREA_KIND in by:
        exprs[AREA_KIND] = period.area_kind
    exprs.update({dim: F(dim) for dim in family.dims})
    return _group(family.kept().filter(where), by, exprs, Sum("n"))


def _next_month(first: date) -> date:
    return (first.replace(day=1) + timedelta(days=32)).replace(day=1)


def _span(since: date, until: date) -> Q:
    """The kept rows of a period: the month rows of the months it covers whole, the day rows
    of its other days."""
    first = since if since.day == 1 else _next_month(since)
    wholes = []
    while _next_month(first) - timedelta(days=1) <= until:
        wholes.append(first)
        first = _next_month(first)
    if not wholes:
        return Q(whole_month=False, day__gte=since, day__lte=until)
    after = _next_month(wholes[-1])
    return (
        Q(whole_month=True, day__in=wholes)
        | Q(whole_month=False, day__gte=since, day__lt=wholes[0])
        | Q(whole_month=False, day__gte=after, day__lte=until)
    )


def _ranges(days: Iterable[date]) -> list[tuple[date, date]]:
    """Consecutive days joined: (first day, the day after the last)."""
    ranges: list[tuple[date, date]] = []
    for day in sorted(set(days)):
        if ranges and ranges[-1][1] == day:
            ranges[-1] = (ranges[-1][0], day + timedelta(days=1))
        else:
            ranges.append((day, day + timedelta(days=1)))
    return ranges


def _by_unit(pairs: Iterable[tuple[int | None, date]]) -> dict[int | None, list[date]]:
    units: dict[int | None, list[date]] = defaultdict(list)
    for unit, day in pairs:
        units[unit].append(day)
    return units


class _Spans(Expression):
    """Rows of given units within given spans: `(unit = u AND at >= lo AND at < hi) OR …`,
    written out directly. Built as Q objects, a hundred changed days cost a quarter of a second
    of Python to compile, more than the counting they select."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, unit: str, at: str, spans: list[tuple[int | None, Any, Any]]) -> None:
        super().__init__()
        self.unit: Any = F(unit)
        self.at: Any = F(at)
        self.spans = spans

    def get_source_expressions(self) -> list[Any]:
        return [self.unit, self.at]

    def set_source_expressions(self, exprs: Sequence[Any]) -> None:
        self.unit, self.at = exprs

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        if not self.spans:
            return "1 = 0", []
        unit_sql, unit_params = compiler.compile(self.unit)
        at_sql, at_params = compiler.compile(self.at)
        ops = connection.ops
        parts, params = [], []
        for unit, low, high in self.spans:
            adapt = (
                ops.adapt_datetimefield_value
                if isinstance(low, datetime)
                else ops.adapt_datefield_value
            )
            if unit is None:
                parts.append(f"({unit_sql} IS NULL AND {at_sql} >= %s AND {at_sql} < %s)")
                params += [*unit_params, *at_params, adapt(low), *at_params, adapt(high)]
            else:
                parts.append(f"({unit_sql} = %s AND {at_sql} >= %s AND {at_sql} < %s)")
                params += [*unit_params, unit, *at_params, adapt(low), *at_params, adapt(high)]
        return "(" + " OR ".join(parts) + ")", params


def _spans(pairs: Iterable[tuple[int | None, date]]) -> list[tuple[int | None, date, date]]:
    return [
        (unit, first, after)
        for unit, days in _by_unit(pairs).items()
        for first, after in _ranges(days)
    ]


def _live_days(family: Family, pairs: Iterable[tuple[int | None, date]]) -> Any:
    """The family's live rows of these units' days."""
    spans = [(unit, _start(first), _start(after)) for unit, first, after in _spans(pairs)]
    return _Spans(family.unit, family.at, spans)


def _kept_days(pairs: Iterable[tuple[int | None, date]]) -> Q:
    """The day rows (not the month rows) of these units' days."""
    return Q(whole_month=False) & Q(_Spans("unit", "day", _spans(pairs)))


def is_built() -> bool:
    build = FigureBuild.objects.order_by("-pk").first()
    return build is not None and build.time_zone == settings.TIME_ZONE


Pending = list[tuple[int | None, date]] | None


@dataclass(frozen=True)
class Period:
    """What a dashboard counts: the rows whose unit lies in the area (`area_q(field)`), received
    from `since` to `until`; `pending`, the area's days changed since the figures were kept
    (None: count everything live)."""

    area_q: Callable[[str], Q]
    since: date
    until: date
    pending: Pending
    # The area's units when known (None: everywhere, or too many to list): the kept figures
    # then take each unit's urban or rural mark from one small query instead of joining the
    # unit tree for every row.
    unit_ids: list[int] | None = None

    @cached_property
    def area_kind(self) -> Case:
        """The urban or rural mark of the kept rows' unit: read once for the area's units, else
        joined up the unit tree."""
        return place_kind("unit") if self.unit_ids is None else area_kinds(self.unit_ids)

    @property
    def start(self) -> datetime:
        return _start(self.since)

    @property
    def end(self) -> datetime:
        return _start(self.until + timedelta(days=1))


def days_of(start: datetime, end: datetime) -> tuple[date, date] | None:
    """The first and last day of a span of whole days (`start` and `end` local midnights, `end`
    excluded), as the kept figures count them; None for any other span."""
    first, after = timezone.localtime(start, _zone()), timezone.localtime(end, _zone())
    if first.time() != time.min or after.time() != time.min or after <= first:
        return None
    return first.date(), after.date() - timedelta(days=1)


def units_q(unit_ids: list[int]) -> Callable[[str], Q]:
    """`area_q` for a list of units."""
    return lambda field: Q(InIds(field, unit_ids))


def period(
    area_q: Callable[[str], Q], since: date, until: date, unit_ids: list[int] | None = None
) -> Period:
    """The period with the days of the area changed and not yet counted (one query); its
    `pending` is None when the kept figures cannot be used (never counted, counted in another
    time zone, more such days than the limit, or a negative limit)."""
    bare = Period(area_q, since, until, None, unit_ids)
    limit = settings.OCROTIRE_FIGURES_PENDING_LIMIT
    if limit < 0 or not is_built():  # a negative limit: never read the kept figures
        return bare
    changes = (
        FigureChange.objects.filter(
            area_q("unit"), received_at__gte=bare.start, received_at__lt=bare.end
        )
        .order_by()
        .values_list("unit_id", "received_at")
        .distinct()[: limit * 4 + 1]
    )
    pairs = {(unit, timezone.localtime(at, _zone()).date()) for unit, at in changes}
    if len(changes) > limit * 4 or len(pairs) > limit:
        return bare
    pending: Pending = sorted(pairs, key=lambda p: (p[0] or 0, p[1]))
    return Period(area_q, since, until, pending, unit_ids)


def counts(family: Family, by: tuple[str, ...], period: Period) -> dict[tuple[Any, ...], int]:
    """The family's records of the period counted by the keys `by` (its dimensions, `month`,
    `unit`, `area_kind`): the kept figures, with the pending days counted live (or everything
    live when `pending` is None)."""
    pending = period.pending
    if pending is None:
        where = Q(**{f"{family.at}__gte": period.start, f"{family.at}__lt": period.end})
        return live_counts(family, period.area_q(family.unit) & where, by)
    total = _kept(family, period.area_q("unit") & _span(period.since, period.until), by, period)
    if pending:
        for key, n in _kept(family, _kept_days(pending), by, period).items():
            total[key] -= n
        for key, n in live_counts(family, _live_days(family, pending), by).items():
            total[key] += n
    return {key: n for key, n in total.items() if n}


# -- refreshing ------------------------------------------------------------------------------


def _insert_grouped(model: type[models.Model], grouped: QuerySet[Any], **constants: Any) -> int:
    """INSERT … SELECT of `grouped` (a values() query whose every item is an annotation named
    `k_<field>` of `model`) into `model`'s table, with `constants` for other columns: the counts
    go from table to table inside the database instead of through Python."""
    query = grouped.query
    names = [name for name in query.annotation_select if name.startswith("k_")]
    try:
        sql, params = query.sql_with_params()
    except EmptyResultSet:
        return 0
    quote = connection.ops.quote_name
    columns = {field.name: field.column for field in model._meta.concrete_fields}
    targets = [columns[name[2:]] for name in names] + [columns[name] for name in constants]
    picks = [f"s.{quote(name)}" for name in names] + ["%s"] * len(constants)
    # Quoted model names and the ORM's own SQL; the values are parameters.
    insert = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(map(quote, targets))}) "  # noqa: S608
        f"SELECT {', '.join(picks)} FROM ({sql}) s"
    )
    with connection.cursor() as cursor:
        # The constants' placeholders come first in the text, before the subquery's.
        cursor.execute(insert, (*constants.values(), *params))
        return max(int(cursor.rowcount), 0)


def _write(family: Family, rows: QuerySet[Any]) -> int:
    """Count the live rows per unit and day into the family's table."""
    day = TruncDate(family.at, tzinfo=_zone())
    keys: dict[str, Any] = {f"k_{dim}": F(dim) for dim in family.dims}
    if "years" in family.dims:
        # Whole years, as the column keeps them (the expression may be a decimal).
        keys["k_years"] = Cast(F("years"), models.IntegerField())
    grouped = (
        rows.annotate(k_unit=F(family.unit), k_day=day, **keys)
        .values("k_unit", "k_day", *keys)
        .annotate(k_n=Count("pk"))
    )
    return _insert_grouped(family.model, grouped, whole_month=False)


def _roll_up(family: Family, units_months: set[tuple[int | None, date]] | None) -> int:
    """The month rows of these units' months (None: every one) summed again from their day
    rows: a month row always equals the sum of its day rows."""
    rows = family.kept().filter(whole_month=False)
    months = family.kept().filter(whole_month=True)
    if units_months is not None:
        where = Q(pk__in=[])
        for unit, first in units_months:
            unit_q = Q(unit__isnull=True) if unit is None else Q(unit=unit)
            where |= unit_q & Q(day__gte=first, day__lt=_next_month(first))
        rows, months = rows.filter(where), months.filter(where)
    months.delete()
    keys = {f"k_{dim}": F(dim) for dim in family.dims}
    grouped = (
        rows.annotate(k_unit=F("unit"), k_day=TruncMonth("day"), **keys)
        .values("k_unit", "k_day", *keys)
        .annotate(k_n=Sum("n"))
    )
    return _insert_grouped(family.model, grouped, whole_month=True)


def _locked() -> bool:
    """Hold the refresh's lock to the end of the transaction (PostgreSQL); False when another
    refresher holds it."""
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [LOCK_KEY])
        return bool(cursor.fetchone()[0])


def rebuild() -> int:
    """Count every report's day figures afresh; the number of rows kept (0 when another
    refresher is at work)."""
    with transaction.atomic():
        if not _locked():
            return 0
        # First, so that every change deleted is seen by the counting below.
        FigureChange.objects.all().delete()
        written = 0
        for family in FAMILIES:
            family.kept().all().delete()
            written += _write(family, family.source())
            written += _roll_up(family, None)
        FigureBuild.objects.all().delete()
        FigureBuild.objects.create(built_at=timezone.now(), time_zone=settings.TIME_ZONE)
    return written


def refresh(*, batch: int = BATCH) -> int:
    """Count again the days of the changes noted since the last refresh (every report when
    never built); the number of changes taken."""
    if not is_built():
        rebuild()
        return 0
    taken = 0
    while True:
        with transaction.atomic():
            if not _locked():
                return taken
            changes = list(
                FigureChange.objects.order_by("id").values_list("id", "unit_id", "received_at")[
                    :batch
                ]
            )
            if not changes:
                return taken
            # Deleted before the counting: see the module's doc.
            FigureChange.objects.filter(id__in=[c[0] for c in changes]).delete()
            pairs = {pair for _id, unit, at in changes if (pair := _countable(unit, at))}
            months: set[tuple[int | None, date]] = {(u, day.replace(day=1)) for u, day in pairs}
            for family in FAMILIES:
                family.kept().filter(_kept_days(pairs)).delete()
                _write(family, family.source().filter(_live_days(family, pairs)))
                _roll_up(family, months)
        taken += len(changes)
        if len(changes) < batch:
            return taken
