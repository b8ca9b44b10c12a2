"""Pages of the provider register: providers and their service points with places taken and
waiting lists, and the referral inbox where a provider answers the referrals addressed to it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ocrotire.accounts.models import User
from ocrotire.accounts.permissions import member_or_403, scope_of
from ocrotire.care import services as care_services
from ocrotire.care.models import PlacementEnd, PlacementForm
from ocrotire.care.permissions import can_record_institution_change
from ocrotire.care.selectors import institution_figures
from ocrotire.cases.models import Referral, ReferralStatus
from ocrotire.core.forms import service_call
from ocrotire.geo.models import Unit
from ocrotire.providers import services
from ocrotire.providers.forms import InstitutionChangeForm
from ocrotire.providers.models import (
    Provider,
    ProviderKind,
    ServiceGroup,
    ServicePoint,
    ServiceType,
)
from ocrotire.providers.permissions import (
    can_answer_referral,
    can_enrol,
    can_override_capacity,
    can_see_enrolments,
)
from ocrotire.providers.selectors import (
    enrolment_history,
    gap_analysis,
    point_figures,
    provider_get,
    provider_list,
    referral_get,
    referral_list,
    service_point_get,
    service_point_list,
    waiting_list,
)

CONFLICT = gettext_lazy(
    "Someone else answered this referral while you were looking at it, so nothing was saved. "
    "Look at it again, then repeat your step."
)
# Areas whose units the gap table compares: a country's regions, a municipality's sectors.
GAP_LEVELS = ("country", "region", "municipality", "district", "city")
# How the page names where children leaving residential care went.
DESTINATION_LABELS = {
    PlacementEnd.REINTEGRATED.value: PlacementEnd.REINTEGRATED.label,
    PlacementEnd.ADOPTED.value: PlacementEnd.ADOPTED.label,
    **{form.value: form.label for form in PlacementForm},
    "other": gettext_lazy("Elsewhere (aged out, other residential care, other)"),
}
STEP_DONE = {
    "accept": gettext_lazy("The referral was accepted: the child is on the waiting list."),
    "decline": gettext_lazy("The referral was declined."),
    "enrol": gettext_lazy("The child was enrolled."),
    "complete": gettext_lazy("The service was recorded as completed."),
    "drop": gettext_lazy("The child's departure was recorded."),
}


def provider_list_from_query(
    *, user: User, params: Mapping[str, Any]
) -> tuple[QuerySet[Provider], dict[str, str]]:
    """The providers as the list page filters them from its query string (the export of the
    list reads the same filters the same way): the providers and the filters as understood."""
    search = params.get("q", "").strip()[:100]
    kind = params.get("kind", "")
    if kind not in ProviderKind.values:
        kind = ""
    licence = params.get("licence", "")
    if licence not in ("expiring", "expired"):
        licence = ""
    qs = provider_list(user=user, search=search, kind=kind, licence=licence)
    return qs, {"q": search, "kind": kind, "licence": licence}


@login_required
def provider_list_view(request: HttpRequest) -> HttpResponse:
    user = member_or_403(request)
    qs, filters = provider_list_from_query(user=user, params=request.GET)
    search, kind, licence = filters["q"], filters["kind"], filters["licence"]
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    today = timezone.localdate()
    context = {
        "page": page,
        "rows": [(p, p.licence_status(today)) for p in page],
        "q": search,
        "kind": kind,
        "kinds": ProviderKind.choices,
        "licence": licence,
        "query": urlencode({"q": search, "kind": kind, "licence": licence}) + "&",
    }
    template = "providers/provider_list.html"
    if request.htmx:  # type: ignore[attr-defined]
        template += "#results"
    return render(request, template, context)


@login_required
def provider_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = member_or_403(request)
    provider = provider_get(user=user, pk=pk)
    points = list(service_point_list(user=user, provider=provider, include_inactive=True))
    figures = point_figures(points)
    today = timezone.localdate()
    return render(
        request,
        "providers/provider_detail.html",
        {
            "provider": provider,
            "licence_status": provider.licence_status(today),
            # The waiting children are named only to those who may see who is enrolled.
            "points": [
                (
                    p,
                    figures[p.pk],
                    max(0, p.capacity - figures[p.pk]["occupied"]),
                    waiting_list(p) if can_see_enrolments(user, p) else None,
                    not p.open_on(today),
                )
                for p in points
            ],
        },
    )


def service_point_list_from_query(
    *, user: User, params: Mapping[str, Any]
) -> tuple[QuerySet[ServicePoint], dict[str, str]]:
    """The service points as the list page filters them from its query string (the export of
    the list reads the same filter the same way): the points and the filter as understood."""
    code = params.get("service", "")
    if not ServiceType.objects.filter(code=code).exists():
        code = ""
    return service_point_list(user=user, service_code=code), {"service": code}


@login_required
def service_point_list_view(request: HttpRequest) -> HttpResponse:
    user = member_or_403(request)
    qs, filters = service_point_list_from_query(user=user, params=request.GET)
    code = filters["service"]
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    figures = point_figures(list(page))
    countries = sorted({p.unit.country for p in page}) or ["MD"]
    return render(
        request,
        "providers/service_list.html",
        {
            "page": page,
            "rows": [
                (p, figures[p.pk], max(0, p.capacity - figures[p.pk]["occupied"])) for p in page
            ],
            "service": code,
            "services": ServiceType.objects.filter(country__in=countries, active=True),
            "query": urlencode({"service": code}) + "&",
        },
    )


def referral_list_from_query(
    *, user: User, params: Mapping[str, Any]
) -> tuple[QuerySet[Referral], dict[str, str]]:
    """The referrals as the inbox filters them from its query string (the export of the list
    reads the same filter the same way): the referrals and the filter as understood."""
    status = params.get("status", "")
    if status not in ReferralStatus.values:
        status = ""
    return referral_list(user=user, status=status), {"status": status}


@login_required
def referral_inbox_view(request: HttpRequest) -> HttpResponse:
    user = member_or_403(request)
    qs, filters = referral_list_from_query(user=user, params=request.GET)
    status = filters["status"]
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    now = timezone.now()
    rows = []
    for referral in page:
        answer = can_answer_referral(user, referral)
        enrol = can_enrol(user, referral)
        rows.append(
            {
                "referral": referral,
                "overdue": referral.status == ReferralStatus.SENT
                and referral.response_due_at is not None
                and referral.response_due_at < now,
                "can_answer": answer and referral.status == ReferralStatus.SENT,
                "can_enrol": enrol and referral.status == ReferralStatus.ACCEPTED,
                "can_override": referral.service_point is not None
                and can_override_capacity(user, referral.service_point.provider),
                "can_end": enrol
                and referral.status in (ReferralStatus.ACCEPTED, ReferralStatus.ENROLLED),
                "can_complete": enrol and referral.status == ReferralStatus.ENROLLED,
            }
        )
    return render(
        request,
        "providers/referral_inbox.html",
        {
            "page": page,
            "rows": rows,
            "status": status,
            "statuses": ReferralStatus.choices,
            "query": urlencode({"status": status}) + "&",
        },
    )


@login_required
@require_POST
def referral_step_view(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    user = member_or_403(request)
    referral = referral_get(user=user, pk=pk)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = -1
    if step not in services.REFERRAL_STEPS:
        raise Http404
    with service_call(request=request, conflict=CONFLICT) as call:
        services.referral_step(
            actor=user,
            referral=referral,
            step=step,
            version=version,
            reason=request.POST.get("reason", ""),
            override_reason=request.POST.get("override_reason", ""),
        )
    if call.ok:
        messages.success(request, str(STEP_DONE[step]))
    return redirect("providers:referrals")


@login_required
def gap_view(request: HttpRequest) -> HttpResponse:
    """Coverage and gaps: service types down the side, the units of an area across."""
    user = member_or_403(request)
    choices = _area_choices(user)
    code = request.GET.get("unit", "")
    unit = next((u for u in choices if u.code == code), choices[0] if choices else None)
    table = []
    gaps = None
    if unit is not None:
        gaps = gap_analysis(unit=unit)
        by_key = {(r["unit"], r["service_type"]): r for r in gaps["rows"]}
        table = [
            (service, [by_key[(area.code, service.code)] for area in gaps["areas"]])
            for service in gaps["types"]
        ]
    return render(
        request,
        "providers/gaps.html",
        {"unit": unit, "choices": choices, "gaps": gaps, "table": table},
    )


def _area_choices(user: User) -> list[Unit]:
    """The areas a user may compare: the levels with parts, and the user's own units."""
    scope = scope_of(user)
    roots = set(scope.unit_paths)
    return [
        u
        for u in Unit.objects.filter(Q(level__in=GAP_LEVELS) | Q(path__in=roots)).order_by("path")
        if scope.covers_path(u.path)
    ]


