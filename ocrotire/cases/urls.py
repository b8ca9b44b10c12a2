"""Case pages."""

from django.urls import path

from ocrotire.cases import views
from ocrotire.workflow import urls as workflow_urls

app_name = "cases"

urlpatterns = [
    path("", views.case_list_view, name="list"),
    path("board/", views.board_view, name="board"),
    path("my-work/", views.my_work_view, name="my-work"),
    *workflow_urls.urlpatterns,
    path("<id:pk>/", views.case_detail_view, name="detail"),
    path("<id:pk>/file.pdf", views.case_file_pdf_view, name="file-pdf"),
    path("<id:pk>/edit/", views.case_edit_view, name="edit"),
    path("<id:pk>/steps/<slug:step>/", views.case_step_view, name="step"),
    path("<id:pk>/team/<id:user_pk>/remove/", views.team_remove_view, name="team-remove"),
]

# Triage is posted from a report's card: under `reports/`, in the register's namespace
# (`intake:report-triage`), added there by the URL map.
report_urlpatterns = [
    path("<id:pk>/triage/", views.report_triage_view, name="report-triage"),
]
