"""The analytics part of the v1 API (included by `ocrotire.site.api_urls`, namespace "api")."""

from django.urls import path

from ocrotire.analytics import apis, dashboard_apis, export_apis

urlpatterns = [
    path("v1/analytics/hg270/", apis.Hg270Api.as_view(), name="analytics-hg270"),
    path("v1/analytics/hg270.xlsx", apis.Hg270ExcelApi.as_view(), name="analytics-hg270-xlsx"),
    path("v1/analytics/dhis2/", apis.Dhis2Api.as_view(), name="analytics-dhis2"),
    *dashboard_apis.urlpatterns,
    *export_apis.urlpatterns,
]
