"""What the case page puts first: the next legal step (the open task due soonest that a step of
the page meets, with that step's button) and the other steps in their groups. Which step meets
which deadline comes from data: a rule's `completed_by` (or the milestone it names) against the
events each step declares it records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from django.utils.http import urlencode
from django.utils.timesince import timesince, timeuntil
from django.utils.translation import gettext as _

from ocrotire.cases.steps import Step, steps_all
from ocrotire.cases.steps.registry import GROUPS
from ocrotire.workflow.events import milestones
from ocrotire.workflow.models import Task


@cache
def steps_meeting() -> dict[str, tuple[str, ...]]:
    """What a rule is met by (an event or a milestone) → the codes of the steps that meet it."""
    by_event: dict[str, list[str]] = {}
    for step in steps_all():
        for event in step.fires:
            by_event.setdefault(str(event), []).append(step.code)
    meeting = {event: tuple(codes) for event, codes in by_event.items()}
    for code, milestone in milestones().items():
        meeting[code] = tuple(
            dict.fromkeys(step for event in milestone.met_by for step in by_event.get(event, []))
        )
    return meeting


@dataclass(frozen=True)
class NextStep:
    task: Task
    name: str
    step: Step
    overdue: bool
    when: str  # "Overdue by 2 days, 3 hours." or "Due in 5 hours."
    query: str  # the step's page values that record what the task waits for ("step=court_filed")


def due_sentence(due_at: datetime, now: datetime) -> str:
    if due_at < now:
        return _("Overdue by %(duration)s.") % {"duration": timesince(due_at, now, depth=2)}
    return _("Due in %(duration)s.") % {"duration": timeuntil(due_at, now, depth=2)}


def next_step(tasks: list[Task], offered: list[Step], now: datetime) -> NextStep | None:
    """The open task due soonest (the overdue first) that one of the offered steps meets."""
    by_code = {step.code: step for step in offered}
    meeting = steps_meeting()
    for task in sorted(tasks, key=lambda t: (t.due_at, t.pk)):
        step = next(
            (by_code[c] for c in meeting.get(task.rule.completed_by, ()) if c in by_code), None
        )
        if step is not None:
            return NextStep(
                task=task,
                name=task.rule.label(),
                step=step,
                overdue=task.due_at < now,
                when=due_sentence(task.due_at, now),
                query=urlencode(step.presets.get(task.rule.completed_by, {})),
            )
    return None


def action_groups(offered: list[Step], *, leave_out: str = "") -> list[dict[str, Any]]:
    """The offered steps (but the one put first) under the page's group headings, in order.
    A group's `links` take what is no step ((address, label) pairs, e.g. editing the case);
    the page leaves out a group with nothing in it."""
    groups: list[dict[str, Any]] = [
        {"code": code, "heading": heading, "steps": [], "links": []}
        for code, heading in GROUPS.items()
    ]
    by_code = {group["code"]: group for group in groups}
    for step in offered:
        if step.code != leave_out:
            by_code[step.group]["steps"].append(step)
    return groups
