"""The kinds of timeline events and the sentence each shows, in the reader's language.

Every app registers the kinds it fires, with their sentences, from its AppConfig.ready(); a kind
is registered once. Pages, the API and the case file ask `event_text` for an event's sentence.
Rules may also be met by a milestone: a name that is not a line of the timeline but that events
meet (`event_fire(meets=…)`, or the tasks an answer names); apps register those too."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Choices
from django.utils.translation import gettext as _

from ocrotire.workflow.models import TimelineEvent
from ocrotire.workflow.timeline import rule_names


def choice_label(choices: type[Choices], value: str) -> str:
    """The translated label of a stored choice, or the stored value when the choice is gone."""
    return str(choices(value).label) if value in choices.values else value


@dataclass(frozen=True)
class EventContext:
    """What a sentence may need beyond the event's data: the task names of the rules of the
    subject's country (given by the caller for a long timeline, else read when asked)."""

    event: TimelineEvent
    names: Mapping[str, str] | None = None

    def rule_name(self, code: str) -> str:
        if self.names is not None:
            return self.names.get(code, code)
        subject = self.event.case or self.event.report
        country = subject.unit.country if subject is not None else ""
        return rule_names(country).get(code, code)


@dataclass(frozen=True)
class EventKind:
    code: str
    # The whole translated sentence, from the event's data.
    text: Callable[[Mapping[str, Any], EventContext], str]


@dataclass(frozen=True)
class Milestone:
    """What a deadline rule can be met by (`completed_by`) without being a line of the timeline;
    `met_by` names the events that meet it (none: no step records it yet)."""

    code: str
    met_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class Recorder:
    """A step of the work (its service, by dotted path) and the event kinds it fires: what makes
    a deadline rule's task done. Every rule's `completed_by` must reach a recorder, or its tasks
    could never be completed (checked by the tests, which also check that the service fires
    the kinds it claims)."""

    service: str
    kinds: tuple[str, ...]


_KINDS: dict[str, EventKind] = {}
_MILESTONES: dict[str, Milestone] = {}
_RECORDERS: dict[str, Recorder] = {}


def register(*kinds: EventKind) -> None:
    """Register kinds; a kind registered again by other code is refused (two apps, one kind)."""
    for kind in kinds:
        code = str(kind.code)
        existing = _KINDS.get(code)
        if (existing is not None and existing != kind) or code in _MILESTONES:
            raise ImproperlyConfigured(f"The event kind {code!r} is registered twice.")
        _KINDS[code] = kind


def register_milestones(*milestones: Milestone) -> None:
    for milestone in milestones:
        code = str(milestone.code)
        existing = _MILESTONES.get(code)
        if (existing is not None and existing != milestone) or code in _KINDS:
            raise ImproperlyConfigured(f"The milestone {code!r} is registered twice.")
        _MILESTONES[code] = milestone


def register_recorders(*recorders: Recorder) -> None:
    for recorder in recorders:
        existing = _RECORDERS.get(recorder.service)
        if existing is not None and existing != recorder:
            raise ImproperlyConfigured(f"The step {recorder.service!r} is registered twice.")
        _RECORDERS[recorder.service] = recorder


def recorders() -> dict[str, Recorder]:
    return dict(_RECORDERS)


def completable(code: str) -> bool:
    """Whether a rule met by `code` (a kind or a milestone) can be completed by some step."""
    recorded = {str(kind) for r in _RECORDERS.values() for kind in r.kinds}
    milestone = _MILESTONES.get(code)
    if milestone is not None:
        return any(str(kind) in recorded for kind in milestone.met_by)
    return code in recorded


def kinds() -> dict[str, EventKind]:
    return dict(_KINDS)


def milestones() -> dict[str, Milestone]:
    return dict(_MILESTONES)


def event_text(event: TimelineEvent, names: Mapping[str, str] | None = None) -> str:
    """`names` (from rule_names) saves a query per overdue event on long timelines."""
    kind = _KINDS.get(event.kind)
    if kind is None:
        return event.kind
    return kind.text(event.data or {}, EventContext(event, names))


class WorkflowEvent(StrEnum):
    TASK_OVERDUE = "task_overdue"
    TASK_CANCELLED = "task_cancelled"
    TASK_ESCALATED = "task_escalated"


def _task_overdue(d: Mapping[str, Any], context: EventContext) -> str:
    return _("Deadline missed: %(task)s.") % {"task": context.rule_name(d.get("task", ""))}


def _task_cancelled(d: Mapping[str, Any], context: EventContext) -> str:
    return _("Task cancelled as no longer needed: %(task)s. Reason: %(reason)s") % {
        "task": context.rule_name(d.get("task", "")),
        "reason": d.get("reason", ""),
    }


def _task_escalated(d: Mapping[str, Any], context: EventContext) -> str:
    task = context.rule_name(d.get("task", ""))
    if d.get("to") == "head":
        return _("Deadline still missed: %(task)s. The head of the area was alerted.") % {
            "task": task
        }
    return _("Deadline still missed: %(task)s. The supervisors were alerted.") % {"task": task}


def register_events() -> None:
    register(
        EventKind(WorkflowEvent.TASK_OVERDUE, _task_overdue),
        EventKind(WorkflowEvent.TASK_CANCELLED, _task_cancelled),
        EventKind(WorkflowEvent.TASK_ESCALATED, _task_escalated),
    )
