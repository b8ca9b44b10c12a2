"""Planning: the strategy's action plan, its indicators, trainings and donor projects (F7)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlanningConfig(AppConfig):
    name = "ocrotire.planning"
    label = "planning"
    verbose_name = _("Strategy and projects")

    def ready(self) -> None:
        from ocrotire.planning import notices

        notices.register_notices()
