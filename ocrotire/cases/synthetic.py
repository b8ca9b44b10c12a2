"""Synthetic reports, cases, tasks and timelines at any scale, for benchmarks (never production).

`generate` runs a list of generator steps in order, in one transaction: persons and households
(the registry generator), staff per leaf unit, then reports and the cases they open, simulated
day by day over the years asked for. Later capabilities (providers, referrals, placements…) add
their own records with `@generator_step` in their app's `synthetic` module (found when a generation
runs), reading what earlier steps left in `Generation.shared`.

Reports and cases are simulated as the services would have written them: registration numbers
per authority and year in order of receipt (and the counters left where `next_number` continues
them), one open case per child at most, tasks from the country's deadline rules met in time or
late, and the timeline events the services fire with the same `data`. Rows are written in bulk
(COPY on PostgreSQL) with keys taken in blocks, so nothing calls the services one row at a time.

The output is a pure function of the seed, the scale and `until` (the day the simulated history
ends): every random draw comes from a `random.Random` seeded per step.
"""

from __future__ import annotations

import math
import random
import time
from bisect import bisect_right
from collections import deque
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from functools import lru_cache
from typing import IO, Any

from django.apps import apps
from django.core.management import call_command
from django.db import connection, models, transaction
from django.utils.module_loading import autodiscover_modules

from ocrotire.accounts.models import Role, RoleCode, User
from ocrotire.accounts.services import roles_ensure
from ocrotire.cases.models import (
    Assessment,
    Case,
    ClosureReason,
    Plan,
    ProtectiveAction,
    Review,
    Stage,
    Visit,
)
from ocrotire.core.audit import audit_record
from ocrotire.core.bulk import (
    BulkTable,
    CopyWriter,
    Progress,
    analyze,
    fast_load,
    indexes_defer,
    indexes_restore,
    reserve,
)
from ocrotire.core.crypto import encrypt
from ocrotire.core.models import AuditAction
from ocrotire.core.workdays import Calendar, calendar_of, due_at
from ocrotire.geo.models import Unit
from ocrotire.intake.models import (
    ConcernCategory,
    RegistrationCounter,
    Report,
    ReportChild,
    ReportStatus,
)
from ocrotire.registry.models import (
    Household,
    HouseholdMember,
    NameKey,
    Person,
    PersonIdentifier,
)
from ocrotire.registry.synthetic import leaf_units
from ocrotire.workflow.deadlines import rule_applies
from ocrotire.workflow.models import DeadlineRule, OffsetUnit, Task, TaskStatus, TimelineEvent

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
    # Every app's `synthetic` module registers its steps as it is imported: imported here, when
    # a generation runs, not by every web worker at start-up.
    autodiscover_modules("synthetic")
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


class _Ids:
    """Primary keys taken in blocks, so that rows can refer to rows not yet written."""

    def __init__(self, model: type[models.Model], block: int) -> None:
        self.model = model
        self.block = block
        self.next = 0
        self.end = 0

    def take(self) -> int:
        if self.next >= self.end:
            from django.db import connection

            if connection.vendor == "postgresql" or self.end == 0:
                self.next = reserve(self.model, self.block)
            self.end = self.next + self.block
        value = self.next
        self.next += 1
        return value


# -- persons and staff -------------------------------------------------------------------------


@generator_step("persons", order=10)
def _persons(generation: Generation) -> None:
    scale = generation.scale
    before = Person.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    started = time.perf_counter()
    call_command(
        "generate_persons",
        count=scale.persons,
        seed=scale.seed,
        country=scale.country,
        households=True,
        batch=scale.batch,
        verbosity=1 if generation.progress else 0,
        stdout=generation.stream,
        stderr=generation.stream,
    )
    generation.extra_counts["registry_person"] = (scale.persons, time.perf_counter() - started)
    # Written by generate_persons, vacuumed and analysed with the rest at the end.
    generation.analyzed += [Person, NameKey, PersonIdentifier, Household, HouseholdMember]
    # The children who can be the subject of a report during the years simulated.
    start = scale.until - timedelta(days=round(365.25 * (scale.years + 18)))
    rows = sorted(
        Person.objects.filter(pk__gt=before, birth_date__gte=start)
        .values_list("birth_date", "pk", "unit_id")
        .iterator(chunk_size=20000)
    )
    generation.shared["children"] = (
        [born.toordinal() for born, _pk, _unit in rows if born is not None],
        [pk for born, pk, _unit in rows if born is not None],
        [unit for born, _pk, unit in rows if born is not None],
    )


