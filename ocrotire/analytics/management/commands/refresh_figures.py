"""Count the dashboards' day figures of the reports changed since the last refresh, or of every
report with --rebuild (after a bulk load; the deadline watcher refreshes every round)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from ocrotire.analytics.common import figures


class Command(BaseCommand):
    help = "Refresh the dashboards' day figures of the reports."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rebuild", action="store_true", help="Count every report afresh.")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        if options["rebuild"] or not figures.is_built():
            rows = figures.rebuild()
            self.stdout.write(
                f"{rows} day figures counted in {time.perf_counter() - started:.1f} s"
            )
        else:
            taken = figures.refresh()
            self.stdout.write(f"{taken} changes counted in {time.perf_counter() - started:.1f} s")
