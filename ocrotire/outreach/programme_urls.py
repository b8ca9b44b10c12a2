"""Benefit programme pages: mounted under /programmes/ by the site's URL map."""

from django.urls import path

from ocrotire.outreach import programme_views

app_name = "programmes"

urlpatterns = [
    path("", programme_views.programme_list_view, name="list"),
    path("<id:pk>/", programme_views.programme_detail_view, name="detail"),
    path(
        "<id:pk>/certificates.csv",
        programme_views.programme_export_view,
        {"fmt": "csv"},
        name="export-csv",
    ),
    path(
        "<id:pk>/certificates.xlsx",
        programme_views.programme_export_view,
        {"fmt": "xlsx"},
        name="export-xlsx",
    ),
    path("certificates/<id:pk>/", programme_views.certificate_detail_view, name="certificate"),
    path(
        "certificates/<id:pk>/decision/",
        programme_views.certificate_decision_view,
        name="certificate-decision",
    ),
    path(
        "certificates/<id:pk>/redemption/",
        programme_views.certificate_redemption_view,
        name="certificate-redemption",
    ),
]
