"""Pages of the strategy's plan."""

from django.urls import path

from ocrotire.planning import views

app_name = "planning"

urlpatterns = [
    path("", views.plan_list_view, name="list"),
    path("import/", views.plan_import_view, name="import"),
    path("events/", views.events_view, name="events"),
    path("projects/", views.projects_view, name="projects"),
    path("evidence/<id:pk>/", views.evidence_view, name="evidence"),
    path("<id:pk>/", views.plan_detail_view, name="detail"),
    path("<id:pk>/issues/", views.issues_view, name="issues"),
    path("<id:pk>/report/", views.report_view, name="report"),
    path("<id:pk>/items/<id:item_pk>/", views.item_detail_view, name="item"),
    path("<id:pk>/items/<id:item_pk>/progress/", views.progress_view, name="progress"),
    path("<id:pk>/items/<id:item_pk>/edit/", views.item_edit_view, name="item-edit"),
    path(
        "<id:pk>/items/<id:item_pk>/indicators/<id:indicator_pk>/",
        views.value_view,
        name="value",
    ),
    path(
        "<id:pk>/items/<id:item_pk>/indicators/<id:indicator_pk>/definition/",
        views.indicator_view,
        name="indicator",
    ),
]
