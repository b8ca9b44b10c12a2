"""Reads of placements, scoped like the children's records: case workers see the placements of
the children of their area."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from ocrotire.accounts.models import User
from ocrotire.care.models import (
    FAMILY_BASED,
    RESIDENTIAL_FORMS,
    InstitutionChangeKind,
    Placement,
    PlacementEnd,
    PlacementForm,
)
from ocrotire.cases.models import Case
from ocrotire.cases.permissions import works_cases
from ocrotire.geo.models import PATH_SEPARATOR, Unit
from ocrotire.providers.models import ServiceGroup, ServicePoint, open_points
from ocrotire.registry.selectors import person_scope


def placement_list(
    *, user: User, child: int | None = None, active: bool | None = None, form: str = ""
) -> QuerySet[Placement]:
    if not works_cases(user):
        return Placement.objects.none()
    qs = Placement.objects.filter(
        Q(child__in=person_scope(user, include_inactive=True).values("pk"))
    )
    if child is not None:
        qs = qs.filter(child_id=child)
    if active is not None:
        qs = qs.filter(ended_at__isnull=active)
    if form:
        qs = qs.filter(form=form)
    return (
        qs.select_related("child", "case", "facility__provider__institution", "gatekeeper")
        .prefetch_related("reviews")
        .order_by("-started_at", "-id")
    )


def placement_list_from_query(
    *, user: User, params: Mapping[str, Any]
) -> tuple[QuerySet[Placement], dict[str, str]]:
    """The placements as the list page filters them from its query string (the export of the
    list reads the same filters the same way): the placements and the filters as understood."""
    form = params.get("form", "")
    if form not in PlacementForm.values:
        form = ""
    state = params.get("state", "active")
    if state not in ("active", "ended", "all"):
        state = "active"
    active = {"active": True, "ended": False}.get(state)
    return placement_list(user=user, active=active, form=form), {"form": form, "state": state}


def placement_get(*, user: User, pk: int | str) -> Placement:
    try:
        return placement_list(user=user).get(pk=pk)
    except (Placement.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise Http404 from exc


# At most this many points in a residents-over-time series; a longer period is sampled evenly.
SERIES_POINTS = 24
# A family placement that starts up to a day before the residential one ends is the move out of
# it (the new carer's start is often written as the morning of the day the child left).
MOVE_SLACK = timedelta(days=1)


def _series_dates(since: date, until: date) -> list[date]:
    """The first day, the last day of each month in between, and the last day."""
    days = [since]
    cursor = since
    while True:
        first_next = (cursor.replace(day=1) + timedelta(days=32)).replace(day=1)
        month_end = first_next - timedelta(days=1)
        if month_end >= until:
            break
        if month_end > since:
            days.append(month_end)
        cursor = first_next
    if until > since:
        days.append(until)
    if len(days) > SERIES_POINTS:
        step = (len(days) - 1) / (SERIES_POINTS - 1)
        days = [days[round(i * step)] for i in range(SERIES_POINTS)]
    return days


def _end_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.max))


def _living_at(moment: datetime) -> Q:
    return Q(placements__started_at__lte=moment) & (
        Q(placements__ended_at__isnull=True) | Q(placements__ended_at__gt=moment)
    )


def institution_figures(*, unit: Unit, since: date, until: date) -> dict[str, Any]:
    """Residential care and deinstitutionalisation in an area over a period: the residential
    institutions (service points of the residential group) with their residents over time and
    what became of them (reorganised, closed, with successors), and where the children who left
    residential care went: reintegrated, adopted, or the family-based form of their next
    placement. Counts only, so anyone who sees the area may read them."""
    start = timezone.make_aware(datetime.combine(since, time.min))
    end = _end_of(until)
    days = _series_dates(since, until)
    moments = [start, *(_end_of(d) for d in days[1:])] if len(days) > 1 else [start]
    points = (
        ServicePoint.objects.filter(
            service_type__group=ServiceGroup.RESIDENTIAL,
            unit__path__startswith=unit.path,
        )
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gte=since))
        .select_related("provider__institution", "unit", "service_type", "institution_change")
        .prefetch_related("institution_change__successors")
        .annotate(
            **{f"r{i}": Count("placements", filter=_living_at(m)) for i, m in enumerate(moments)},
            at_end=Count("placements", filter=_living_at(end)),
        )
        .order_by("unit__path", "name", "id")
    )
    facilities = []
    series_total = [0] * len(moments)
    reorganised = closed = planned = 0
    for point in points:
        counts = [getattr(point, f"r{i}") for i in range(len(moments))]
        series_total = [a + b for a, b in zip(series_total, counts, strict=True)]
        change = getattr(point, "institution_change", None)
        change_row = None
        if change is not None:
            if change.effective_on > until:
                planned += 1
            elif change.kind == InstitutionChangeKind.REORGANISED:
                reorganised += 1
            else:
                closed += 1
            change_row = {
                "kind": change.kind,
                "decision_reference": change.decision_reference,
                "decided_on": change.decided_on,
                "effective_on": change.effective_on,
                "successors": [{"id": s.pk, "name": s.name} for s in change.successors.all()],
            }
        facilities.append(
            {
                "point": point,
                "id": point.pk,
                "name": point.name,
                "provider": point.provider.institution.name,
                "unit": point.unit.code,
                "capacity": point.capacity,
                "residents_at_start": counts[0],
                "residents_at_end": getattr(point, "at_end"),  # noqa: B009 - an annotation
                "series": counts,
                "change": change_row,
            }
        )
    ids = [f["id"] for f in facilities]
    left = Placement.objects.filter(
        Q(facility_id__in=ids)
        | Q(
            facility__isnull=True,
            form__in=RESIDENTIAL_FORMS,
            child__scope_unit__path__startswith=unit.path,
        ),
        ended_at__gte=start,
        ended_at__lte=end,
    ).annotate(
        next_form=Subquery(
            Placement.objects.filter(
                child=OuterRef("child"), started_at__gte=OuterRef("ended_at") - MOVE_SLACK
            )
            .exclude(pk=OuterRef("pk"))
            .order_by("started_at", "id")
            .values("form")[:1]
        )
    )
    destinations: dict[str, int] = {}
    for row in left.values("end_reason", "next_form").annotate(n=Count("id")):
        key = _destination(row["end_reason"], row["next_form"])
        destinations[key] = destinations.get(key, 0) + row["n"]
    moved = sum(n for key, n in destinations.items() if key in FAMILY_DESTINATIONS)
    return {
        "unit": unit,
        "since": since,
        "until": until,
        "institutions": len(facilities),
        "reorganised": reorganised,
        "closed": closed,
        "planned_changes": planned,
        "residents_at_start": series_total[0] if series_total else 0,
        "residents_at_end": sum(f["residents_at_end"] for f in facilities),
        "left_residential_care": sum(destinations.values()),
        "moved_to_family_care": moved,
        "destinations": destinations,
        "series": [{"date": d, "residents": n} for d, n in zip(days, series_total, strict=True)],
        "facilities": facilities,
    }


# Where a child leaving residential care went: back to the family, adopted, into a family-based
# form of care (the next placement), or elsewhere (aged out, another residential placement).
FAMILY_DESTINATIONS = frozenset(
    {PlacementEnd.REINTEGRATED, PlacementEnd.ADOPTED, *(str(f) for f in FAMILY_BASED)}
)


def _destination(end_reason: str, next_form: str | None) -> str:
    if end_reason in (PlacementEnd.REINTEGRATED, PlacementEnd.ADOPTED):
        return str(end_reason)
    if next_form in FAMILY_BASED:
        return str(next_form)
    return "other"


def case_placements(case: Case) -> QuerySet[Placement]:
    """The placements recorded on a case (a case the caller fetched through the user's scope),
    newest first."""
    return (
        Placement.objects.filter(case=case)
        .select_related("facility", "gatekeeper")
        .prefetch_related("reviews")
        .order_by("-started_at", "-id")
    )


def placement_facilities(case: Case) -> QuerySet[ServicePoint]:
    """Where the child of a case can be placed: the active alternative-care and residential
    service points of the case's region, municipality or district (the first level under the
    country, where the authorities that decide placements sit: a Botanica child may go to a
    Chișinău centre in another sector), by service, then by name."""
    area = "".join(f"{code}{PATH_SEPARATOR}" for code in case.unit.ancestor_codes()[:2])
    return (
        ServicePoint.objects.filter(open_points(timezone.localdate()), unit__path__startswith=area)
        .filter(Q(service_type__care_form=True) | Q(service_type__group=ServiceGroup.RESIDENTIAL))
        .select_related("provider__institution", "service_type")
        .order_by("service_type__ordering", "name", "id")
    )


def placed_at_services(children: list[int]) -> list[tuple[int, str]]:
    """(child id, service type code) of the active placements of these children at a service
    point: what answers their need of that service in the gap analysis."""
    return list(
        Placement.objects.filter(
            child_id__in=children, ended_at__isnull=True, facility__isnull=False
        ).values_list("child_id", "facility__service_type__code")
    )
