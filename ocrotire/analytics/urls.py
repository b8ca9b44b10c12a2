"""Pages of analytics: dashboards, the HG 270 report, exports."""

from django.urls import include, path

from ocrotire.analytics.official import views

app_name = "analytics"

urlpatterns = [
    path("hg270/", views.hg270_view, name="hg270"),
    path("", include("ocrotire.analytics.dashboards.urls")),
    path("exports/", include("ocrotire.analytics.exports.urls")),
]
