"""The analytics part of the v1 API (included by `ocrotire.api.urls`, namespace "api")."""

from django.urls import path

from ocrotire.analytics.dashboards import apis as dashboard_apis
from ocrotire.analytics.exports import apis as export_apis
from ocrotire.analytics.official import apis

urlpatterns = [
    path("v1/analytics/hg270/", apis.Hg270Api.as_view(), name="analytics-hg270"),
    path("v1/analytics/hg270.xlsx", apis.Hg270ExcelApi.as_view(), name="analytics-hg270-xlsx"),
    path("v1/analytics/dhis2/", apis.Dhis2Api.as_view(), name="analytics-dhis2"),
    *dashboard_apis.urlpatterns,
    *export_apis.urlpatterns,
]
