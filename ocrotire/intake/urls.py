"""Register pages. The URL map adds the triage of a report (cases.urls.report_urlpatterns) to
this namespace."""

from django.urls import path

from ocrotire.intake import hotline_views, partials, views

app_name = "intake"

urlpatterns = [
    path("", views.report_list_view, name="report-list"),
    path("new/", views.report_create_view, name="report-create"),
    path("hotline/", hotline_views.report_hotline_view, name="report-hotline"),
    path("hotline/filed/", hotline_views.report_hotline_filed_view, name="report-hotline-filed"),
    path("new/children/matches/", partials.child_matches_view, name="child-matches"),
    path("new/children/search/", partials.child_search_view, name="child-search"),
    path("mine/", views.report_mine_view, name="report-mine"),
    path("<id:pk>/", views.report_detail_view, name="report-detail"),
    path("<id:pk>/form-received/", views.report_form_received_view, name="report-form-received"),
    path("<id:pk>/attachments/", views.attachment_add_view, name="attachment-add"),
    path("<id:pk>/public-reply/", views.public_reply_view, name="report-public-reply"),
    path(
        "<id:pk>/public-messages/<id:message_pk>/file/",
        views.public_file_view,
        name="report-public-file",
    ),
    path(
        "<id:pk>/attachments/<id:attachment_pk>/",
        views.attachment_download_view,
        name="attachment-download",
    ),
]
