"""The deadline engine: events on a report or case meet the tasks waiting for them, generate the
tasks their rules anchor, and leave a line on the timeline. Rules are data (country packs),
versioned, and editable by administrators; every task keeps the rule version it came from."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ocrotire.core.audit import audit_record
from ocrotire.core.models import AuditAction
from ocrotire.core.workdays import due_at
from ocrotire.geo.calendars import calendar_of
from ocrotire.geo.services import PACKS_DIR
from ocrotire.workflow.models import CountedFrom, DeadlineRule, Task, TaskStatus, TimelineEvent

if TYPE_CHECKING:
    from ocrotire.accounts.models import User
    from ocrotire.workflow.subjects import CaseSubject, Subject

RULE_FIELDS = (
    "anchor",
    "completed_by",
    "offset",
    "offset_unit",
    "counted_from",
    "applies_when",
    "assignee",
    "names",
    "legal_reference",
    "verified",
    "note",
    "supersedes",
    "escalation",
)


def rule_applies(rule: DeadlineRule, context: Mapping[str, Any]) -> bool:
    """Every key of `applies_when` lists the values it accepts; a key the event does not know
    makes the rule not apply, so a badly written rule never fires by accident."""
    for key, accepted in (rule.applies_when or {}).items():
        if key not in context or context[key] not in accepted:
            return False
    return True


def active_rules(*, country: str, anchor: str) -> QuerySet[DeadlineRule]:
    return DeadlineRule.objects.filter(country=country, anchor=anchor, active=True)


def _pack_rules(country: str) -> dict[str, Any]:
    path = PACKS_DIR / country.lower() / "deadlines.json"
    if not path.is_file():
        return {"rules": []}
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def repeat_window_days(country: str) -> int:
    return int(_pack_rules(country).get("repeat_window_days", 30))


@dataclass(frozen=True)
class AnswerDeadline:
    """The legal time to answer a complaint (a petition), from the pack's `complaint_answer`."""

    due_at: datetime
    legal_reference: str
    verified: bool


def complaint_answer_due(country: str, received_at: datetime) -> AnswerDeadline | None:
    """When a complaint received at `received_at` must be answered, in the country's calendar;
    None where the pack sets no such deadline (the country takes no complaints here)."""
    row = _pack_rules(country).get("complaint_answer")
    if not row:
        return None
    due = due_at(
        received_at,
        offset=int(row["offset"]),
        unit=row["offset_unit"],
        calendar=calendar_of(country),
    )
    return AnswerDeadline(due, row.get("legal_reference", ""), bool(row.get("verified", False)))


@transaction.atomic
def rule_revise(
    *, actor: User | None, rule: DeadlineRule, values: Mapping[str, Any]
) -> DeadlineRule:
    """A change to a rule is a new version; the old one is retired, tasks keep their version."""
    current = DeadlineRule.objects.select_for_update().get(pk=rule.pk)
    if not current.active:
        raise ValidationError({"version": _("This version was replaced: change the current one.")})
    changes = {
        name: [getattr(current, name), values[name]]
        for name in RULE_FIELDS
        if name in values and getattr(current, name) != values[name]
    }
    if not changes:
        return current
    latest = (
        DeadlineRule.objects.filter(country=current.country, code=current.code)
        .order_by("-version")
        .values_list("version", flat=True)
        .first()
    ) or current.version
    DeadlineRule.objects.filter(pk=current.pk).update(active=False)
    revised = DeadlineRule(
        code=current.code,
        country=current.country,
        version=latest + 1,
        **{name: values.get(name, getattr(current, name)) for name in RULE_FIELDS},
    )
    revised.full_clean()
    revised.save(force_insert=True)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=revised,
        changes={**changes, "replaces_version": current.version},
    )
    return revised


@transaction.atomic
def rule_retire(*, actor: User | None, rule: DeadlineRule) -> DeadlineRule:
    """Stop a rule generating tasks without replacing it; its tasks keep pointing at it."""
    current = DeadlineRule.objects.select_for_update().get(pk=rule.pk)
    if not current.active:
        return current
    DeadlineRule.objects.filter(pk=current.pk).update(active=False)
    current.active = False
    audit_record(
        actor=actor, action=AuditAction.UPDATE, obj=current, changes={"active": [True, False]}
    )
    return current


@transaction.atomic
def rules_load(*, country: str, actor: User | None = None) -> int:
    """Load a country pack's rules: new rules are created, changed ones revised (a new version),
    unchanged ones left alone. Returns how many rows were written."""
    data = _pack_rules(country)
    written = 0
    for row in data["rules"]:
        values = {
            "anchor": row["anchor"],
            "completed_by": row["completed_by"],
            "offset": row["offset"],
            "offset_unit": row["offset_unit"],
            "counted_from": row.get("counted_from", CountedFrom.ANCHOR),
            "applies_when": row.get("applies_when", {}),
            "assignee": row.get("assignee", "manager"),
            "names": row["names"],
            "legal_reference": row.get("legal_reference", ""),
            "verified": row.get("verified", False),
            "note": row.get("note", ""),
            "supersedes": row.get("supersedes", True),
            "escalation": row.get("escalation", []),
        }
        current = DeadlineRule.objects.filter(
            country=country.upper(), code=row["code"], active=True
        ).first()
        if current is None:
            rule = DeadlineRule(country=country.upper(), code=row["code"], **values)
            rule.full_clean()
            rule.save(force_insert=True)
            audit_record(actor=actor, action=AuditAction.CREATE, obj=rule, changes=values)
            written += 1
        elif any(getattr(current, name) != value for name, value in values.items()):
            rule_revise(actor=actor, rule=current, values=values)
            written += 1
    return written


