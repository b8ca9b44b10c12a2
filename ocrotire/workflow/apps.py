"""Deadline rules and the tasks they generate, the timeline of reports and cases, notifications
and the overdue scan: the workflow every subject (a report, a case) goes through."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    name = "ocrotire.workflow"
    label = "workflow"
    verbose_name = _("Deadlines")

    def ready(self) -> None:
        from ocrotire.workflow import events, notices

        events.register_events()
        notices.register_notices()
