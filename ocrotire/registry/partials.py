"""htmx fragments of the registry pages: the live duplicates panel and a de-duplication run's progress."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from ocrotire.accounts.permissions import acting_user
from ocrotire.accounts.selectors import unit_choices
from ocrotire.registry.forms import IdentifierFormSet, PersonForm
from ocrotire.registry.matching import match
from ocrotire.registry.selectors import dedup_run_get, person_scope
from ocrotire.registry.views import (
    _country_of,
    _decorate,
    _identifiers_from,
    _probe_from,
    _registry_user,
)


@login_required
@require_POST
def duplicates_panel_view(request: HttpRequest) -> HttpResponse:
    """The "possible duplicates" panel, refreshed by htmx while the registration form is filled in."""
    user = _registry_user(request)
    form = PersonForm(request.POST, units=unit_choices(user=user), country=_country_of(user))
    formset = IdentifierFormSet(request.POST, prefix="id")
    form.is_valid()
    formset.is_valid()
    data = getattr(form, "cleaned_data", {}) or {}
    candidates: list[Any] = []
    if data.get("given_name") or data.get("family_name"):
        candidates = match(
            _probe_from(data, _identifiers_from(formset)), persons=person_scope(user), minimum=0.5
        )
    return render(
        request,
        "registry/partials/duplicates.html",
        {"candidates": _decorate(candidates), "searched": True},
    )


@login_required
def dedup_run_status_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress panel, polled by htmx while a run is queued or running."""
    run = dedup_run_get(user=acting_user(request), pk=pk)
    return render(request, "registry/partials/dedup_run.html", {"run": run})
