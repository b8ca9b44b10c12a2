"""Shell pages: the health check and the error pages."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

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
