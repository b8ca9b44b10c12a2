"""Binds the client address and a request id for the duration of each request."""

from __future__ import annotations

import ipaddress
import re
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from ocrotire.core import context

# What a client may send as its own request id, kept beside the server's: a short plain token.
_CLIENT_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")


def client_ip(request: HttpRequest) -> str | None:
    """The client's address as the outermost of `OCROTIRE_TRUSTED_PROXIES` proxies saw it.

    Each proxy appends the address it was reached from to X-Forwarded-For, so the N-th hop from
    the right is the one the N trusted proxies wrote; everything left of it is what the client
    sent and proves nothing. With no trusted proxy (the default) the header is ignored."""
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = settings.OCROTIRE_TRUSTED_PROXIES
    if proxies <= 0:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    if len(hops) < proxies:
        return remote
    try:
        return str(ipaddress.ip_address(hops[-proxies]))
    except ValueError:
        return remote


def client_request_id(request: HttpRequest) -> str | None:
    sent = request.headers.get("X-Request-ID", "")
    return sent if _CLIENT_REQUEST_ID.fullmatch(sent) else None


class RequestContextMiddleware:
    """The request id is always the server's own; one a client sent is kept beside it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = uuid.uuid4().hex
        with context.bound(
            context.RequestContext(
                ip=client_ip(request),
                request_id=request_id,
                client_request_id=client_request_id(request),
            )
        ):
            response = self.get_response(request)
        response["X-Request-ID"] = request_id
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
