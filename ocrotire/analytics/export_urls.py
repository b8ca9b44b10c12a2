"""Page routes of exports (under /analytics/exports/, namespace "analytics")."""

from django.urls import path

from ocrotire.analytics import export_views

urlpatterns = [
    path("", export_views.export_list_view, name="export-list"),
    path("new/", export_views.export_new_view, name="export-new"),
    path("<id:pk>/", export_views.export_detail_view, name="export-detail"),
    path("<id:pk>/download/", export_views.export_download_view, name="export-download"),
]
