"""Reads of community outreach, each inside the reader's area: the households a worker screens
(by village, with their last screening), screenings with their follow-ups, and the counts per
place by the pack's groups."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Prefetch, QuerySet

from ocrotire.accounts.models import User
from ocrotire.core.errors import NotFound
from ocrotire.geo.models import Unit
from ocrotire.outreach.models import FollowUp, Screening
from ocrotire.outreach.permissions import can_screen
from ocrotire.outreach.screening import children_of, screening_pack
from ocrotire.registry.models import Household
from ocrotire.registry.selectors import household_list, scope_q


def screening_scope(user: User) -> QuerySet[Screening]:
    """The screenings of households in the reader's area (by the place screened)."""
    if not can_screen(user):
        return Screening.objects.none()
    qs = Screening.objects.all()
    condition = scope_q(user, "unit")
    return qs if condition is None else qs.filter(condition)


def screening_list(
    *, user: User, household: int | None = None, unit: Unit | None = None
) -> QuerySet[Screening]:
    qs = screening_scope(user).select_related("household", "unit", "screened_by")
    if household is not None:
        qs = qs.filter(household_id=household)
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    return qs.order_by("-screened_on", "-id")


def screening_get(*, user: User, pk: Any) -> Screening:
    try:
        return (
            screening_scope(user)
            .select_related("household", "unit", "screened_by", "form_version__definition")
            .prefetch_related(
                Prefetch(
                    "follow_ups",
                    queryset=FollowUp.objects.select_related("child", "report", "created_by"),
                ),
                "household__members__person",
            )
            .get(pk=pk)
        )
    except (Screening.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound from exc


@dataclass
class HouseholdRow:
    household: Household
    place: Unit | None
    last: Screening | None


def households_to_screen(*, user: User, search: str = "") -> list[HouseholdRow]:
    """The households of the reader's area by place, each with its last screening."""
    if not can_screen(user):
        return []
    households = list(household_list(user=user, search=search))
    last: dict[int, Screening] = {}
    for screening in (
        screening_scope(user)
        .filter(household__in=[h.pk for h in households])
        .order_by("household_id", "-screened_on", "-id")
    ):
        last.setdefault(screening.household_id, screening)
    rows = [HouseholdRow(h, h.unit or h.scope_unit, last.get(h.pk)) for h in households]
    rows.sort(key=lambda r: (r.place.path if r.place else "", r.household.name, r.household.pk))
    return rows


def latest_screening(household: Household) -> Screening | None:
    return Screening.objects.filter(household=household).order_by("-screened_on", "-id").first()


# --- counts ------------------------------------------------------------------------------------


@dataclass
class GroupCount:
    households: int = 0
    children: int = 0


@dataclass
class PlaceCounts:
    unit: Unit
    households: int = 0
    children: int = 0
    flagged_households: int = 0
    flagged_children: int = 0
    groups: dict[str, GroupCount] = field(default_factory=dict)


def screening_counts(
    *,
    user: User,
    unit: Unit | None = None,
    since: date | None = None,
    until: date | None = None,
) -> tuple[list[tuple[str, str]], list[PlaceCounts]]:
    """Per place screened: households and children screened, children in flagged households,
    and households and children of each of the pack's groups, from each household's latest
    screening in the period. Returns the groups (code, name) and the rows, by place."""
    qs = screening_list(user=user, unit=unit)
    return _counted(qs, since, until)


def territory_counts(
    *, path: str, since: date | None = None, until: date | None = None
) -> list[PlaceCounts]:
    """The same counts in a territory, for any reader of figures (a strategy's indicators, a
    donor project's results): no record is named, only numbers."""
    qs = Screening.objects.filter(unit__path__startswith=path).select_related("unit")
    return _counted(qs, since, until)[1]


def _counted(
    qs: QuerySet[Screening], since: date | None, until: date | None
) -> tuple[list[tuple[str, str]], list[PlaceCounts]]:
    qs = qs.prefetch_related("household__members__person").order_by(
        "household_id", "-screened_on", "-id"
    )
    if since:
        qs = qs.filter(screened_on__gte=since)
    if until:
        qs = qs.filter(screened_on__lte=until)
    latest: dict[int, Screening] = {}
    for screening in qs:
        latest.setdefault(screening.household_id, screening)
    groups: dict[str, str] = {}
    rows: dict[int, PlaceCounts] = {}
    for screening in latest.values():
        pack = screening_pack(screening.unit.country)
        for flag in pack.flags:
            if flag.group:
                groups.setdefault(flag.code, flag.label())
        row = rows.setdefault(screening.unit_id, PlaceCounts(unit=screening.unit))
        children = len(children_of(screening))
        row.households += 1
        row.children += children
        if screening.flags:
            row.flagged_households += 1
            row.flagged_children += children
        for code in screening.flags:
            raised = pack.flag(code)
            if raised is None or not raised.group:
                continue
            count = row.groups.setdefault(code, GroupCount())
            count.households += 1
            count.children += children
    ordered = sorted(rows.values(), key=lambda r: r.unit.path)
    return list(groups.items()), ordered
