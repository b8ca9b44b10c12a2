"""What a dashboard counts over: a period (`Filters`) and an area (`Area`): the reader's units,
or one unit of theirs, and its parts one level down that the "by unit" series break it into."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cached_property

from django.db.models import Q
from django.utils import timezone

from ocrotire.accounts.models import User
from ocrotire.accounts.permissions import SCOPE_ID_LIST_LIMIT, scope_of
from ocrotire.core.expressions import InIds
from ocrotire.geo.models import PATH_SEPARATOR, Unit

# The longest period a dashboard covers: the month series stays readable and the scans bounded.
MAX_PERIOD_DAYS = 5 * 366


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
