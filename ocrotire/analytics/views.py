"""Pages of analytics: the HG 270 report."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse


def hg270_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse(status=501)
