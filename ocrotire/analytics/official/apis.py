"""The HG 270 report (JSON and Excel) and the DHIS2 export."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.urls import URLPattern, path
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ocrotire.accounts.drf import IsMember
from ocrotire.accounts.permissions import acting_user
from ocrotire.analytics.common.permissions import can_export_dhis2, can_view_analytics, sees_records
from ocrotire.analytics.official import excel
from ocrotire.analytics.official.dhis2 import Dhis2Error, data_value_set, period_parse
from ocrotire.analytics.official.forms import UnitYearForm
from ocrotire.analytics.official.hg270 import hg270_document

UNIT_YEAR = [
    OpenApiParameter("unit", str, description="Code of a unit (default: the reader's area)"),
    OpenApiParameter("year", int, description="Year (default: the last one reported)"),
]


def _unit_year(request: Request) -> tuple[Any, Any]:
    user = acting_user(request)
    if not can_view_analytics(user):
        raise PermissionDenied
    form = UnitYearForm(request.query_params, user=user)
    if not form.is_valid():
        raise ValidationError({k: [str(m) for m in v] for k, v in form.errors.items()})
    return user, form.cleaned_data


class Hg270Api(APIView):
    """The HG 270 annual monitoring report of an area: rows keyed by the official form's row
    numbers. Readers without access to the records read counts from 1 to 4 as "<5", and rows
    that would give one of them away by subtraction (its total minus the other rows) as "×"."""

    permission_classes = [IsMember]

    @extend_schema(operation_id="analytics_hg270", parameters=UNIT_YEAR, responses={200: dict})
    def get(self, request: Request) -> Response:
        user, data = _unit_year(request)
        return Response(
            hg270_document(unit=data["unit"], year=data["year"], exact=sees_records(user))
        )


class Hg270ExcelApi(APIView):
    """The HG 270 report as an Excel workbook (the same rows and suppression)."""

    permission_classes = [IsMember]

    @extend_schema(
        operation_id="analytics_hg270_xlsx",
        parameters=UNIT_YEAR,
        responses={(200, excel.XLSX): bytes},
    )
    def get(self, request: Request) -> HttpResponse:
        user, data = _unit_year(request)
        document = hg270_document(unit=data["unit"], year=data["year"], exact=sees_records(user))
        response = HttpResponse(excel.hg270_workbook(document), content_type=excel.XLSX)
        response["Content-Disposition"] = (
            f'attachment; filename="hg270-{document["unit"]}-{document["year"]}.xlsx"'
        )
        return response


class Dhis2Api(APIView):
    """Aggregate indicators of an area and period as a DHIS2 `dataValueSets` document, for the
    units and indicators an administrator has mapped to DHIS2 identifiers. Small counts a reader
    may not see are left out (their number is in the `X-Suppressed-Values` header)."""

    permission_classes = [IsMember]

    @extend_schema(
        operation_id="analytics_dhis2",
        parameters=[
            OpenApiParameter(
                "unit", str, description="Code of a unit (default: the reader's area)"
            ),
            OpenApiParameter(
                "period",
                str,
                description="DHIS2 period: 2026, 2026Q1 or 202603 (default: last year)",
            ),
        ],
        responses={200: dict},
    )
    def get(self, request: Request) -> Response:
        user = acting_user(request)
        if not can_export_dhis2(user):
            raise PermissionDenied
        form = UnitYearForm({"unit": request.query_params.get("unit", "")}, user=user)
        if not form.is_valid():
            raise ValidationError({k: [str(m) for m in v] for k, v in form.errors.items()})
        code = request.query_params.get("period") or str(timezone.localdate().year - 1)
        try:
            period = period_parse(code[:20])
            document, left_out = data_value_set(
                unit=form.cleaned_data["unit"], period=period, exact=sees_records(user)
            )
        except Dhis2Error as exc:
            raise ValidationError({exc.field: [exc.message]}) from exc
        return Response(document, headers={"X-Suppressed-Values": str(left_out)})


urlpatterns: list[URLPattern] = [
    path("v1/analytics/hg270/", Hg270Api.as_view(), name="analytics-hg270"),
    path("v1/analytics/hg270.xlsx", Hg270ExcelApi.as_view(), name="analytics-hg270-xlsx"),
    path("v1/analytics/dhis2/", Dhis2Api.as_view(), name="analytics-dhis2"),
]
