"""Synthetic reports, cases, tasks and timelines at any scale, for benchmarks (never production).

`generate` runs a list of generator steps in order, in one transaction: persons and households
(the registry generator) and staff per leaf unit (`people`), then reports and the cases they
open, simulated day by day over the years asked for (`reports`, `cases`, over `simulation`), and
the dashboards' day figures (`analytics`). Later capabilities (providers, referrals,
placements…) add their own records with `@generator_step` in a module of this package named in
`STEP_MODULES` (imported when a generation runs), reading what earlier steps left in
`Generation.shared`.

The output is a pure function of the seed, the scale and `until` (the day the simulated history
ends): every random draw comes from a `random.Random` seeded per step.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date
from importlib import import_module
from typing import IO, Any

from django.apps import apps
from django.db import connection, models, transaction

from ocrotire.core.audit import audit_record
from ocrotire.core.bulk import (
    BulkTable,
    CopyWriter,
    analyze,
    fast_load,
    indexes_defer,
    indexes_restore,
)
from ocrotire.core.models import AuditAction

__all__ = ["STEPS", "Generation", "Scale", "generate", "generator_step"]


@dataclass(frozen=True)
class Scale:
    persons: int
    reports: int
    cases: int
    events: int
    years: int = 10
    seed: int = 1
    country: str = "MD"
    until: date = date(2026, 1, 1)
    batch: int = 5000

    @classmethod
    def default(cls, persons: int, **overrides: Any) -> Scale:
        """Reports ≈ 2 × persons, cases ≈ persons, timeline events ≈ 10 × persons."""
        values: dict[str, Any] = {
            "reports": 2 * persons,
            "cases": persons,
            "events": 10 * persons,
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(persons=persons, **values)


@dataclass
class Generation:
    """What the steps share: the scale, seeded randomness, the tables written and their counts."""

    scale: Scale
    stream: IO[str] | None = None
    progress: bool = True
    shared: dict[str, Any] = field(default_factory=dict)
    tables: dict[str, BulkTable] = field(default_factory=dict)
    extra_counts: dict[str, tuple[int, float]] = field(default_factory=dict)
    analyzed: list[type[models.Model]] = field(default_factory=list)
    writer: CopyWriter | None = None

    def rng(self, name: str) -> random.Random:
        return random.Random(f"{self.scale.seed}:{name}")  # noqa: S311 (reproducible, not secret)

    def table(self, model: type[models.Model], given: tuple[str, ...]) -> BulkTable:
        key = model._meta.db_table
        if key not in self.tables:
            self.tables[key] = BulkTable(model, given, size=self.scale.batch, writer=self.writer)
            self.analyzed.append(model)
        return self.tables[key]


@dataclass(frozen=True)
class GeneratorStep:
    name: str
    order: int
    run: Callable[[Generation], None]
    # It reads the rows the earlier steps wrote: the deferred indexes are built before it runs.
    reads: bool = False


STEPS: list[GeneratorStep] = []
# The modules that register steps besides this one, each as it is imported.
STEP_MODULES = (
    "ocrotire.demo.synthetic.people",
    "ocrotire.demo.synthetic.reports",
    "ocrotire.demo.synthetic.analytics",
)


def generator_step(
    name: str, *, order: int, reads: bool = False
) -> Callable[[Callable[[Generation], None]], Callable[[Generation], None]]:
    """Register a step; steps run by `order`, so a later capability slots in where it belongs.
    A step that `reads` what the others wrote gets the tables' indexes back first."""

    def register(run: Callable[[Generation], None]) -> Callable[[Generation], None]:
        STEPS[:] = [s for s in STEPS if s.name != name]
        STEPS.append(GeneratorStep(name=name, order=order, run=run, reads=reads))
        STEPS.sort(key=lambda s: s.order)
        return run

    return register


def generate(
    scale: Scale, *, stream: IO[str] | None = None, progress: bool = True, fast: bool = True
) -> Generation:
    """Run every step in one transaction; returns the generation with its per-table counts.

    `fast` skips the per-row foreign-key triggers where the database allows it (see
    `core.bulk.fast_load`); tests turn it off to have every reference checked."""
    # Imported here, when a generation runs: each of them imports this module.
    for module in STEP_MODULES:
        import_module(module)
    generation = Generation(scale=scale, stream=stream, progress=progress)
    with transaction.atomic():
        generation.shared["fast_load"] = fast and fast_load()
        # The empty tables of the project are loaded without their secondary indexes, which
        # are built once the rows are in: before the first step that reads what the others
        # wrote, or at the end.
        deferred = indexes_defer(_project_tables())
        # PostgreSQL takes the COPY batches in the background while the steps go on.
        background = CopyWriter() if connection.vendor == "postgresql" else nullcontext(None)
        with background as generation.writer:
            for step in STEPS:
                if deferred and step.reads:
                    _indexes_back(generation, deferred)
                    deferred = []
                step.run(generation)
            for table in generation.tables.values():
                table.close()
        generation.writer = None  # stopped: whatever is written from here on is written at once
        for table in generation.tables.values():
            table.writer = None
        _indexes_back(generation, deferred)
        # One audit row for the whole run: what was generated, with which seed and scale.
        audit_record(
            actor=None,
            actor_username="manage.py generate",
            action=AuditAction.CREATE,
            object_type="core.synthetic",
            object_repr=f"synthetic data, {scale.persons} persons ({scale.country})",
            changes={
                "seed": scale.seed,
                "country": scale.country,
                "until": scale.until.isoformat(),
                "steps": [step.name for step in STEPS],
                "rows": {table.label: table.written for table in generation.tables.values()},
            },
        )
    started = time.perf_counter()
    analyze(generation.analyzed)
    generation.extra_counts["VACUUM (ANALYZE)"] = (0, time.perf_counter() - started)
    return generation


def _project_tables() -> list[str]:
    return [
        model._meta.db_table
        for config in apps.get_app_configs()
        if config.name.startswith("ocrotire.")
        for model in config.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    ]


def _indexes_back(generation: Generation, definitions: list[str]) -> None:
    if not definitions:
        return
    for table in generation.tables.values():
        table.close()
    started = time.perf_counter()
    indexes_restore(definitions)
    generation.extra_counts["indexes built after the load"] = (
        len(definitions),
        time.perf_counter() - started,
    )
