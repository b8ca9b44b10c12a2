"""Reads of users and institutions, always through the reader's scope."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from ocrotire.accounts.models import Institution, User
from ocrotire.accounts.permissions import is_member, scope_of


def institution_visible_q(user: User) -> Q | None:
    """None means everything; an empty scope sees nothing."""
    scope = scope_of(user)
    if scope.is_global:
        return None
    condition = Q(pk__in=[])
    for path in scope.unit_paths:
        condition |= Q(units__path__startswith=path)
    if scope.ancestor_codes:
        condition |= Q(units__code__in=sorted(scope.ancestor_codes))
    if scope.institution_id is not None:
        condition |= Q(pk=scope.institution_id)
    return condition


def institution_list(
    *,
    user: User,
    search: str = "",
    kind: str = "",
    unit_code: str = "",
    include_inactive: bool = False,
) -> QuerySet[Institution]:
    if not is_member(user):
        return Institution.objects.none()
    qs = Institution.objects.all()
    condition = institution_visible_q(user)
    if condition is not None:
        qs = qs.filter(pk__in=Institution.objects.filter(condition).values("pk"))
    if not include_inactive:
        qs = qs.filter(active=True)
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(abbreviation__icontains=search))
    if kind:
        qs = qs.filter(kind=kind)
    if unit_code:
        qs = qs.filter(units__code=unit_code).distinct()
    return qs.prefetch_related("units").order_by("name", "id")


def institution_get(*, user: User, pk: int | str) -> Institution:
    """The institution, or 404 when it is missing or outside the user's scope."""
    try:
        return institution_list(user=user, include_inactive=True).get(pk=pk)
    except (Institution.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def user_profile(*, user: User) -> User:
    return (
        User.objects.prefetch_related("roles", "units__names")
        .select_related("institution")
        .get(pk=user.pk)
    )
