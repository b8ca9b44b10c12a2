"""Complaint pages of the staff: mounted under /complaints/ by the site's URL map."""

from django.urls import path

from ocrotire.intake import complaint_views

app_name = "complaints"

urlpatterns = [
    path("", complaint_views.complaint_list_view, name="list"),
    path("<id:pk>/", complaint_views.complaint_detail_view, name="detail"),
    path(
        "<id:pk>/messages/<id:message_pk>/file/",
        complaint_views.complaint_file_view,
        name="file",
    ),
]
