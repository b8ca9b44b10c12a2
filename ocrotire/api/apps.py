"""Shared REST plumbing: errors, pagination, parsers, idempotency, schema."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "ocrotire.api"
    label = "api"
    verbose_name = _("API")
