"""Shell pages: the home page per role, health check and error pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from ocrotire.accounts.models import RoleCode
from ocrotire.accounts.permissions import acting_user, is_member, role_codes
from ocrotire.accounts.selectors import user_profile
from ocrotire.core.jobs import health_report


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
