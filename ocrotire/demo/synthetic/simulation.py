"""The state of a simulated history of reports and cases, shared by `reports` and `cases`: the
country's clock and deadline arithmetic, the open tasks of each report or case, registration
numbers, the days reports arrive on, and the tables the rows go to.

Reports and cases are simulated as the services would have written them: registration numbers
per authority and year in order of receipt (and the counters left where `next_number` continues
them), one open case per child at most, tasks from the country's deadline rules met in time or
late, and the timeline events the services fire with the same `data`. Rows are written in bulk
(COPY on PostgreSQL) with keys taken in blocks, so nothing calls the services one row at a time.
"""

from __future__ import annotations

import random
from collections import deque
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from functools import lru_cache
from typing import Any

from django.db import models

from ocrotire.cases.models import Assessment, Case, Plan, ProtectiveAction, Review, Visit
from ocrotire.core.bulk import reserve
from ocrotire.core.crypto import encrypt
from ocrotire.core.workdays import Calendar, due_at
from ocrotire.demo.synthetic.generation import Generation
from ocrotire.demo.synthetic.persons import leaf_units
from ocrotire.geo.calendars import calendar_of
from ocrotire.geo.models import Unit
from ocrotire.intake.models import ConcernCategory, RegistrationCounter, Report, ReportChild
from ocrotire.workflow.deadlines import rule_applies
from ocrotire.workflow.models import DeadlineRule, OffsetUnit, Task, TaskStatus, TimelineEvent

# Reports per month (school months more, summer and winter holidays fewer) and per weekday.
_MONTH = (0.85, 1.05, 1.1, 1.05, 1.1, 0.85, 0.7, 0.75, 1.15, 1.15, 1.1, 0.95)
_WEEKDAY = (1.15, 1.1, 1.05, 1.0, 0.95, 0.45, 0.35)
_HOLIDAY = 0.4
_GROWTH = 0.05  # more reports each year as the register is adopted
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
# The size of each pool of encrypted texts the rows pick from (see `Simulation`).
TEXTS = 48


def choice_table(pairs: tuple[tuple[str, int], ...]) -> tuple[list[str], list[int]]:
    """The values and their cumulative weights, for `random.choices(values, cum_weights=…)`."""
    values = [p[0] for p in pairs]
    cum: list[int] = []
    total = 0
    for _value, weight in pairs:
        total += weight
        cum.append(total)
    return values, cum


def _accumulate(weights: list[int]) -> list[int]:
    total = 0
    out = []
    for weight in weights:
        total += weight
        out.append(total)
    return out


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


class Subject:
    """A report or a case being simulated: its open tasks and the deadline engine over them."""

    def __init__(self, sim: Simulation, *, case: int | None, report: int | None, unit: int):
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


class Stop(Exception):
    """The simulated history ends before the next step of a case."""


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


class Simulation:
    """One simulated history: the scale, the staff and children of the earlier steps, the
    country's concerns and deadline rules, the keys taken in blocks and the tables written."""

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
        self.narratives = [encrypt(f"Synthetic report narrative {n}.") for n in range(TEXTS)]
        self.findings = [encrypt(f"Synthetic assessment findings {n}.") for n in range(TEXTS)]
        self.observations = [encrypt(f"Synthetic visit observations {n}.") for n in range(TEXTS)]
        self.summaries = [encrypt(f"Synthetic review summary {n}.") for n in range(TEXTS)]
        self.names = [encrypt(f"Reporter {n}") for n in range(TEXTS)]
        self.contacts = [encrypt(f"+373 69 {n:06d}") for n in range(TEXTS)]
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
        from ocrotire.intake.numbering import registering_authority

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
