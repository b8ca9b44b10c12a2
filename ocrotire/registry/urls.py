"""Registry pages."""

from django.urls import path

from ocrotire.registry import partials, views

app_name = "registry"

urlpatterns = [
    path("", views.person_list_view, name="person-list"),
    path("new/", views.person_create_view, name="person-create"),
    path("new/duplicates/", partials.duplicates_panel_view, name="duplicates-panel"),
    path("<id:pk>/", views.person_detail_view, name="person-detail"),
    path("<id:pk>/edit/", views.person_edit_view, name="person-edit"),
    path("<id:pk>/relationships/", views.relationship_add_view, name="relationship-add"),
    path(
        "<id:pk>/relationships/<id:relationship_pk>/remove/",
        views.relationship_remove_view,
        name="relationship-remove",
    ),
    path("<id:pk>/household/", views.household_start_view, name="household-start"),
    path("households/<id:pk>/", views.household_detail_view, name="household-detail"),
    path(
        "households/<id:pk>/members/", views.household_member_add_view, name="household-member-add"
    ),
    path(
        "households/<id:pk>/members/<id:person_pk>/remove/",
        views.household_member_remove_view,
        name="household-member-remove",
    ),
    path("duplicates/", views.review_queue_view, name="review"),
    path("duplicates/run/", views.dedup_run_start_view, name="dedup-run"),
    path("duplicates/run/<id:pk>/", partials.dedup_run_status_view, name="dedup-run-status"),
    path("compare/<id:survivor_pk>/<id:merged_pk>/", views.compare_view, name="compare"),
    path("merges/<id:pk>/undo/", views.merge_undo_view, name="merge-undo"),
]
