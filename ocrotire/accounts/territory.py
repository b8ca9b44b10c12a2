"""Territory pages: the unit tree, expandable in place with htmx and browsable without it. Any
member of the system may browse it (the units are reference data)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

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
    member_or_403(request)
    unit = unit_get(pk=pk)
    children = unit_children(unit=unit)
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "geo/tree.html#children", {"unit": unit, "children": children})
    ancestors = list(unit_list().filter(code__in=unit.ancestor_codes()).exclude(pk=unit.pk))
    return render(
        request, "geo/unit.html", {"unit": unit, "children": children, "ancestors": ancestors}
    )
