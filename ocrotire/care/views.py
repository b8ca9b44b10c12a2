"""Placement pages of the case file: place the child, end a placement. The forms are shown on the
case page and post here; a refused form comes back on its own page with the reasons beside the
fields and everything typed kept, as the case's step forms do. And residential care: the
institutions of an area and their reorganisation or closure (under `/providers/institutions/`)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from ocrotire.accounts.models import User
from ocrotire.accounts.permissions import member_or_403
from ocrotire.care import services
from ocrotire.care.forms import (
    InstitutionChangeForm,
    PlacementStartForm,
    placement_decision_form,
    placement_end_form,
    placement_review_form,
)
from ocrotire.care.models import PlacementEnd, PlacementForm
from ocrotire.care.permissions import can_place, can_record_institution_change
from ocrotire.care.selectors import (
    case_placements,
    institution_figures,
    placement_facilities,
    placement_list_from_query,
)
from ocrotire.cases.models import Case
from ocrotire.cases.selectors import case_get
from ocrotire.core.bounds import query_day
from ocrotire.core.forms import service_call
from ocrotire.providers.models import ServiceGroup, ServicePoint
from ocrotire.providers.selectors import area_choices, service_point_get, service_point_list

CONFLICT = gettext_lazy(
    "Someone else changed this placement while you were working on it, so nothing was saved. "
    "Open the case again to see the changes, then repeat your step."
)
# How the page names where children leaving residential care went.
DESTINATION_LABELS = {
    PlacementEnd.REINTEGRATED.value: PlacementEnd.REINTEGRATED.label,
    PlacementEnd.ADOPTED.value: PlacementEnd.ADOPTED.label,
    **{form.value: form.label for form in PlacementForm},
    "other": gettext_lazy("Elsewhere (aged out, other residential care, other)"),
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
        gatekeeper=services.gatekeeper_of(case.unit.country),
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
                decision_by=data["decision_by"],
                decision_body=data["decision_body"],
                decision_outcome=data["decision_outcome"],
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
    form = placement_end_form(placement, request.POST if request.method == "POST" else None)
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


@login_required
@require_http_methods(["GET", "POST"])
def placement_decision_view(request: HttpRequest, pk: int, placement_pk: int) -> HttpResponse:
    user, case = _placer(request, pk)
    placement = case_placements(case).filter(pk=placement_pk).first()
    if placement is None:
        raise Http404
    form = placement_decision_form(
        placement,
        services.gatekeeper_of(case.unit.country),
        request.POST if request.method == "POST" else None,
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with service_call(form, conflict=CONFLICT) as call:
            services.placement_decide(
                actor=user,
                placement=placement,
                version=data["version"],
                decision=services.Decision(
                    by=data["decision_by"],
                    body=data["decision_body"],
                    reference=data["decision_reference"],
                    on=data["decision_date"],
                    outcome=data["decision_outcome"],
                ),
            )
        status = call.status(status)
        if call.ok:
            messages.success(request, _("The decision on the placement was recorded."))
            return redirect("cases:detail", pk=case.pk)
    return _page(request, case, form, gettext_lazy("Record the decision on the placement"), status)


@login_required
@require_http_methods(["GET", "POST"])
def placement_review_view(request: HttpRequest, pk: int, placement_pk: int) -> HttpResponse:
    user, case = _placer(request, pk)
    placement = case_placements(case).filter(pk=placement_pk).first()
    if placement is None:
        raise Http404
    form = placement_review_form(placement, request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with service_call(form, conflict=CONFLICT) as call:
            services.placement_review_record(
                actor=user,
                placement=placement,
                version=data["version"],
                outcome=data["outcome"],
                note=data["note"],
                reviewed_at=data["reviewed_at"],
                end_reason=data["end_reason"],
            )
        status = call.status(status)
        if call.ok:
            messages.success(request, _("The review of the placement was recorded."))
            return redirect("cases:detail", pk=case.pk)
    return _page(request, case, form, gettext_lazy("Review the placement"), status)


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


@login_required
def institutions_view(request: HttpRequest) -> HttpResponse:
    """Residential institutions of an area: residents over time, reorganisations and closures,
    and where the children who left residential care went."""
    user = member_or_403(request)
    choices = area_choices(user)
    code = request.GET.get("unit", "")
    unit = next((u for u in choices if u.code == code), None)
    if unit is None:
        # Start at the first area that has residential care, else the first area.
        with_care = set(
            ServicePoint.objects.filter(service_type__group=ServiceGroup.RESIDENTIAL).values_list(
                "unit__path", flat=True
            )
        )
        unit = next(
            (u for u in choices if any(p.startswith(u.path) for p in with_care)),
            choices[0] if choices else None,
        )
    until = query_day(request.GET.get("until", "")) or timezone.localdate()
    since = query_day(request.GET.get("since", "")) or until - timedelta(days=365)
    problem = ""
    if since > until:
        problem = str(gettext_lazy("The first day comes after the last day."))
        since = until - timedelta(days=365)
    figures = institution_figures(unit=unit, since=since, until=until) if unit is not None else None
    if figures is not None:
        figures["peak"] = max([row["residents"] for row in figures["series"]] + [1])
        for facility in figures["facilities"]:
            facility["can_change"] = facility["change"] is None and (
                can_record_institution_change(user, facility["point"])
            )
        figures["destination_rows"] = [
            (DESTINATION_LABELS.get(key, key), n)
            for key, n in sorted(figures["destinations"].items(), key=lambda kv: -kv[1])
        ]
    return render(
        request,
        "care/institutions.html",
        {
            "unit": unit,
            "choices": choices,
            "since": since,
            "until": until,
            "figures": figures,
            "problem": problem,
        },
    )


@login_required
def institution_change_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Record that a residential institution is reorganised into other services, or closed."""
    user = member_or_403(request)
    facility = service_point_get(user=user, pk=pk)
    if not can_record_institution_change(user, facility):
        raise PermissionDenied
    candidates = (
        service_point_list(user=user)
        .filter(unit__country=facility.unit.country)
        .exclude(pk=facility.pk)
    )
    form = InstitutionChangeForm(request.POST or None, successors=candidates)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with service_call(form) as call:
            services.institution_change_record(
                actor=user,
                facility=facility,
                kind=data["kind"],
                decision_reference=data["decision_reference"],
                decided_on=data["decided_on"],
                effective_on=data["effective_on"],
                successors=list(data["successors"]),
                note=data["note"],
            )
        if call.ok:
            messages.success(
                request, str(gettext_lazy("The change of the institution was recorded."))
            )
            return redirect(
                f"{reverse('providers:institutions')}?{urlencode({'unit': facility.unit.code})}"
            )
    return render(
        request,
        "care/institution_change.html",
        {"facility": facility, "form": form, "residents": services.residents(facility)},
    )
