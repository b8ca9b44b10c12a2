"""Pages of exports: the export of a list (a file at once, or a background job for a long list),
the user's own exports, an export's progress (polled by htmx) and its download."""

from __future__ import annotations

import tempfile

from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from ocrotire.accounts.permissions import member_or_403
from ocrotire.analytics.exports.jobs import (
    export_job_create,
    export_job_file,
    export_job_get,
    export_job_list,
    export_record,
    inline_limit,
)
from ocrotire.analytics.exports.lists import (
    CONTENT_TYPES,
    FORMATS,
    KINDS,
    FilterErrors,
    export_write,
    file_name,
    filters_from_query,
)


@login_required
@require_http_methods(["GET", "POST"])
def export_new_view(request: HttpRequest) -> HttpResponseBase:
    """`?kind=<list>&format=csv|xlsx&<the list page's filters>`: a list short enough is the
    download itself; a longer one is confirmed here, then written in the background."""
    user = member_or_403(request)
    kind = KINDS.get(request.GET.get("kind", ""))
    fmt = request.GET.get("format", "")
    if kind is None or fmt not in FORMATS:
        raise BadRequest
    if not kind.allowed(user):
        raise PermissionDenied
    try:
        filters = filters_from_query(kind, request.GET)
    except FilterErrors as exc:
        raise BadRequest from exc
    qs = kind.query(user=user, params=filters)[0]
    total = qs.count()
    if request.method == "POST":
        job = export_job_create(actor=user, kind=kind, fmt=fmt, filters=filters, total=total)
        return redirect("analytics:export-detail", pk=job.pk)
    if total > inline_limit():
        return render(
            request,
            "analytics/export_new.html",
            {"kind": kind, "format": fmt, "total": total, "filters": filters},
        )
    out = tempfile.TemporaryFile()  # noqa: SIM115 - the response closes (and so deletes) it
    rows = export_write(kind=kind, fmt=fmt, qs=qs, out=out)
    out.seek(0)
    export_record(actor=user, kind=kind, fmt=fmt, filters=filters, rows=rows, step="downloaded")
    return FileResponse(
        out, as_attachment=True, filename=file_name(kind, fmt), content_type=CONTENT_TYPES[fmt]
    )


@login_required
def export_list_view(request: HttpRequest) -> HttpResponse:
    user = member_or_403(request)
    page = Paginator(export_job_list(user=user), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "analytics/export_list.html",
        {
            "page": page,
            "rows": [
                (job, KINDS[job.kind].title if job.kind in KINDS else job.kind) for job in page
            ],
            "query": "",
        },
    )


@login_required
def export_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The export's progress; htmx asks again every two seconds until it is finished or failed."""
    job = export_job_get(user=member_or_403(request), pk=pk)
    template = "analytics/export_detail.html"
    if request.htmx:  # type: ignore[attr-defined]
        template += "#progress"
    return render(request, template, {"job": job, "kind": KINDS.get(job.kind)})


@login_required
def export_download_view(request: HttpRequest, pk: int) -> FileResponse:
    """Export files are private: served only here, to the person who asked for them."""
    file, name, content_type = export_job_file(actor=member_or_403(request), pk=pk)
    return FileResponse(file, as_attachment=True, filename=name, content_type=content_type)
