"""Page routes of the dashboards (included at /analytics/, namespace "analytics")."""

from django.urls import URLPattern, path

from ocrotire.analytics.dashboards import views

urlpatterns: list[URLPattern] = [
    path("", views.dashboard_view, name="dashboard"),
    path("drill/", views.drill_view, name="drill"),
]
