"""The page of the HG 270 report (and its workbook, `?format=xlsx`)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from ocrotire.accounts.permissions import acting_user
from ocrotire.accounts.selectors import unit_choices
from ocrotire.analytics.common.permissions import can_view_analytics, sees_records
from ocrotire.analytics.official import excel
from ocrotire.analytics.official.forms import FIRST_YEAR, UnitYearForm
from ocrotire.analytics.official.hg270 import LINES, hg270_document


@login_required
def hg270_view(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    if not can_view_analytics(user):
        raise PermissionDenied
    # Unbound fields take the reader's area and the last year reported.
    form = UnitYearForm(request.GET, user=user)
    data = form.cleaned_data if form.is_valid() else None
    document = None
    if data is not None:
        document = hg270_document(unit=data["unit"], year=data["year"], exact=sees_records(user))
        if request.GET.get("format") == "xlsx":
            response = HttpResponse(excel.hg270_workbook(document), content_type=excel.XLSX)
            response["Content-Disposition"] = (
                f'attachment; filename="hg270-{document["unit"]}-{document["year"]}.xlsx"'
            )
            return response
    this_year = timezone.localdate().year
    return render(
        request,
        "analytics/hg270.html",
        {
            "form": form,
            "document": document,
            "lines": [(line, document["rows"][line.key]) for line in LINES] if document else [],
            "units": unit_choices(user=user).only("pk", "code", "name", "path"),
            "years": list(range(this_year, FIRST_YEAR - 1, -1)),
        },
    )
