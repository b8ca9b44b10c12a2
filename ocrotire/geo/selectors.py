"""Reads of the territory."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from ocrotire.accounts.models import User
from ocrotire.accounts.permissions import can_browse_territory
from ocrotire.geo.models import Unit


def unit_list(
    *,
    user: User,
    search: str = "",
    code: str = "",
    level: str = "",
    parent: str = "",
    country: str = "",
    within: str = "",
) -> QuerySet[Unit]:
    """Units are public reference data, but only members of the system may query them.
    `parent` and `within` take a unit code or id: direct children, or the whole subtree."""
    if not can_browse_territory(user):
        return Unit.objects.none()
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


def unit_get(*, user: User, pk: int | str) -> Unit:
    if not can_browse_territory(user):
        raise Http404
    try:
        return Unit.objects.prefetch_related("names").select_related("parent").get(pk=pk)
    except (Unit.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def unit_children(*, user: User, unit: Unit) -> QuerySet[Unit]:
    if not can_browse_territory(user):
        return Unit.objects.none()
    return unit.children.filter(active=True).prefetch_related("names").order_by("name")


def unit_roots(*, user: User) -> QuerySet[Unit]:
    if not can_browse_territory(user):
        return Unit.objects.none()
    return (
        Unit.objects.filter(parent__isnull=True, active=True)
        .prefetch_related("names")
        .order_by("code")
    )


def unit_choices(*, user: User) -> QuerySet[Unit]:
    """The units a user may pick in a form: all of them for a global scope, else the user's subtrees."""
    from ocrotire.accounts.permissions import scope_of

    scope = scope_of(user)
    units = Unit.objects.filter(active=True).prefetch_related("names")
    return (
        units if scope.is_global else units.subtree(*Unit.objects.filter(path__in=scope.unit_paths))
    )
