"""Intake: the single register of reports (sesizări) and their triage."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    name = "ocrotire.intake"
    label = "intake"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from ocrotire.intake import events, public_panel

        events.register_events()
        public_panel.register_public_panel()
