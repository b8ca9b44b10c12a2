"""The forms' pages."""

from django.urls import path

from ocrotire.dataforms import views

app_name = "dataforms"
urlpatterns = [
    path("", views.form_list_view, name="list"),
    path("<id:pk>/", views.form_detail_view, name="detail"),
]
