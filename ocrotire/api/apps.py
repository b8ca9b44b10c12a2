"""Shared REST plumbing: authentication, errors, pagination, idempotency, schema."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "ocrotire.api"
    label = "api"
    verbose_name = _("API")

    def ready(self) -> None:
        from ocrotire.api import schema  # noqa: F401  (registers the auth extensions)
