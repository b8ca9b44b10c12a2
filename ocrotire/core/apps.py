"""Cross-cutting platform pieces: the audit log, request context, health check, shell pages."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "ocrotire.core"
    label = "core"
    verbose_name = _("Platform")
