"""Placement pages of the case file: place the child, end a placement. The forms are shown on the
case page and post here; a refused form comes back on its own page with the reasons beside the
fields and everything typed kept, as the case's step forms do."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from ocrotire.accounts.models import User
from ocrotire.accounts.permissions import member_or_403
from ocrotire.care import services
from ocrotire.care.forms import PlacementEndForm, PlacementStartForm
from ocrotire.care.models import Placement, PlacementForm
from ocrotire.care.permissions import can_place
from ocrotire.care.selectors import case_placements, placement_facilities, placement_list
from ocrotire.cases.models import Case, Stage
from ocrotire.cases.selectors import case_get
from ocrotire.core.forms import service_call

CONFLICT = gettext_lazy(
    "Someone else changed this placement while you were working on it, so nothing was saved. "
    "Open the case again to see the changes, then repeat your step."
)


def _end_form(placement: Placement, data: Any = None) -> PlacementEndForm:
    # Ids of their own: the case page holds one of these forms per active placement.
    return PlacementEndForm(
        data, initial={"version": placement.version}, auto_id=f"id_end-{placement.pk}-%s"
    )


def placement_panel(user: User, case: Case) -> dict[str, Any]:
    """What the case page shows of placements: the list, and for those who may place the child
    the form to place them and a form to end each active placement."""
    placements = list(case_placements(case))
    if not can_place(user, case.child, case):
        return {"placements": placements, "can_place": False}
    return {
        "placements": placements,
        "can_place": True,
        # A closed case takes no new placement; its active ones can still be ended.
        "place_form": (
            PlacementStartForm(facilities=placement_facilities(case))
            if case.stage != Stage.CLOSED
            else None
        ),
        "end_forms": [(p, _end_form(p)) for p in placements if p.ended_at is None],
    }


def _placer(request: HttpRequest, pk: int) -> tuple[User, Case]:
    user = member_or_403(request)
    case = case_get(user=user, pk=pk)
    if not can_place(user, case.child, case):
        raise PermissionDenied
    return user, case


def _page(request: HttpRequest, case: Case, form: Form, title: Any, status: int) -> HttpResponse:
    return render(
        request,
        "cases/step_form.html",
        {"case": case, "form": form, "title": title, "refusal": None, "nav_active": "cases"},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def placement_start_view(request: HttpRequest, pk: int) -> HttpResponse:
    user, case = _placer(request, pk)
    form = PlacementStartForm(
        request.POST if request.method == "POST" else None,
        facilities=placement_facilities(case),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with service_call(form) as call:
            services.placement_start(
                actor=user,
                child=case.child,
                case=case,
                form=data["form"],
                started_at=data["started_at"] or timezone.now(),
                emergency=data["emergency"],
                national_type=data["national_type"],
                decision_reference=data["decision_reference"],
                decision_date=data["decision_date"],
                carer_name=data["carer_name"],
                facility=data["facility"],
            )
        if call.ok:
            messages.success(request, _("The placement was recorded."))
            return redirect("cases:detail", pk=case.pk)
    return _page(request, case, form, gettext_lazy("Place the child"), 200)


@login_required
@require_http_methods(["GET", "POST"])
def placement_end_view(request: HttpRequest, pk: int, placement_pk: int) -> HttpResponse:
    user, case = _placer(request, pk)
    placement = case_placements(case).filter(pk=placement_pk).first()
    if placement is None:
        raise Http404
    form = _end_form(placement, request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with service_call(form, conflict=CONFLICT) as call:
            services.placement_end(
                actor=user,
                placement=placement,
                version=data["version"],
                end_reason=data["end_reason"],
                ended_at=data["ended_at"],
                note=data["note"],
            )
        status = call.status(status)
        if call.ok:
            messages.success(request, _("The placement was ended."))
            return redirect("cases:detail", pk=case.pk)
    return _page(request, case, form, gettext_lazy("End the placement"), status)


def placement_list_from_query(
    *, user: User, params: Mapping[str, Any]
) -> tuple[QuerySet[Placement], dict[str, str]]:
    """The placements as the list page filters them from its query string (the export of the
    list reads the same filters the same way): the placements and the filters as understood."""
    form = params.get("form", "")
    if form not in PlacementForm.values:
        form = ""
    state = params.get("state", "active")
    if state not in ("active", "ended", "all"):
        state = "active"
    active = {"active": True, "ended": False}.get(state)
    return placement_list(user=user, active=active, form=form), {"form": form, "state": state}


@login_required
def placement_list_view(request: HttpRequest) -> HttpResponse:
    """The children of the user's area in alternative care, by form of care: active placements
    by default, with their next review."""
    user = member_or_403(request)
    qs, filters = placement_list_from_query(user=user, params=request.GET)
    form, state = filters["form"], filters["state"]
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "care/placement_list.html",
        {
            "page": page,
            "form": form,
            "forms": PlacementForm.choices,
            "state": state,
            "now": timezone.now(),
            "query": urlencode({"form": form, "state": state}) + "&",
        },
    )
