"""Binds the client address and a request id for the duration of each request."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from ocrotire.core import context


def client_ip(request: HttpRequest) -> str | None:
    # Behind the load balancer in production the first X-Forwarded-For hop is the client;
    # elsewhere the header is ignored because any client can forge it.
    if settings.PRODUCTION:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip() or None
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request.headers.get("X-Request-ID") or uuid.uuid4().hex
        with context.bound(
            context.RequestContext(ip=client_ip(request), request_id=request_id[:64])
        ):
            response = self.get_response(request)
        response["X-Request-ID"] = request_id[:64]
        return response


class RejectNullCharactersMiddleware:
    """PostgreSQL cannot store NUL; a query string or form carrying one is refused up front with a 400
    instead of failing deep in a query."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    @staticmethod
    def _has_nul(request: HttpRequest) -> bool:
        if "\x00" in request.path:
            return True
        sources = [request.GET]
        if request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            sources.append(request.POST)
        return any(
            "\x00" in key or any("\x00" in value for value in values)
            for data in sources
            for key, values in data.lists()
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._has_nul(request):
            from ocrotire.core.views import error_400

            return error_400(request)
        return self.get_response(request)
