"""Case management along the intersectoral mechanism; its steps go on the workflow's timeline."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "ocrotire.cases"
    label = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from ocrotire.cases import events, links, report_panels

        links.register_movers()
        events.register_events()
        report_panels.register_report_panels()
