"""Territory pages: the unit tree, expandable in place with htmx (the fragment: partials.py) and
browsable without it. Any member of the system may browse it (the units are reference data)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ocrotire.accounts.partials import unit_children_view
from ocrotire.accounts.permissions import member_or_403
from ocrotire.geo.selectors import unit_children, unit_get, unit_list, unit_roots


@login_required
def tree_view(request: HttpRequest) -> HttpResponse:
    member_or_403(request)
    search = request.GET.get("q", "").strip()[:100]
    results = list(unit_list(search=search)[:100]) if search else None
    return render(
        request, "geo/tree.html", {"roots": unit_roots(), "q": search, "results": results}
    )


@login_required
def unit_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A unit's page. The tree's toggle asks the same address with htmx for the units below the
    unit, so that request goes to its fragment view (the address stays the one it always was)."""
    if request.htmx:  # type: ignore[attr-defined]
        return unit_children_view(request, pk)
    member_or_403(request)
    unit = unit_get(pk=pk)
    children = unit_children(unit=unit)
    ancestors = list(unit_list().filter(code__in=unit.ancestor_codes()).exclude(pk=unit.pk))
    return render(
        request, "geo/unit.html", {"unit": unit, "children": children, "ancestors": ancestors}
    )
