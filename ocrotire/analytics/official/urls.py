"""Page routes of the official reports (included at /analytics/, namespace "analytics")."""

from django.urls import URLPattern, path

from ocrotire.analytics.official import views

urlpatterns: list[URLPattern] = [
    path("hg270/", views.hg270_view, name="hg270"),
]
