"""Home, audit log page, health check."""

from django.urls import path

from ocrotire.core import views

app_name = "core"

urlpatterns = [
    path("", views.index, name="index"),
    path("home/", views.home, name="home"),
    path("audit/", views.audit_view, name="audit"),
    path("healthz", views.healthz, name="healthz"),
]
