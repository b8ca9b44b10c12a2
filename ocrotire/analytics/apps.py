"""Analytics: dashboards, the HG 270 monitoring report, exports and the DHIS2 export (F10)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "ocrotire.analytics"
    label = "analytics"
    verbose_name = _("Analytics and exports")

    def ready(self) -> None:
        # Registers the generator's steps of the analytics (the dashboards' day figures).
        from ocrotire.analytics import synthetic  # noqa: F401
