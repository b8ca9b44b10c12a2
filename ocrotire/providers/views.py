"""Pages of the provider register: providers and their service points with places taken and
waiting lists, and the referral inbox where a provider answers the referrals addressed to it."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ocrotire.accounts.permissions import member_or_403, scope_of
from ocrotire.accounts.services import ConflictError
from ocrotire.cases.models import ReferralStatus
from ocrotire.geo.models import Unit
from ocrotire.providers import services
from ocrotire.providers.models import ProviderKind, ServiceType
from ocrotire.providers.permissions import (
    can_answer_referral,
    can_enrol,
    can_override_capacity,
)
from ocrotire.providers.selectors import (
    gap_analysis,
    point_figures,
    provider_get,
    provider_list,
    referral_get,
    referral_list,
    service_point_list,
    waiting_list,
)

CONFLICT = gettext_lazy(
    "Someone else answered this referral while you were looking at it, so nothing was saved. "
    "Look at it again, then repeat your step."
)
# Areas whose units the gap table compares: a country's regions, a municipality's sectors.
GAP_LEVELS = ("country", "region", "municipality", "district", "city")
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
    search = request.GET.get("q", "").strip()[:100]
    kind = request.GET.get("kind", "")
    if kind not in ProviderKind.values:
        kind = ""
    licence = request.GET.get("licence", "")
    if licence not in ("expiring", "expired"):
        licence = ""
    page = Paginator(
        provider_list(user=user, search=search, kind=kind, licence=licence), 25
    ).get_page(request.GET.get("page"))
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
    return render(
        request,
        "providers/provider_detail.html",
        {
            "provider": provider,
            "licence_status": provider.licence_status(timezone.localdate()),
            "points": [
                (p, figures[p.pk], max(0, p.capacity - figures[p.pk]["occupied"]), waiting_list(p))
                for p in points
            ],
        },
    )


@login_required
def service_point_list_view(request: HttpRequest) -> HttpResponse:
    user = member_or_403(request)
    code = request.GET.get("service", "")
    if not ServiceType.objects.filter(code=code).exists():
        code = ""
    page = Paginator(service_point_list(user=user, service_code=code), 50).get_page(
        request.GET.get("page")
    )
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
    status = request.GET.get("status", "")
    if status not in ReferralStatus.values:
        status = ""
    page = Paginator(referral_list(user=user, status=status), 25).get_page(request.GET.get("page"))
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
    try:
        services.referral_step(
            actor=user,
            referral=referral,
            step=step,
            version=version,
            reason=request.POST.get("reason", ""),
            override_reason=request.POST.get("override_reason", ""),
        )
    except ConflictError:
        messages.error(request, str(CONFLICT))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionError as exc:
        raise PermissionDenied from exc
    else:
        messages.success(request, str(STEP_DONE[step]))
    return redirect("providers:referrals")


@login_required
def gap_view(request: HttpRequest) -> HttpResponse:
    """Coverage and gaps: service types down the side, the units of an area across."""
    user = member_or_403(request)
    scope = scope_of(user)
    roots = set(scope.unit_paths)
    choices = [
        u
        for u in Unit.objects.filter(Q(level__in=GAP_LEVELS) | Q(path__in=roots)).order_by("path")
        if scope.covers_path(u.path)
    ]
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
