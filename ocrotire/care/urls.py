"""Placement pages, under the case they belong to."""

from django.urls import path

from ocrotire.care import views

app_name = "care"

urlpatterns = [
    path("<id:pk>/placements/new/", views.placement_start_view, name="placement-start"),
    path(
        "<id:pk>/placements/<id:placement_pk>/end/",
        views.placement_end_view,
        name="placement-end",
    ),
]
