from django.urls import path

from ocrotire.outreach import field_views, package_views, views

app_name = "outreach"

urlpatterns = [
    path("", views.household_list_view, name="households"),
    path("households/<id:pk>/screen/", views.screening_create_view, name="screen"),
    path("screenings/<id:pk>/", views.screening_detail_view, name="screening"),
    path(
        "screenings/<id:pk>/children/<id:child_pk>/follow-up/",
        views.follow_up_view,
        name="follow-up",
    ),
    path("counts/", views.counts_view, name="counts"),
    path("households/<id:pk>/package/", package_views.household_package_view, name="package"),
    path("coverage/", package_views.coverage_view, name="coverage"),
    path("field/", field_views.field_view, name="field"),
    path("field/manifest.webmanifest", field_views.manifest_view, name="field-manifest"),
    path("field/sw.js", field_views.service_worker_view, name="field-worker"),
]
