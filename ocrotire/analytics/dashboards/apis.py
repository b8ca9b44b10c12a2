"""The dashboard as JSON: every series of an area and period, with the same suppression of small
counts as the page."""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ocrotire.accounts.permissions import acting_user
from ocrotire.analytics.common.permissions import can_view_analytics, sees_records
from ocrotire.analytics.dashboards.forms import DashboardFilterForm
from ocrotire.analytics.dashboards.series import dashboard_cached, present


class CanViewAnalytics(permissions.BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        return can_view_analytics(request.user)


class ColumnSerializer(serializers.Serializer[Any]):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]


class RowSerializer(serializers.Serializer[Any]):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    values = serializers.DictField(
        child=serializers.JSONField(),
        help_text='One count per column key: an integer, "<5" when suppressed, or "×" when hidden '
        "so that a suppressed count cannot be computed from the series' total",
    )


class SeriesSerializer(serializers.Serializer[Any]):
    name = serializers.CharField()
    title = serializers.CharField()
    sensitive = serializers.BooleanField(
        help_text="Counts of children or their records: suppressed below 5 unless `exact`"
    )
    columns = ColumnSerializer(many=True)
    rows = RowSerializer(many=True)


class DashboardSerializer(serializers.Serializer[Any]):
    unit = serializers.CharField(
        allow_null=True, help_text="Code of the unit; null: all of the reader's area"
    )
    since = serializers.DateField()
    until = serializers.DateField()
    exact = serializers.BooleanField(help_text="Whether small counts are shown exactly")
    counted_at = serializers.DateTimeField(
        help_text="When the figures were counted (kept a short while for the area's readers)"
    )
    series = SeriesSerializer(many=True)


class DashboardApi(APIView):
    """Reports by month, concern, source, channel and unit; the children named in them by sex,
    age band, urban or rural, refugee and disability; cases by stage; overdue steps by unit and
    worker; open cases per case manager; referrals by status; places, enrolment and waiting lists
    per service; children in family-based and residential care at each month end; the action
    plan's sub-actions by progress. Counts from 1 to 4 of children or their records are "<5" for
    readers who do not see the records (`exact` is false)."""

    permission_classes = [CanViewAnalytics]

    @extend_schema(
        operation_id="v1_analytics_dashboard",
        parameters=[
            OpenApiParameter("unit", str, description="Code of a unit of the reader's area"),
            OpenApiParameter(
                "since", str, description="First day (ISO date); default: 12 months back"
            ),
            OpenApiParameter("until", str, description="Last day (ISO date); default: today"),
        ],
        responses={200: DashboardSerializer},
    )
    def get(self, request: Request) -> Response:
        user = acting_user(request)
        form = DashboardFilterForm(request.query_params, user=user)
        if not form.is_valid():
            raise ValidationError({k: [str(m) for m in v] for k, v in form.errors.items()})
        filters = form.filters()
        exact = sees_records(user)
        all_series, counted_at = dashboard_cached(user=user, filters=filters)
        return Response(
            {
                "unit": filters.unit.code if filters.unit is not None else None,
                "since": filters.since.isoformat(),
                "until": filters.until.isoformat(),
                "exact": exact,
                "counted_at": counted_at.isoformat(),
                "series": [
                    {
                        "name": series.name,
                        "title": str(series.title),
                        "sensitive": series.sensitive,
                        "columns": [
                            {"key": key, "label": str(label)} for key, label in series.columns
                        ],
                        "rows": present(series, exact=exact),
                    }
                    for series in all_series
                ],
            }
        )


urlpatterns: list[URLPattern] = [
    path("v1/analytics/dashboard/", DashboardApi.as_view(), name="analytics-dashboard"),
]
