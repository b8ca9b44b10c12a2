"""The public pages' addresses (no account): mounted under /public/ by the site's URL map."""

from django.urls import path

from ocrotire.intake import public_views

app_name = "public"

urlpatterns = [
    path("", public_views.public_home_view, name="home"),
    path("report/", public_views.public_report_create_view, name="report"),
    path("child/", public_views.public_child_view, name="child"),
    path("complaint/", public_views.public_complaint_create_view, name="complaint"),
    path("follow/", public_views.public_follow_view, name="follow"),
    path("follow/add/", public_views.public_message_view, name="message"),
    path("privacy/", public_views.public_privacy_view, name="privacy"),
    path("away/", public_views.public_away_view, name="away"),
]
