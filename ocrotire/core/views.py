"""Shell pages: the home page per role, the audit log page, health check and error pages."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, time
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connection, transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from ocrotire.accounts.models import RoleCode, User
from ocrotire.accounts.permissions import acting_user, can_view_audit, is_member, role_codes
from ocrotire.accounts.selectors import user_profile
from ocrotire.core.audit import audit_record
from ocrotire.core.forms import query_date
from ocrotire.core.jobs import health_report
from ocrotire.core.models import AuditAction, AuditEvent
from ocrotire.core.selectors import audit_list


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 while the database answers, with `status` "ok", or "degraded" when the deadline
    watcher's last good round or the oldest queued job is too old (still 200: the web process
    serves, a load balancer must not take it out for a stopped watcher); 503 without database."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        report = health_report()
    except Exception:
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse(report)


def index(request: HttpRequest) -> HttpResponse:
    return redirect("core:home" if request.user.is_authenticated else "accounts:login")


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = user_profile(user=acting_user(request))
    roles = role_codes(user)
    return render(
        request,
        "core/home.html",
        {
            "profile": user,
            "is_member": is_member(user),
            "roles": [RoleCode(code) for code in sorted(roles) if code in RoleCode.values],
            "role_set": roles,
        },
    )


def _day(value: str, *, end: bool = False) -> datetime | None:
    day = query_date(value)
    if day is None:
        return None
    moment = datetime.combine(day, time.min)
    if end:
        moment = moment.replace(hour=23, minute=59, second=59)
    return timezone.make_aware(moment)


def audit_filters(params: Mapping[str, Any]) -> dict[str, str]:
    return {
        "object_type": params.get("object_type", "").strip()[:100],
        "object_id": params.get("object_id", "").strip()[:64],
        "actor": params.get("actor", "").strip()[:150],
        "action": params.get("action", "")
        if params.get("action", "") in AuditAction.values
        else "",
    }


def audit_list_from_query(
    *, user: User, params: Mapping[str, Any]
) -> tuple[QuerySet[AuditEvent], dict[str, str]]:
    """The audit log as its page filters it from its query string (the export of the log reads
    the same filters the same way): the events and the filters without the dates."""
    filters = audit_filters(params)
    since, until = _day(params.get("since", "")), _day(params.get("until", ""), end=True)
    return audit_list(user=user, since=since, until=until, **filters), filters


@login_required
def audit_view(request: HttpRequest) -> HttpResponse:
    if not can_view_audit(request.user):
        raise PermissionDenied
    qs, filters = audit_list_from_query(user=acting_user(request), params=request.GET)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    with transaction.atomic():
        audit_record(
            actor=acting_user(request),
            action=AuditAction.VIEW,
            object_type="core.auditevent",
            changes={"filters": filters},
        )
    template = "core/audit.html#results" if request.htmx else "core/audit.html"  # type: ignore[attr-defined]
    return render(
        request,
        template,
        {
            "page": page,
            "filters": filters,
            "actions": AuditAction.choices,
            "since": request.GET.get("since", ""),
            "until": request.GET.get("until", ""),
            "query": urlencode(
                {
                    **filters,
                    "since": request.GET.get("since", ""),
                    "until": request.GET.get("until", ""),
                }
            )
            + "&",
        },
    )


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _error(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse(
            {"error": {"code": code, "message": message, "fields": {}}}, status=status
        )
    return render(
        request, "errors/error.html", {"status": status, "message": message}, status=status
    )


def error_400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 400, "bad_request", _("The request could not be understood."))


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(
        request, 403, "permission_denied", _("You do not have permission to see this page.")
    )


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(
        request, 404, "not_found", _("This page does not exist, or it is not yours to see.")
    )


def error_500(request: HttpRequest) -> HttpResponse:
    return _error(
        request, 500, "server_error", _("Something went wrong on our side. The error was recorded.")
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _error(
        request,
        403,
        "csrf_failed",
        _("Your session form expired. Go back, reload the page and try again."),
    )