def _day(value: str) -> date | None:
    """A day from the address, if it is one between 1990 and a year from now."""
    try:
        day = date.fromisoformat(value) if value else None
    except ValueError:
        return None
    if day is None or not date(1990, 1, 1) <= day <= timezone.localdate() + timedelta(days=366):
        return None
    return day


@login_required
def institutions_view(request: HttpRequest) -> HttpResponse:
    """Residential institutions of an area: residents over time, reorganisations and closures,
    and where the children who left residential care went."""
    user = member_or_403(request)
    choices = _area_choices(user)
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
    until = _day(request.GET.get("until", "")) or timezone.localdate()
    since = _day(request.GET.get("since", "")) or until - timedelta(days=365)
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
        "providers/institutions.html",
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
            care_services.institution_change_record(
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
        "providers/institution_change.html",
        {"facility": facility, "form": form, "residents": care_services.residents(facility)},
    )


@login_required
def service_point_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A service point: places taken, its waiting list, and who was enrolled when (for those
    who may see the children's names)."""
    user = member_or_403(request)
    point = service_point_get(user=user, pk=pk)
    figures = point_figures([point])[point.pk]
    on = _day(request.GET.get("on", ""))
    history = None
    if can_see_enrolments(user, point):
        at = timezone.make_aware(datetime.combine(on, time(12))) if on else None
        history = Paginator(enrolment_history(point, at=at), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "providers/service_point_detail.html",
        {
            "point": point,
            "figures": figures,
            "free": max(0, point.capacity - figures["occupied"]),
            "waiting": waiting_list(point) if history is not None else None,
            "history": history,
            "page": history,
            "on": on,
            "query": urlencode({"on": on.isoformat() if on else ""}) + "&",
        },
    )
