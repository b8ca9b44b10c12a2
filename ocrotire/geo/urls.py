"""Territory pages."""

from django.urls import path

from ocrotire.geo import views

app_name = "geo"

urlpatterns = [
    path("", views.tree_view, name="tree"),
    path("<id:pk>/", views.unit_view, name="unit"),
]