@generator_step("staff", order=20)
def _staff(generation: Generation) -> None:
    """Specialists and a supervisor per leaf unit, created once (a rerun reuses them)."""
    scale = generation.scale
    units = leaf_units(scale.country)
    if not units:
        raise ValueError(scale.country)
    roles_ensure()
    per_unit = max(2, min(40, math.ceil(scale.cases / len(units) / 150)))
    wanted: list[tuple[str, str, int]] = []
    for code, unit_id in units.items():
        for n in range(per_unit):
            wanted.append((f"gen-{code.lower()}-s{n + 1}", RoleCode.SPECIALIST, unit_id))
        wanted.append((f"gen-{code.lower()}-head", RoleCode.SUPERVISOR, unit_id))
    existing = set(
        User.objects.filter(username__in=[w[0] for w in wanted]).values_list("username", flat=True)
    )
    new = [w for w in wanted if w[0] not in existing]
    if new:
        users = User.objects.bulk_create(
            [
                User(
                    username=name,
                    password="!",  # noqa: S106 (an unusable password: these accounts never sign in)
                    first_name=name.split("-")[-1].upper(),
                    last_name=name.split("-")[1].upper(),
                    language="ro",
                )
                for name, _role, _unit in new
            ]
        )
        if not all(u.pk for u in users):
            users = list(User.objects.filter(username__in=[w[0] for w in new]).order_by("pk"))
        by_name = {u.username: u.pk for u in users}
        roles = dict(Role.objects.values_list("code", "pk"))
        User.roles.through.objects.bulk_create(
            [User.roles.through(user_id=by_name[n], role_id=roles[r]) for n, r, _u in new]
        )
        User.units.through.objects.bulk_create(
            [User.units.through(user_id=by_name[n], unit_id=u) for n, _r, u in new]
        )
    ids = dict(
        User.objects.filter(username__in=[w[0] for w in wanted]).values_list("username", "pk")
    )
    specialists: dict[int, list[int]] = {}
    supervisors: dict[int, int] = {}
    for name, role, unit_id in wanted:
        if role == RoleCode.SPECIALIST:
            specialists.setdefault(unit_id, []).append(ids[name])
        else:
            supervisors[unit_id] = ids[name]
    generation.shared["specialists"] = specialists
    generation.shared["supervisors"] = supervisors
    generation.extra_counts["accounts_user"] = (len(new), 0.0)


# -- reports and cases ---------------------------------------------------------------------------

# Reports per month (school months more, summer and winter holidays fewer) and per weekday.
_MONTH = (0.85, 1.05, 1.1, 1.05, 1.1, 0.85, 0.7, 0.75, 1.15, 1.15, 1.1, 0.95)
_WEEKDAY = (1.15, 1.1, 1.05, 1.0, 0.95, 0.45, 0.35)
_HOLIDAY = 0.4
_GROWTH = 0.05  # more reports each year as the register is adopted
_CHANNELS = (
    ("notification_form", 30),
    ("phone", 20),
    ("hotline", 15),
    ("walk_in", 10),
    ("written", 8),
    ("online", 7),
    ("self_referral", 10),
)
_OFFICE = frozenset({"notification_form", "walk_in", "written", "self_referral"})
# Who reports through each channel.
_REPORTERS: dict[str, tuple[tuple[str, int], ...]] = {
    "notification_form": (("professional", 100),),
    "phone": (("professional", 55), ("citizen", 35), ("anonymous", 10)),
    "hotline": (("citizen", 45), ("anonymous", 35), ("child", 20)),
    "walk_in": (("citizen", 70), ("child", 10), ("professional", 20)),
    "written": (("professional", 50), ("citizen", 45), ("anonymous", 5)),
    "online": (("citizen", 55), ("anonymous", 40), ("child", 5)),
    "self_referral": (("professional", 100),),
}
_SECTORS = (("education", 40), ("public_order", 25), ("health", 20), ("social", 10), ("other", 5))
_SCHOOL_MONTHS = frozenset({1, 2, 3, 4, 5, 9, 10, 11, 12})
_CONCERN_WEIGHT = {
    "neglect": 30,
    "psychological": 14,
    "physical": 14,
    "no_supervision": 10,
    "parents_abroad": 6,
    "sexual": 4,
    "economic": 3,
    "labour_exploitation": 3,
    "begging": 3,
    "vagrancy": 2,
    "abandoned": 2,
    "other_risk": 6,
}
_DANGER = 0.08
_RISK = (("high", 20), ("medium", 45), ("low", 35))
_VISIT_KINDS = (("home", 55), ("school", 20), ("office", 15), ("phone", 10))
_REDIRECT_SHARE = 0.3
_REOPEN_SHARE = 0.04
_UNTRIAGED_DAYS = 3
_TEXTS = 48


def _choices(pairs: tuple[tuple[str, int], ...]) -> tuple[list[str], list[int]]:
    values = [p[0] for p in pairs]
    cum: list[int] = []
    total = 0
    for _value, weight in pairs:
        total += weight
        cum.append(total)
    return values, cum


