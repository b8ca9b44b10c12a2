"""Reads of placements, scoped like the children's records: case workers see the placements of
the children of their area."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from ocrotire.accounts.models import User
from ocrotire.care.models import Placement
from ocrotire.cases.models import Case
from ocrotire.cases.permissions import works_cases
from ocrotire.geo.models import PATH_SEPARATOR
from ocrotire.providers.models import ServiceGroup, ServicePoint
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
    return qs.select_related("child", "case", "facility__provider__institution").order_by(
        "-started_at", "-id"
    )


def placement_get(*, user: User, pk: int | str) -> Placement:
    try:
        return placement_list(user=user).get(pk=pk)
    except (Placement.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise Http404 from exc


def case_placements(case: Case) -> QuerySet[Placement]:
    """The placements recorded on a case (a case the caller fetched through the user's scope),
    newest first."""
    return (
        Placement.objects.filter(case=case)
        .select_related("facility")
        .order_by("-started_at", "-id")
    )


def placement_facilities(case: Case) -> QuerySet[ServicePoint]:
    """Where the child of a case can be placed: the active alternative-care and residential
    service points of the case's region, municipality or district (the first level under the
    country, where the authorities that decide placements sit: a Botanica child may go to a
    Chișinău centre in another sector), by service, then by name."""
    area = "".join(f"{code}{PATH_SEPARATOR}" for code in case.unit.ancestor_codes()[:2])
    return (
        ServicePoint.objects.filter(active=True, provider__active=True, unit__path__startswith=area)
        .filter(Q(service_type__care_form=True) | Q(service_type__group=ServiceGroup.RESIDENTIAL))
        .select_related("provider__institution", "service_type")
        .order_by("service_type__ordering", "name", "id")
    )