def escalation_time(rule: DeadlineRule, due: datetime, level: int) -> datetime | None:
    """When the `level`-th level of the rule's escalation is alerted (none left: None)."""
    levels = rule.escalation or []
    if level >= len(levels):
        return None
    return due + timedelta(hours=int(levels[level]["after_hours"]))


def _assignee_for(rule: DeadlineRule, case: CaseSubject | None) -> Any:
    if rule.assignee == "manager" and case is not None:
        return case.manager
    return None


def event_fire(
    *,
    actor: User | None,
    kind: str,
    at: datetime,
    case: CaseSubject | None = None,
    report: Subject | None = None,
    context: Mapping[str, Any] | None = None,
    data: Mapping[str, Any] | None = None,
    meets: tuple[str, ...] = (),
    fresh: bool = False,
    tasks: list[Task] | None = None,
    received_at: datetime | None = None,
) -> tuple[TimelineEvent, list[Task]]:
    """Record `kind` on the timeline of a case or a report (inside the caller's transaction):
    open tasks met by this event are closed (in time or late), then the rules anchored on it
    generate new tasks, which are returned with the event. `fresh`: the subject was created in
    this transaction and has no tasks yet (saves the query for them). `tasks`: the open tasks
    this event meets when the caller knows them (a provider's answer meets the task of its own
    referral, not those of the case's other referrals). `received_at`: when the report behind
    the event was received, where a rule counts from it (`counted_from`); else the event's time."""
    subject: Any = case if case is not None else report
    assert subject is not None
    unit = subject.unit
    # The instances of the apps above, given to the rows as they are (typed by what is read).
    owner: dict[str, Any] = {"case": case, "report": report}
    open_tasks = Task.objects.select_related("rule").filter(
        status=TaskStatus.OPEN, rule__completed_by__in=[kind, *meets]
    )
    open_tasks = (
        open_tasks.filter(case_id=subject.pk)
        if case is not None
        else open_tasks.filter(report_id=subject.pk)
    )
    if tasks is not None:
        candidates: Any = [t for t in tasks if t.status == TaskStatus.OPEN]
    else:
        candidates = [] if fresh else open_tasks
    met = []
    for task in candidates:
        task.status = TaskStatus.DONE
        task.done_at = at
        task.done_by = actor
        task.save(update_fields=["status", "done_at", "done_by"])
        met.append(
            {
                "task": task.pk,
                "kind": task.kind,
                "due_at": task.due_at.isoformat(),
                "met": at <= task.due_at,
            }
        )
    event = TimelineEvent.objects.create(
        **owner,
        at=at,
        actor=actor,
        kind=kind,
        data={**(data or {}), **({"tasks_met": met} if met else {})},
    )
    calendar = calendar_of(unit.country)
    new_tasks = []
    for rule in active_rules(country=unit.country, anchor=kind):
        if not rule_applies(rule, context or {}):
            continue
        start = at
        if rule.counted_from == CountedFrom.REPORT_RECEIVED and received_at is not None:
            start = received_at
        due = due_at(start, offset=rule.offset, unit=rule.offset_unit, calendar=calendar)
        new_tasks.append(
            Task(
                **owner,
                rule=rule,
                kind=rule.code,
                unit=unit,
                assignee=_assignee_for(rule, case),
                anchor_at=start,
                due_at=due,
                next_escalation_at=escalation_time(rule, due, 0),
            )
        )
    Task.objects.bulk_create(new_tasks)
    if new_tasks and not fresh:
        tasks_supersede(new_tasks)
    return event, new_tasks


def tasks_cancel(
    *,
    case: CaseSubject | None = None,
    report: Subject | None = None,
    kinds: list[str] | None = None,
    cause: str = "",
    anchors: list[str] | None = None,
) -> int:
    """Tasks that can no longer be met (the case closed, the report redirected) are cancelled,
    not left to turn overdue, with the `cause` (a `CancelCause`) shown beside them. `kinds`
    limits them to some rule codes, `anchors` to the rules anchored on some events."""
    subject: Any = case if case is not None else report
    assert subject is not None
    qs = Task.objects.filter(status=TaskStatus.OPEN)
    qs = qs.filter(case_id=subject.pk) if case is not None else qs.filter(report_id=subject.pk)
    if kinds is not None:
        qs = qs.filter(kind__in=kinds)
    if anchors is not None:
        qs = qs.filter(rule__anchor__in=anchors)
    return qs.update(status=TaskStatus.CANCELLED, cancelled_at=timezone.now(), cancel_cause=cause)


def tasks_reassign(*, case: CaseSubject) -> None:
    Task.objects.filter(case_id=case.pk, status=TaskStatus.OPEN, rule__assignee="manager").update(
        assignee=case.manager, unit=case.unit
    )
    Task.objects.filter(case_id=case.pk, status=TaskStatus.OPEN).update(unit=case.unit)


def tasks_supersede(new_tasks: list[Task]) -> int:
    """Older open tasks of the same rule code for the same case or report as a new task are
    replaced by it (a review scheduled again, a reopened case) when its rule `supersedes`: they
    point at their successor and never turn overdue. Inside the caller's transaction."""
    superseded = 0
    now = timezone.now()
    for task in new_tasks:
        if task.pk is None or not task.rule.supersedes:
            continue
        older = Task.objects.filter(status=TaskStatus.OPEN, kind=task.kind).exclude(pk=task.pk)
        older = (
            older.filter(case_id=task.case_id)
            if task.case_id is not None
            else older.filter(report=task.report, case__isnull=True)
        )
        superseded += older.update(
            status=TaskStatus.SUPERSEDED, superseded_by=task, cancelled_at=now
        )
    return superseded
