"""Run the overdue scan now, or every OCROTIRE_DEADLINE_SCAN_SECONDS with --loop (the demo and each
worker machine run one; concurrent watchers never escalate a task twice). Each round also chains
audit rows a writer left unchained (it stopped between its commit and the chaining), writes the
audit chain's checkpoint when one is due, and sends the
action plan's year-end reminders to the institutions responsible for sub-actions not yet done,
and counts again the dashboards' day figures of the reports changed since the last round."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from ocrotire.analytics import figures
from ocrotire.analytics.export_jobs import export_jobs_expire
from ocrotire.cases.tasks import overdue_scan
from ocrotire.core.audit import chain_pending
from ocrotire.core.audit_anchor import checkpoint_if_due
from ocrotire.planning.reminders import plan_reminders


class Command(BaseCommand):
    help = "Escalate the tasks that passed their due time."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", action="store_true", help="Keep scanning at an interval.")

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            count = overdue_scan()
            chain_pending()
            checkpoint_if_due()
            reminded = plan_reminders()
            export_jobs_expire()
            figures.refresh()
            if count:
                self.stdout.write(f"{count} overdue task(s) escalated")
            if reminded:
                self.stdout.write(f"{reminded} action-plan reminder(s) sent")
            if not options["loop"]:
                return
            time.sleep(settings.OCROTIRE_DEADLINE_SCAN_SECONDS)
