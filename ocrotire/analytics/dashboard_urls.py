"""Page routes of the dashboards (included at /analytics/, namespace "analytics")."""

from django.urls import URLPattern, path

from ocrotire.analytics import dashboard_views

urlpatterns: list[URLPattern] = [
    path("", dashboard_views.dashboard_view, name="dashboard"),
    path("drill/", dashboard_views.drill_view, name="drill"),
]
