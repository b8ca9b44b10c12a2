"""Pages of analytics: the official reports, the dashboards, exports."""

from django.urls import include, path

app_name = "analytics"

urlpatterns = [
    path("", include("ocrotire.analytics.official.urls")),
    path("", include("ocrotire.analytics.dashboards.urls")),
    path("exports/", include("ocrotire.analytics.exports.urls")),
]
