"""htmx fragments of the accounts pages: the units below a unit, as nodes of the territory tree."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ocrotire.accounts.permissions import member_or_403
from ocrotire.geo.selectors import unit_children, unit_get


@login_required
def unit_children_view(request: HttpRequest, pk: int) -> HttpResponse:
    """What a toggle of the territory tree loads in place. It has no address of its own: the tree
    asks the unit's page address with htmx, and territory.unit_view hands the request here."""
    member_or_403(request)
    unit = unit_get(pk=pk)
    return render(
        request,
        "geo/partials/unit_children.html",
        {"unit": unit, "children": unit_children(unit=unit)},
    )
