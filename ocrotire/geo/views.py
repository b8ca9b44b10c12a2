"""Territory pages: the unit tree, expandable in place with htmx and browsable without it."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ocrotire.accounts.models import User
from ocrotire.accounts.permissions import acting_user, can_browse_territory
from ocrotire.geo.selectors import unit_children, unit_get, unit_list, unit_roots


def _member(request: HttpRequest) -> User:
    if not can_browse_territory(request.user):
        raise PermissionDenied
    return acting_user(request)


@login_required
def tree_view(request: HttpRequest) -> HttpResponse:
    user = _member(request)
    search = request.GET.get("q", "").strip()[:100]
    results = list(unit_list(user=user, search=search)[:100]) if search else None
    return render(
        request, "geo/tree.html", {"roots": unit_roots(user=user), "q": search, "results": results}
    )


@login_required
def unit_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _member(request)
    unit = unit_get(user=user, pk=pk)
    children = unit_children(user=user, unit=unit)
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "geo/tree.html#children", {"unit": unit, "children": children})
    ancestors = list(
        unit_list(user=user).filter(code__in=unit.ancestor_codes()).exclude(pk=unit.pk)
    )
    return render(
        request, "geo/unit.html", {"unit": unit, "children": children, "ancestors": ancestors}
    )
