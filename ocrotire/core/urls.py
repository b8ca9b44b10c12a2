"""Home, audit log page, health check."""

from django.urls import path

from ocrotire.accounts import audit_log
from ocrotire.core import views

app_name = "core"

urlpatterns = [
    path("", views.index, name="index"),
    path("home/", views.home, name="home"),
    path("audit/", audit_log.audit_view, name="audit"),
    path("healthz", views.healthz, name="healthz"),
]
