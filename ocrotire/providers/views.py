"""Pages of the provider register: providers and their service points with places taken and
waiting lists, and the referral inbox where a provider answers the referrals addressed to it."""

from __future__ import annotations

from datetime import datetime, time
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ocrotire.accounts.permissions import member_or_403
from ocrotire.cases.models import ReferralStatus
from ocrotire.core.bounds import query_day
from ocrotire.core.forms import service_call
from ocrotire.providers import services
from ocrotire.providers.models import (
    ProviderKind,
    ServiceType,
)
from ocrotire.providers.permissions import (
    can_answer_referral,
    can_enrol,
    can_override_capacity,
    can_see_enrolments,
)
from ocrotire.providers.selectors import (
    area_choices,
    enrolment_history,
    gap_analysis,
    point_figures,
    provider_get,
    provider_list_from_query,
    referral_get,
    referral_list_from_query,
    service_point_get,
    service_point_list,
    service_point_list_from_query,
    waiting_list,
)

CONFLICT = gettext_lazy(
    "Someone else answered this referral while you were looking at it, so nothing was saved. "
    "Look at it again, then repeat your step."
)
STEP_DONE = {
    "accept": gettext_lazy("The referral was accepted: the child is on the waiting list."),
    "decline": gettext_lazy("The referral was declined."),
    "enrol": gettext_lazy("The child was enrolled."),
    "complete": gettext_lazy("The service was recorded as completed."),
    "drop": gettext_lazy("The child's departure was recorded."),
}


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
    choices = area_choices(user)
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


@login_required
def service_point_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A service point: places taken, its waiting list, and who was enrolled when (for those
    who may see the children's names)."""
    user = member_or_403(request)
    point = service_point_get(user=user, pk=pk)
    figures = point_figures([point])[point.pk]
    on = query_day(request.GET.get("on", ""))
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
