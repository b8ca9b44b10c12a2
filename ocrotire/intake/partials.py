"""htmx fragments of the intake form: the possible matches of a child row, the registry search."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from ocrotire.intake.forms import ChildForm
from ocrotire.intake.views import (
    CHILD_PREFIX,
    _child_candidates,
    _existing_block,
    _register_user,
)


@login_required
@require_POST
def child_matches_view(request: HttpRequest) -> HttpResponse:
    """The "possible matches" panel of one child row, refreshed by htmx while it is filled in."""
    user = _register_user(request)
    row = request.GET.get("row", "")
    if not row.isdigit() or int(row) >= 20:
        raise Http404
    form = ChildForm(request.POST, prefix=f"{CHILD_PREFIX}-{row}")
    form.is_valid()
    data = getattr(form, "cleaned_data", None) or {}
    return render(
        request,
        "intake/partials/child_matches.html",
        {
            "row": {
                "index": int(row),
                "candidates": _child_candidates(user, form),
                "chosen": data.get("person"),
                "searched": True,
            }
        },
    )


@login_required
@require_POST
def child_search_view(request: HttpRequest) -> HttpResponse:
    """The "children already in the registry" block: ticked records and the search results."""
    user = _register_user(request)
    return render(
        request,
        "intake/partials/existing_children.html",
        {"existing": _existing_block(user, request.POST)},
    )
