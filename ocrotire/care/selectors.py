"""Reads of placements, scoped like the children's records: case workers see the placements of
the children of their area."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from ocrotire.accounts.models import User
from ocrotire.care.models import Placement
from ocrotire.cases.permissions import works_cases
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
