"""Care: placements of children in alternative care (F6)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CareConfig(AppConfig):
    name = "ocrotire.care"
    label = "care"
    verbose_name = _("Alternative care")

    def ready(self) -> None:
        from ocrotire.care import events, panels, selectors
        from ocrotire.providers import gaps

        events.register_events()
        panels.register_case_panels()
        gaps.register_needs_answered("care.placements", selectors.placed_at_services)
