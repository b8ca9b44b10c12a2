"""Fill a database with synthetic persons, reports, cases, tasks and timelines for benchmarks.

The generator steps live in `ocrotire.demo.synthetic`; this command parses the scale, refuses a
production configuration, and prints the rows written per table with their rate."""

from __future__ import annotations

import time
from datetime import date
from typing import IO, Any, cast

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from ocrotire.cases.services import workflow_pin
from ocrotire.demo.synthetic.generation import Scale, generate
from ocrotire.demo.synthetic.persons import COUNTRIES


class Command(BaseCommand):
    help = (
        "Generate deterministic synthetic data (persons, households, reports, cases, tasks, "
        "timeline events) at any scale, for benchmarks; never on production."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--persons", type=int, required=True, help="person records")
        parser.add_argument("--reports", type=int, help="reports (default: 2 × persons)")
        parser.add_argument("--cases", type=int, help="cases (default: persons)")
        parser.add_argument("--events", type=int, help="timeline events (default: 10 × persons)")
        parser.add_argument("--years", type=int, default=10, help="years of reports")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--country", default="MD", choices=[*COUNTRIES, *map(str.lower, COUNTRIES)]
        )
        parser.add_argument(
            "--until",
            type=date.fromisoformat,
            help="the day the simulated history ends (default: today); fixes the output",
        )
        parser.add_argument("--batch", type=int, default=5000, help="rows per write")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError(
                _("Refusing to generate synthetic data on a production configuration.")
            )
        persons: int = options["persons"]
        if persons < 1 or options["years"] < 1 or options["batch"] < 1:
            raise CommandError(_("--persons, --years and --batch must be positive."))
        scale = Scale.default(
            persons,
            reports=options["reports"],
            cases=options["cases"],
            events=options["events"],
            years=options["years"],
            seed=options["seed"],
            country=options["country"].upper(),
            until=options["until"] or timezone.localdate(),
            batch=options["batch"],
        )
        started = time.perf_counter()
        try:
            generation = generate(
                scale, stream=cast("IO[str]", self.stderr._out), progress=options["verbosity"] > 0
            )
        except ValueError as exc:
            raise CommandError(
                _("Load the country pack first (manage.py load_packs %(country)s).")
                % {"country": scale.country}
            ) from exc
        # The generated cases were opened under the country's workflow as loaded now.
        workflow_pin(country=scale.country)
        seconds = time.perf_counter() - started
        total = 0
        lines = []
        for name, (rows, spent) in generation.extra_counts.items():
            lines.append((name, rows, spent))
        for table in generation.tables.values():
            lines.append((table.label, table.written, table.seconds))
            total += table.written
        self.stdout.write(_("Rows written per table (time spent writing them, and rate):"))
        for name, rows, spent in lines:
            rate = f"{rows / spent:>12,.0f}/s" if spent and rows else " " * 14
            self.stdout.write(f"  {name:<32} {rows:>12,}  {spent:8.1f} s {rate}")
        self.stdout.write(
            _("%(rows)s rows besides persons in %(seconds).1f s (%(rate)s rows/s overall).")
            % {
                "rows": f"{total:,}",
                "seconds": seconds,
                "rate": f"{total / seconds:,.0f}",
            }
        )
