"""Analytics: dashboards, the HG 270 monitoring report, exports and the DHIS2 export (F10)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "ocrotire.analytics"
    label = "analytics"
    verbose_name = _("Analytics and exports")
