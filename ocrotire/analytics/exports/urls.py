"""Page routes of exports (under /analytics/exports/, namespace "analytics")."""

from django.urls import path

from ocrotire.analytics.exports import views

urlpatterns = [
    path("", views.export_list_view, name="export-list"),
    path("new/", views.export_new_view, name="export-new"),
    path("<id:pk>/", views.export_detail_view, name="export-detail"),
    path("<id:pk>/download/", views.export_download_view, name="export-download"),
]
