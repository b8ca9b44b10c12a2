"""The generator's steps of the analytics: the dashboards' day figures of the generated reports
are counted once at the end of the load, not noted row by row by the triggers as it writes."""

from __future__ import annotations

import time

from django.db import connection

from ocrotire.analytics.common import figures
from ocrotire.demo.synthetic.generation import Generation, generator_step


@generator_step("figures_off", order=0)
def _figures_off(generation: Generation) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL ocrotire.figures = 'off'")


@generator_step("figures", order=90, reads=True)
def _figures(generation: Generation) -> None:
    # The rows still buffered are written first, so that the counting sees every report.
    for table in generation.tables.values():
        table.close()
    started = time.perf_counter()
    rows = figures.rebuild()
    generation.extra_counts["analytics day figures"] = (rows, time.perf_counter() - started)
    generation.analyzed += [family.model for family in figures.FAMILIES]
