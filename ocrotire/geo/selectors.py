"""Reads of the territory: public reference data, unscoped. Who may read it (members of the
system) is checked by the pages and endpoints that call these."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from ocrotire.geo.models import Unit


def unit_list(
    *,
    search: str = "",
    code: str = "",
    level: str = "",
    parent: str = "",
    country: str = "",
    within: str = "",
) -> QuerySet[Unit]:
    """`parent` and `within` take a unit code or id: direct children, or the whole subtree."""
    qs = Unit.objects.filter(active=True)
    if search:
        qs = qs.filter(
            Q(name__icontains=search) | Q(names__name__icontains=search) | Q(code__iexact=search)
        ).distinct()
    if code:
        qs = qs.filter(code__iexact=code)
    if level:
        qs = qs.filter(level=level)
    if country:
        qs = qs.filter(country=country.upper())
    if parent:
        qs = qs.filter(parent=_resolve(parent))
    if within:
        qs = qs.subtree(_resolve(within))
    return qs.prefetch_related("names").select_related("parent").order_by("path")


def _resolve(ref: str) -> Unit:
    unit = Unit.objects.filter(code=ref).first()
    if unit is None and ref.isdigit():
        unit = Unit.objects.filter(pk=int(ref)).first()
    if unit is None:
        raise Http404
    return unit


def unit_get(*, pk: int | str) -> Unit:
    try:
        return Unit.objects.prefetch_related("names").select_related("parent").get(pk=pk)
    except (Unit.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def unit_children(*, unit: Unit) -> QuerySet[Unit]:
    return unit.children.filter(active=True).prefetch_related("names").order_by("name")


def unit_roots() -> QuerySet[Unit]:
    return (
        Unit.objects.filter(parent__isnull=True, active=True)
        .prefetch_related("names")
        .order_by("code")
    )