class _Clock:
    """Local times of the country and the deadline arithmetic, cached per day."""

    def __init__(self, calendar: Calendar) -> None:
        self.calendar = calendar
        self.zone = calendar.zone

    @lru_cache(maxsize=100_000)  # noqa: B019 (one instance per run)
    def working(self, day: date) -> bool:
        return self.calendar.is_working_day(day)

    @lru_cache(maxsize=200_000)  # noqa: B019
    def working_due(self, day: date, offset: int) -> datetime:
        anchor = datetime.combine(day, clock(12), tzinfo=self.zone)
        return due_at(anchor, offset=offset, unit=OffsetUnit.WORKING_DAYS, calendar=self.calendar)

    def due(self, at: datetime, offset: int, unit: str) -> datetime:
        if unit == OffsetUnit.WORKING_DAYS:
            return self.working_due(at.astimezone(self.zone).date(), offset)
        return due_at(at, offset=offset, unit=unit, calendar=self.calendar)

    def at(self, day: date, hour: float) -> datetime:
        minutes = int(hour * 60)
        local = datetime.combine(day, clock(minutes // 60 % 24, minutes % 60), tzinfo=self.zone)
        return local.astimezone(UTC)

    def office(self, moment: datetime, rng: random.Random) -> datetime:
        """The same or the next working day, in office hours."""
        day = moment.astimezone(self.zone).date()
        local_hour = moment.astimezone(self.zone).hour
        if local_hour >= 17:
            day += timedelta(days=1)
        while not self.working(day):
            day += timedelta(days=1)
        candidate = self.at(day, rng.uniform(8.5, 17))
        return max(candidate, moment + timedelta(minutes=10))


@dataclass
class _Rule:
    id: int
    code: str
    anchor: str
    completed_by: str
    offset: int
    unit: str
    assignee: str
    rule: DeadlineRule


@dataclass
class _Task:
    id: int
    rule: _Rule
    anchor_at: datetime
    due_at: datetime
    assignee: int | None
    status: str = TaskStatus.OPEN
    done_at: datetime | None = None
    done_by: int | None = None
    notified_at: datetime | None = None


class _Subject:
    """A report or a case being simulated: its open tasks and the deadline engine over them."""

    def __init__(self, sim: _Simulation, *, case: int | None, report: int | None, unit: int):
        self.sim = sim
        self.case = case
        self.report = report
        self.unit = unit
        self.tasks: list[_Task] = []
        self.manager: int | None = None

    def fire(
        self,
        kind: str,
        at: datetime,
        actor: int | None,
        data: dict[str, Any],
        context: dict[str, Any] | None = None,
        meets: tuple[str, ...] = (),
    ) -> None:
        sim = self.sim
        met = []
        wanted = (kind, *meets)
        for task in self.tasks:
            if task.status == TaskStatus.OPEN and task.rule.completed_by in wanted:
                task.status = TaskStatus.DONE
                task.done_at = at
                task.done_by = actor
                met.append(
                    {
                        "task": task.id,
                        "kind": task.rule.code,
                        "due_at": task.due_at.isoformat(),
                        "met": at <= task.due_at,
                    }
                )
        if met:
            data = {**data, "tasks_met": met}
        sim.events.add(self.case, self.report, at, actor, kind, data, None)
        sim.event_count += 1
        for rule in sim.rules.get(kind, ()):
            if rule_applies(rule.rule, context or {}):
                self.tasks.append(
                    _Task(
                        id=sim.task_ids.take(),
                        rule=rule,
                        anchor_at=at,
                        due_at=sim.clock.due(at, rule.offset, rule.unit),
                        assignee=self.manager if rule.assignee == "manager" else None,
                    )
                )

    def finish(self, *, cancel: bool) -> None:
        """Write the tasks: open ones are cancelled (closed case, report sent away) or stay open,
        and those past due have been escalated once, as the overdue scan does."""
        sim = self.sim
        for task in self.tasks:
            if task.status == TaskStatus.OPEN:
                if cancel:
                    task.status = TaskStatus.CANCELLED
                elif task.due_at < sim.cutoff:
                    notified = min(task.due_at + timedelta(minutes=15), sim.cutoff)
                    task.notified_at = notified
                    sim.events.add(
                        self.case,
                        self.report,
                        notified,
                        None,
                        "task_overdue",
                        {
                            "task": task.rule.code,
                            "task_id": task.id,
                            "due_at": task.due_at.isoformat(),
                        },
                        task.id,
                    )
                    sim.event_count += 1
            sim.task_rows.add(
                task.id,
                self.case,
                self.report,
                task.rule.id,
                task.rule.code,
                self.unit,
                task.assignee,
                task.anchor_at,
                task.due_at,
                task.status,
                task.done_at,
                task.done_by,
                task.notified_at,
            )
        self.tasks = []


class _Stop(Exception):
    """The simulated history ends before the next step of a case."""


class _Simulation:
    def __init__(self, generation: Generation) -> None:
        g = generation
        self.g = g
        self.scale = s = g.scale
        self.rng = g.rng("reports")
        self.clock = _Clock(calendar_of(s.country))
        self.cutoff = self.clock.at(s.until, 0)
        self.start = s.until - timedelta(days=round(365.25 * s.years))
        self.units = leaf_units(s.country)
        self.unit_ids = list(self.units.values())
        self.prefix = self._prefixes()
        self.specialists: dict[int, list[int]] = g.shared["specialists"]
        self.supervisors: dict[int, int] = g.shared["supervisors"]
        self.births, self.children, self.child_units = g.shared["children"]
        concerns = list(
            ConcernCategory.objects.filter(country=s.country, active=True).values_list(
                "code", "pk", "violence_form"
            )
        )
        if not concerns or not DeadlineRule.objects.filter(country=s.country).exists():
            raise ValueError(s.country)
        self.concern_ids = {code: pk for code, pk, _v in concerns}
        self.violence = [code for code, _pk, v in concerns if v]
        self.concern_codes = [code for code, _pk, _v in concerns]
        self.concern_cum = list(
            _accumulate([_CONCERN_WEIGHT.get(c, 1) for c in self.concern_codes])
        )
        self.rules: dict[str, list[_Rule]] = {}
        for rule in DeadlineRule.objects.filter(country=s.country, active=True).order_by("code"):
            self.rules.setdefault(rule.anchor, []).append(
                _Rule(
                    rule.pk,
                    rule.code,
                    rule.anchor,
                    rule.completed_by,
                    rule.offset,
                    rule.offset_unit,
                    rule.assignee,
                    rule,
                )
            )
        self.counters: dict[tuple[str, int, str], int] = {
            (c.prefix, c.year, c.kind): c.last for c in RegistrationCounter.objects.all()
        }
        # A small pool of encrypted texts: Fernet per row would cost more than the rest.
        self.narratives = [encrypt(f"Synthetic report narrative {n}.") for n in range(_TEXTS)]
        self.findings = [encrypt(f"Synthetic assessment findings {n}.") for n in range(_TEXTS)]
        self.observations = [encrypt(f"Synthetic visit observations {n}.") for n in range(_TEXTS)]
        self.summaries = [encrypt(f"Synthetic review summary {n}.") for n in range(_TEXTS)]
        self.names = [encrypt(f"Reporter {n}") for n in range(_TEXTS)]
        self.contacts = [encrypt(f"+373 69 {n:06d}") for n in range(_TEXTS)]
        block = max(1000, min(100_000, s.reports // 4))
        self.report_ids = _Ids(Report, block)
        self.case_ids = _Ids(Case, block)
        self.task_ids = _Ids(Task, block * 4)
        self.assessment_ids = _Ids(Assessment, block)
        self.action_ids = _Ids(ProtectiveAction, max(1000, block // 10))
        self.reports = g.table(
            Report,
            (
                "id",
                "number",
                "registering_institution",
                "received_at",
                "channel",
                "reporter_kind",
                "reporter_sector",
                "reporter_anonymous",
                "reporter_name",
                "reporter_contact",
                "unit",
                "narrative",
                "information_source",
                "most_serious",
                "immediate_danger",
                "phone_notice_at",
                "form_received_at",
                "status",
                "triage_decision",
                "triage_reason",
                "triaged_at",
                "triaged_by",
                "redirected_to_text",
                "created_by",
                "version",
                "created_at",
                "updated_at",
            ),
        )
        self.report_concerns = g.table(Report.concerns.through, ("report", "concerncategory"))
        self.report_children = g.table(ReportChild, ("report", "person"))
        self.report_cases = g.table(Report.cases.through, ("report", "case"))
        self.case_rows = g.table(
            Case,
            (
                "id",
                "number",
                "child",
                "unit",
                "lead_institution",
                "stage",
                "stage_before",
                "risk_level",
                "immediate_danger",
                "manager",
                "opened_at",
                "opened_by",
                "closure_reason",
                "closed_at",
                "closure_approved_by",
                "times_reopened",
                "version",
                "updated_at",
            ),
        )
        self.task_rows = g.table(
            Task,
            (
                "id",
                "case",
                "report",
                "rule",
                "kind",
                "unit",
                "assignee",
                "anchor_at",
                "due_at",
                "status",
                "done_at",
                "done_by",
                "overdue_notified_at",
            ),
        )
        self.events = g.table(
            TimelineEvent, ("case", "report", "at", "actor", "kind", "data", "task")
        )
        self.assessments = g.table(
            Assessment,
            (
                "id",
                "case",
                "kind",
                "completed_at",
                "protection_interview_done",
                "risk_level",
                "confirmed",
                "findings",
                "author",
                "created_at",
            ),
        )
        self.plans = g.table(
            Plan,
            (
                "case",
                "number",
                "goals",
                "next_review_due",
                "status",
                "submitted_by",
                "submitted_at",
                "decided_by",
                "decided_at",
                "decision_note",
            ),
        )
        self.visits = g.table(
            Visit, ("case", "visited_at", "kind", "observations", "risk_level", "author")
        )
        self.reviews = g.table(
            Review, ("case", "reviewed_at", "outcome", "summary", "risk_level", "author")
        )
        self.actions = g.table(
            ProtectiveAction,
            (
                "id",
                "case",
                "kind",
                "decided_at",
                "prosecutor_notified_at",
                "court_filed_at",
                "author",
            ),
        )
        self.event_count = 0
        self.case_count = 0
        # child → (case id, opened, closed or None while open at the end, closed periods between)
        self.open_case: dict[
            int, tuple[int, datetime, datetime | None, list[tuple[datetime, datetime]]]
        ] = {}
        self.reports_left = 0
        # Texts are picked by position, not by key: keys depend on what the database held before.
        self.report_count = 0
        self.recent: deque[int] = deque(maxlen=5000)

    def _prefixes(self) -> dict[int, tuple[str, int | None]]:
        from ocrotire.intake.services import registering_authority

        prefixes = {}
        for unit in Unit.objects.filter(pk__in=self.unit_ids):
            authority = registering_authority(unit)
            prefix = (
                authority.abbreviation if authority and authority.abbreviation else unit.code
            ).upper()
            prefixes[unit.pk] = (prefix, authority.pk if authority else None)
        return prefixes

    def number(self, unit: int, at: datetime, kind: str) -> str:
        prefix = self.prefix[unit][0]
        year = at.astimezone(self.clock.zone).year
        key = (prefix, year, kind)
        sequence = self.counters.get(key, 0) + 1
        self.counters[key] = sequence
        if kind == "case":
            return f"{prefix}-C-{year}-{sequence:06d}"
        return f"{prefix}-{year}-{sequence:06d}"

    # -- the calendar of receipts --------------------------------------------------------------

    def days(self) -> list[tuple[date, int]]:
        """How many reports arrive each day: seasonal weights, shared out exactly."""
        days = []
        weights = []
        day = self.start
        while day < self.scale.until:
            weight = _MONTH[day.month - 1] * _WEEKDAY[day.weekday()]
            if day.weekday() < 5 and not self.clock.working(day):
                weight *= _HOLIDAY
            weight *= 1 + _GROWTH * (day - self.start).days / 365.25
            days.append(day)
            weights.append(weight)
            day += timedelta(days=1)
        total = sum(weights)
        result = []
        running = 0.0
        given = 0
        for day, weight in zip(days, weights, strict=True):
            running += weight
            upto = round(self.scale.reports * running / total)
            result.append((day, upto - given))
            given = upto
        return result

    # -- one report ----------------------------------------------------------------------------

    def child_for(self, day: date) -> tuple[int, int]:
        rng = self.rng
        if self.recent and rng.random() < 0.2:
            child = self.recent[rng.randrange(len(self.recent))]
            return child, -1
        ordinal = day.toordinal()
        lo = bisect_right(self.births, ordinal - 6574)
        hi = bisect_right(self.births, ordinal - 30)
        if hi <= lo:
            lo, hi = 0, len(self.children)
        index = rng.randrange(lo, hi)
        return self.children[index], self.child_units[index]

    def report(self, day: date, reports_left: int) -> None:
        rng = self.rng
        self.reports_left = reports_left
        channels, channel_cum = _CHANNEL_TABLE
        channel = rng.choices(channels, cum_weights=channel_cum)[0]
        working = self.clock.working(day)
        if channel in _OFFICE and not working:
            channel = "hotline" if rng.random() < 0.6 else "phone"
        if channel in ("hotline", "online", "phone"):
            hour = rng.uniform(0, 24) if rng.random() < 0.2 else rng.uniform(8, 21)
        else:
            hour = rng.uniform(8.5, 17)
        received = self.clock.at(day, hour)
        kinds, kind_cum = _REPORTER_TABLES[channel]
        reporter = rng.choices(kinds, cum_weights=kind_cum)[0]
        sector = ""
        if channel == "self_referral":
            sector = "social"
        elif reporter == "professional":
            sectors, sector_cum = _SECTOR_TABLE
            sector = rng.choices(sectors, cum_weights=sector_cum)[0]
            if sector == "education" and day.month not in _SCHOOL_MONTHS:
                sector = "social"
        anonymous = reporter == "anonymous" or (reporter == "citizen" and rng.random() < 0.05)
        child, unit = self.child_for(day)
        if unit == -1 or rng.random() < 0.15:
            unit = self.unit_ids[rng.randrange(len(self.unit_ids))]
        count = 1 if rng.random() < 0.7 else (2 if rng.random() < 0.8 else 3)
        codes = sorted(set(rng.choices(self.concern_codes, cum_weights=self.concern_cum, k=count)))
        serious = [c for c in self.violence if c in codes]
        danger = rng.random() < _DANGER
        report_id = self.report_ids.take()
        number = self.number(unit, received, "report")
        staff = self.specialists[unit]
        filer = staff[rng.randrange(len(staff))]
        subject = _Subject(self, case=None, report=report_id, unit=unit)
        context = {"immediate_danger": danger, "channel": channel, "reporter_kind": reporter}
        subject.fire(
            "report_received", received, filer, {"number": number, "channel": channel}, context
        )
        form_at = None
        phone_at = None
        if channel in ("phone", "hotline", "walk_in") and reporter == "professional":
            phone_at = received
            draw = rng.random()
            if draw < 0.75:
                form_at = received + timedelta(hours=rng.uniform(1, 23))
            elif draw < 0.9:
                form_at = received + timedelta(hours=rng.uniform(25, 96))
            if form_at is not None and form_at < self.cutoff:
                subject.fire("form_received", form_at, filer, {})
            else:
                form_at = None
        # Triage: within hours when the child is in danger, else within a few working days.
        if danger:
            triaged = received + timedelta(hours=rng.uniform(0.5, 30))
        else:
            lag = rng.choices((0, 1, 2, 3, 4, 6), cum_weights=(25, 55, 75, 87, 95, 100))[0]
            moment = received
            for _n in range(lag):
                moment = self.clock.office(moment + timedelta(days=1), rng)
            triaged = self.clock.office(moment, rng)
        status = ReportStatus.NEW
        decision = ""
        reason = ""
        cases: list[int] = []
        version = 1
        triaged_at: datetime | None = None
        triager: int | None = None
        if triaged < self.cutoff and (self.scale.until - day).days > _UNTRIAGED_DAYS:
            triaged_at = triaged
            version = 2
            current = self.open_case.get(child)
            open_id = None
            may_open = True
            if current is not None:
                case_id, opened_at, ends, gaps = current
                in_gap = any(a <= triaged < b for a, b in gaps)
                if triaged < opened_at or in_gap:
                    may_open = False
                elif ends is None or triaged < ends:
                    open_id = case_id
            if open_id is not None:
                status, decision = ReportStatus.LINKED, "link_case"
                reason = "The child already has an open case."
                cases = [open_id]
            else:
                wanted = (self.scale.cases - self.case_count) / max(reports_left, 1)
                if may_open and rng.random() < wanted * 1.3:
                    status, decision = ReportStatus.CASE_OPENED, "open_case"
                    reason = "Signs of risk: a case is opened."
                elif rng.random() < _REDIRECT_SHARE:
                    status, decision = ReportStatus.REDIRECTED, "redirect"
                    reason = "Outside our competence."
                else:
                    status, decision = ReportStatus.CLOSED, "close"
                    reason = "No sign of risk after checking."
            triager = staff[rng.randrange(len(staff))]
            subject.fire(
                "report_triaged",
                triaged,
                triager,
                {
                    "decision": decision,
                    "reason": reason,
                    "redirect_to": "Police" if decision == "redirect" else "",
                },
            )
            if status == ReportStatus.CASE_OPENED:
                cases = [self.case(report_id, number, child, unit, triaged, triager, danger)]
            elif status == ReportStatus.LINKED:
                self.events.add(
                    cases[0],
                    None,
                    triaged,
                    triager,
                    "report_linked",
                    {"report": number, "report_id": report_id},
                    None,
                )
                self.event_count += 1
            for case in cases:
                self.report_cases.add(report_id, case)
        subject.finish(cancel=status in (ReportStatus.REDIRECTED, ReportStatus.CLOSED))
        self.recent.append(child)
        self.report_count += 1
        self.reports.add(
            report_id,
            number,
            self.prefix[unit][1],
            received,
            channel,
            reporter,
            sector,
            anonymous,
            "" if anonymous else self.names[self.report_count % _TEXTS],
            "" if anonymous else self.contacts[self.report_count % _TEXTS],
            unit,
            self.narratives[self.report_count % _TEXTS],
            rng.choice(("disclosure", "observation", "third_party")),
            self.concern_ids[serious[0]] if serious else None,
            danger,
            phone_at,
            form_at,
            status,
            decision,
            reason,
            triaged_at,
            triager,
            "Police" if decision == "redirect" else "",
            filer,
            version,
            received,
            triaged_at or received,
        )
        for code in codes:
            self.report_concerns.add(report_id, self.concern_ids[code])
        self.report_children.add(report_id, child)

    # -- one case ------------------------------------------------------------------------------

    def case(
        self,
        report_id: int,
        report_number: str,
        child: int,
        unit: int,
        opened: datetime,
        opener: int,
        danger: bool,
    ) -> int:
        rng = self.rng
        case_id = self.case_ids.take()
        self.case_count += 1
        number = self.number(unit, opened, "case")
        staff = self.specialists[unit]
        manager = staff[rng.randrange(len(staff))]
        boss = self.supervisors[unit]
        risks, risk_cum = _RISK_TABLE
        risk = "high" if danger else rng.choices(risks, cum_weights=risk_cum)[0]
        subject = _Subject(self, case=case_id, report=None, unit=unit)
        subject.manager = manager
        state: dict[str, Any] = {
            "stage": Stage.INITIAL_ASSESSMENT,
            "stage_before": "",
            "risk": risk,
            "closure_reason": "",
            "closed_at": None,
            "approved_by": None,
            "reopened": 0,
            "version": 1,
            "plans": 0,
        }
        gaps: list[tuple[datetime, datetime]] = []
        # Events this case may still add to reach the events asked for, on average.
        reports_left = self.reports_left
        budget = (self.scale.events - self.event_count - 2.2 * reports_left) / max(
            self.scale.cases - self.case_count + 1, 1
        )
        # Beyond the seven steps every worked case has, the budget goes to reviews and visits.
        extra = max(budget - 7, 0.0)

        def context() -> dict[str, Any]:
            return {"risk_level": state["risk"], "immediate_danger": danger}

        def step(
            at: datetime,
            kind: str,
            data: dict[str, Any],
            *,
            stage: str | None = None,
            actor: int | None = None,
            meets: tuple[str, ...] = (),
            extra: dict[str, Any] | None = None,
        ) -> datetime:
            if at >= self.cutoff:
                raise _Stop
            if stage is not None and stage != state["stage"]:
                state["stage_before"] = state["stage"]
                state["stage"] = stage
            state["version"] += 1
            subject.fire(
                kind,
                at,
                manager if actor is None else actor,
                data,
                {**context(), **(extra or {})},
                meets,
            )
            return at

        def later(at: datetime, low: float, high: float, late: float = 0.1) -> datetime:
            """A moment `low`–`high` days later, or up to three times as late now and then."""
            days = rng.uniform(low, high)
            if rng.random() < late:
                days *= rng.uniform(1.5, 3)
            return self.clock.office(at + timedelta(days=days), rng)

        def assessment(at: datetime, kind: str, confirmed: str) -> int:
            assessment_id = self.assessment_ids.take()
            self.assessments.add(
                assessment_id,
                case_id,
                kind,
                at,
                kind == "initial" and rng.random() < 0.6,
                state["risk"],
                confirmed,
                self.findings[self.event_count % _TEXTS],
                manager,
                at,
            )
            return assessment_id

        def close(at: datetime, reason: str) -> datetime:
            at = step(
                at, "closure_proposed", {"reason": reason, "note": ""}, stage="closure_proposed"
            )
            state["closure_reason"] = reason
            decided = self.clock.office(at + timedelta(days=rng.uniform(0.5, 9)), rng)
            step(
                decided,
                "case_closed",
                {"reason": reason, "note": ""},
                stage=Stage.CLOSED,
                actor=boss,
                meets=("closure_decided",),
            )
            state["closed_at"] = decided
            state["approved_by"] = boss
            subject.finish(cancel=True)
            return decided

        def work(at: datetime) -> datetime:
            """From the complex assessment to closure."""
            at = later(at, 5, 30, 0.15)
            state["risk"] = rng.choices(risks, cum_weights=risk_cum)[0]
            assessment_id = assessment(at, "complex", "yes")
            at = step(
                at,
                "complex_assessment_done",
                {
                    "risk_level": state["risk"],
                    "confirmed": "yes",
                    "protection_interview_done": False,
                    "assessment": assessment_id,
                    "stage": Stage.PLANNING,
                },
                stage=Stage.PLANNING,
            )
            while True:
                at = later(at, 2, 12, 0.1)
                state["plans"] += 1
                plan = state["plans"]
                submitted = at
                step(at, "plan_submitted", {"plan": plan}, stage=Stage.PLAN_APPROVAL)
                at = later(at, 0.5, 6, 0.1)
                approved = rng.random() < 0.9
                try:
                    step(
                        at,
                        "plan_approved" if approved else "plan_returned",
                        {"plan": plan, "note": "" if approved else "Goals need detail."},
                        stage=Stage.IMPLEMENTATION if approved else Stage.PLANNING,
                        actor=boss,
                        meets=("plan_decided",),
                    )
                except _Stop:
                    self.plans.add(
                        case_id,
                        plan,
                        "Synthetic plan goals.",
                        None,
                        "submitted",
                        manager,
                        submitted,
                        None,
                        None,
                        "",
                    )
                    raise
                self.plans.add(
                    case_id,
                    plan,
                    "Synthetic plan goals.",
                    (at + timedelta(days=90)).date() if approved else None,
                    "approved" if approved else "returned",
                    manager,
                    submitted,
                    boss,
                    at,
                    "" if approved else "Goals need detail.",
                )
                if approved:
                    break
            months = min(rng.uniform(1, 2 + 3 * extra), 24.0)
            # Quarterly reviews, and a last one before closure is proposed: every case that
            # reaches implementation is reviewed, whatever the event budget (at 1 M persons the
            # first steps spend it, and no case used to be reviewed at all).
            reviews = [at + timedelta(days=90 * k) for k in range(1, int(months / 3) + 1)]
            reviews.append(at + timedelta(days=30 * months - 20))  # jitter keeps it before `end`
            visits_wanted = max(0, round(rng.gauss(extra - len(reviews), 1)))
            end = at + timedelta(days=30 * months)
            visits = sorted(
                at + timedelta(days=rng.uniform(1, 30 * months)) for _n in range(visits_wanted)
            )
            moments = sorted([(v, "visit") for v in visits] + [(r, "review") for r in reviews])
            for moment, what in moments:
                moment = self.clock.office(moment, rng)
                if what == "visit":
                    kinds, kind_cum = _VISIT_TABLE
                    kind = rng.choices(kinds, cum_weights=kind_cum)[0]
                    step(moment, "visit_recorded", {"kind": kind, "risk_level": state["risk"]})
                    self.visits.add(
                        case_id,
                        moment,
                        kind,
                        self.observations[self.event_count % _TEXTS],
                        state["risk"],
                        manager,
                    )
                else:
                    moment = moment + timedelta(days=rng.uniform(-5, 15))
                    step(
                        moment,
                        "review_done",
                        {"outcome": "continue", "risk_level": state["risk"]},
                        extra={"outcome": "continue"},
                    )
                    self.reviews.add(
                        case_id,
                        moment,
                        "continue",
                        self.summaries[self.event_count % _TEXTS],
                        state["risk"],
                        manager,
                    )
            reason = rng.choices(
                (
                    ClosureReason.OBJECTIVES_ACHIEVED,
                    ClosureReason.RISK_REMOVED,
                    ClosureReason.MOVED_AWAY,
                    ClosureReason.TURNED_18,
                    ClosureReason.REFUSAL,
                ),
                cum_weights=(55, 80, 88, 95, 100),
            )[0]
            return close(self.clock.office(max(end, at), rng), reason)

        ends: datetime | None = None
        try:
            step(
                opened,
                "case_opened",
                {"report": report_number, "report_id": report_id, "risk_level": risk},
                actor=opener,
            )
            hours = {"high": 20, "medium": 60, "low": 150}[risk]
            at = opened + timedelta(
                hours=rng.uniform(1, hours) * (2.5 if rng.random() < 0.12 else 1)
            )
            confirmed = rng.choices(("yes", "partly", "no"), cum_weights=(50, 75, 100))[0]
            emergency = danger and confirmed != "no" and rng.random() < 0.5
            assessment_id = assessment(at, "initial", confirmed)
            next_stage = Stage.EMERGENCY_PROTECTION if emergency else Stage.COMPLEX_ASSESSMENT
            step(
                at,
                "initial_assessment_done",
                {
                    "risk_level": state["risk"],
                    "confirmed": confirmed,
                    "protection_interview_done": False,
                    "assessment": assessment_id,
                    "stage": next_stage,
                },
                stage=next_stage,
            )
            if emergency:
                action = self.action_ids.take()
                at = at + timedelta(hours=rng.uniform(0.5, 6))
                step(at, "child_removed", {"kind": "removal", "action": action})
                notified = at + timedelta(hours=rng.uniform(1, 30))
                filed = self.clock.office(at + timedelta(days=rng.uniform(1, 5)), rng)
                self.actions.add(
                    action,
                    case_id,
                    "removal",
                    at,
                    notified if notified < self.cutoff else None,
                    filed if filed < self.cutoff else None,
                    manager,
                )
                step(notified, "prosecutor_notified", {"action": action})
                step(filed, "court_filed", {"action": action})
                at = later(filed, 10, 80)
                step(
                    at,
                    "emergency_ended",
                    {"note": "The child is safe.", "stage": Stage.COMPLEX_ASSESSMENT},
                    stage=Stage.COMPLEX_ASSESSMENT,
                )
            if confirmed == "no":
                ends = close(later(at, 0, 5), ClosureReason.NOT_CONFIRMED)
            else:
                ends = work(at)
            if rng.random() < _REOPEN_SHARE:
                reopened = ends + timedelta(days=rng.uniform(20, 200))
                gap = (ends, reopened)
                step(
                    reopened,
                    "case_reopened",
                    {"reason": "A new report shows the risk again."},
                    stage=Stage.COMPLEX_ASSESSMENT,
                )
                gaps.append(gap)
                state.update(closure_reason="", closed_at=None, approved_by=None)
                state["reopened"] += 1
                state["stage_before"] = ""
                ends = work(reopened)
        except _Stop:
            pass
        closed = state["stage"] == Stage.CLOSED
        subject.finish(cancel=closed)
        self.open_case[child] = (case_id, opened, state["closed_at"] if closed else None, gaps)
        self.case_rows.add(
            case_id,
            number,
            child,
            unit,
            self.prefix[unit][1],
            state["stage"],
            state["stage_before"] if state["stage"] == Stage.CLOSURE_PROPOSED else "",
            state["risk"],
            danger,
            manager,
            opened,
            opener,
            state["closure_reason"],
            state["closed_at"],
            state["approved_by"],
            state["reopened"],
            state["version"],
            state["closed_at"] or opened,
        )
        return case_id

    def counters_save(self) -> None:
        """Leave every sequence where `next_number` continues it."""
        existing = {(c.prefix, c.year, c.kind): c for c in RegistrationCounter.objects.all()}
        new = []
        for key, last in self.counters.items():
            counter = existing.get(key)
            if counter is None:
                new.append(RegistrationCounter(prefix=key[0], year=key[1], kind=key[2], last=last))
            elif counter.last < last:
                RegistrationCounter.objects.filter(pk=counter.pk).update(last=last)
        RegistrationCounter.objects.bulk_create(new, batch_size=1000)


def _accumulate(weights: list[int]) -> list[int]:
    total = 0
    out = []
    for weight in weights:
        total += weight
        out.append(total)
    return out


_CHANNEL_TABLE = _choices(_CHANNELS)
_REPORTER_TABLES = {channel: _choices(pairs) for channel, pairs in _REPORTERS.items()}
_SECTOR_TABLE = _choices(_SECTORS)
_RISK_TABLE = _choices(_RISK)
_VISIT_TABLE = _choices(_VISIT_KINDS)


@generator_step("reports_and_cases", order=30)
def _reports_and_cases(generation: Generation) -> None:
    simulation = _Simulation(generation)
    days = simulation.days()
    progress = Progress(
        "reports", generation.scale.reports, stream=generation.stream, enabled=generation.progress
    )
    done = 0
    total = generation.scale.reports
    for day, count in days:
        for _n in range(count):
            simulation.report(day, total - done)
            done += 1
        if count:
            progress.update(count)
    progress.close()
    simulation.counters_save()
    generation.shared["simulation"] = simulation
