"""Territory pages, under the URL namespace "geo" they have always had."""

from django.urls import path

from ocrotire.accounts import territory

app_name = "geo"

urlpatterns = [
    path("", territory.tree_view, name="tree"),
    path("<id:pk>/", territory.unit_view, name="unit"),
]
