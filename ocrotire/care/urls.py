"""Placement pages, under the cases: the list of children in care, and the steps of a case."""

from django.urls import path

from ocrotire.care import views

app_name = "care"

urlpatterns = [
    path("placements/", views.placement_list_view, name="placements"),
    path("<id:pk>/placements/new/", views.placement_start_view, name="placement-start"),
    path(
        "<id:pk>/placements/<id:placement_pk>/end/",
        views.placement_end_view,
        name="placement-end",
    ),
    path(
        "<id:pk>/placements/<id:placement_pk>/decision/",
        views.placement_decision_view,
        name="placement-decision",
    ),
    path(
        "<id:pk>/placements/<id:placement_pk>/review/",
        views.placement_review_view,
        name="placement-review",
    ),
]

# Residential institutions and their reorganisation or closure, beside the provider register: under
# `providers/`, in its namespace (`providers:institutions`), added there by the URL map.
institution_urlpatterns = [
    path("institutions/", views.institutions_view, name="institutions"),
    path("institutions/<id:pk>/change/", views.institution_change_view, name="institution-change"),
]
