"""Deadline rules and the tasks they generate, the timeline of reports and cases, and
notifications. The tables keep the names they had in the cases app (`cases_task`, …): the models
moved, the data did not."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ocrotire.core.labels import NamedInLanguages
from ocrotire.geo.models import Unit


class OffsetUnit(models.TextChoices):
    HOURS = "hours", _("hours")
    CALENDAR_DAYS = "calendar_days", _("calendar days")
    WORKING_DAYS = "working_days", _("working days")


class CountedFrom(models.TextChoices):
    ANCHOR = "anchor", _("the anchor event")
    REPORT_RECEIVED = "report_received", _("the receipt of the report")


class DeadlineRule(NamedInLanguages, models.Model):
    """A legal or policy deadline as data: when `anchor` happens (and `applies_when` matches),
    a task is due `offset` `offset_unit` later and is met by the event `completed_by`. The
    offset counts from the anchor event, or, when `counted_from` says so, from the receipt of the
    report the anchor event comes from (a clock the law starts at the report). `escalation`
    lists who is alerted once the task is overdue, and how many hours after its due time.

    Rules are versioned: a change makes a new row with the next version and retires the old
    one, so every task keeps the exact rule it was generated from."""

    code = models.CharField(_("code"), max_length=60)
    country = models.CharField(_("country"), max_length=2)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    anchor = models.CharField(_("anchor event"), max_length=40)
    completed_by = models.CharField(_("met by event"), max_length=40)
    offset = models.PositiveIntegerField(_("offset"))
    offset_unit = models.CharField(_("unit"), max_length=16, choices=OffsetUnit.choices)
    counted_from = models.CharField(
        _("counted from"), max_length=20, choices=CountedFrom.choices, default=CountedFrom.ANCHOR
    )
    applies_when = models.JSONField(_("applies when"), default=dict, blank=True)
    # Who must act: the case manager, or the supervisors of the unit.
    assignee = models.CharField(_("assignee"), max_length=20, default="manager")
    names = models.JSONField(_("task names"), default=dict)
    legal_reference = models.CharField(_("legal reference"), max_length=300, blank=True)
    verified = models.BooleanField(_("verified by a lawyer"), default=False)
    note = models.TextField(_("note"), blank=True)
    # A new task of this rule replaces the open one of the same case or report (a review
    # scheduled again); off where each anchor event has its own legal deadline (each removal
    # its prosecutor notice), so an earlier deadline is never pushed back.
    supersedes = models.BooleanField(_("a new task replaces the open one"), default=True)
    # [{"after_hours": 0, "to": "manager"}, {"after_hours": 12, "to": "supervisor"}, …]: each
    # level alerted once, that many hours after the due time. Empty: the manager and every
    # supervisor and head of the area at once, when the task turns overdue.
    escalation = models.JSONField(_("escalation"), default=list, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    # Rows of the audit log name the rule by the label it had when the log began (append-only).
    AUDIT_LABEL: ClassVar[str] = "cases.deadlinerule"

    class Meta:
        db_table = "cases_deadlinerule"
        verbose_name = _("deadline rule")
        verbose_name_plural = _("deadline rules")
        ordering = ["country", "anchor", "code", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["country", "code", "version"], name="cases_rule_version_once"
            ),
            models.UniqueConstraint(
                fields=["country", "code"], condition=Q(active=True), name="cases_rule_one_active"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.country} {self.code} v{self.version}"

    def clean(self) -> None:
        levels = self.escalation
        message = _(
            "Give a list of levels, each with the hours after the due time (“after_hours”, from "
            "0, in increasing order) and who is alerted (“to”: manager, supervisor or head)."
        )
        if not isinstance(levels, list):
            raise ValidationError({"escalation": message})
        previous = -1
        for level in levels:
            after = level.get("after_hours") if isinstance(level, dict) else None
            if (
                not isinstance(level, dict)
                or set(level) != {"after_hours", "to"}
                or isinstance(after, bool)
                or not isinstance(after, int)
                or after < max(previous, 0)
                or level["to"] not in ESCALATION_LEVELS
            ):
                raise ValidationError({"escalation": message})
            previous = after


# Who an escalation level alerts: the case manager (or the task's assignee), the supervisors, or
# the heads of the area.
ESCALATION_LEVELS = ("manager", "supervisor", "head")


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("No longer needed")
    # A newer task of the same rule for the same case or report took its place.
    SUPERSEDED = "superseded", _("Replaced by a newer task")


class CancelCause(models.TextChoices):
    """Why a task was cancelled: by hand (with the reason written), or by a step that made it
    unnecessary. Each label is the sentence shown beside the cancelled task."""

    BY_HAND = "by_hand", _("Cancelled by a supervisor.")
    CASE_CLOSED = "case_closed", _("The case was closed.")
    REPORT_CLOSED = "report_closed", _("The report was redirected or closed without a case.")
    PLACEMENT_ENDED = "placement_ended", _("The placement ended.")


class Task(models.Model):
    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, null=True, blank=True, related_name="tasks"
    )
    report = models.ForeignKey(
        "intake.Report", on_delete=models.CASCADE, null=True, blank=True, related_name="tasks"
    )
    rule = models.ForeignKey(DeadlineRule, on_delete=models.PROTECT, related_name="tasks")
    kind = models.CharField(_("kind"), max_length=60)
    # The unit whose supervisors see it; kept here so that "overdue by unit" is one index scan.
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tasks",
    )
    anchor_at = models.DateTimeField()
    due_at = models.DateTimeField(_("due at"))
    status = models.CharField(max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Set once by the periodic job when the task passed its due time; drives the escalation.
    overdue_notified_at = models.DateTimeField(null=True, blank=True)
    # A cancelled or superseded task: when, by whom (none: a step of the system), why.
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cancel_cause = models.CharField(
        _("why it was cancelled"), max_length=20, choices=CancelCause.choices, blank=True
    )
    cancel_reason = models.TextField(_("reason"), max_length=2000, blank=True)
    superseded_by = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The levels of the rule's escalation already alerted, and when the next one is due (none
    # left: null).
    # (A default in the database too: the synthetic generator writes its rows by COPY.)
    escalation_level = models.PositiveSmallIntegerField(default=0, db_default=0)
    next_escalation_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "cases_task"
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["status", "due_at"], name="cases_task_open_due"),
            models.Index(fields=["assignee", "status", "due_at"], name="cases_task_assignee"),
            models.Index(fields=["unit", "status", "due_at"], name="cases_task_unit"),
            # An area's overdue steps by unit and by whom they wait on, from the index alone
            # (dashboards): the open steps only, a small part of all.
            models.Index(
                fields=["unit", "due_at"],
                include=["id", "assignee", "case"],
                condition=models.Q(status="open"),
                name="cases_task_open_unit",
            ),
            # The overdue scan's later rounds: only tasks with a level still to alert.
            models.Index(
                fields=["next_escalation_at"],
                # Open tasks only: a task met, cancelled or superseded keeps its last value.
                condition=models.Q(next_escalation_at__isnull=False, status="open"),
                name="cases_task_next_escalation",
            ),
        ]

    def __str__(self) -> str:
        return self.kind

    @property
    def met(self) -> bool | None:
        if self.done_at is None:
            return None
        return self.done_at <= self.due_at


class TimelineEvent(models.Model):
    """One line of the linear monitoring of a report and its case; `kind` selects the sentence
    shown, `data` fills it. Written by the services only, never edited."""

    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    report = models.ForeignKey(
        "intake.Report", on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=40)
    data = models.JSONField(default=dict, blank=True)
    task = models.ForeignKey(
        Task, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        db_table = "cases_timelineevent"
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["case", "at"], name="cases_event_case"),
            models.Index(fields=["report", "at"], name="cases_event_report"),
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class Notification(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=40)
    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    report = models.ForeignKey(
        "intake.Report", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    task = models.ForeignKey(
        Task, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "cases_notification"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="cases_notification_unread")]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "task", "kind"],
                condition=Q(task__isnull=False),
                name="cases_notification_once_per_task",
            ),
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class WorkflowVersion(models.Model):
    """One version of a country's case workflow as its pack defines it (`geo/packs/<cc>/
    workflow.json` over `common/workflow.json`): the stages in order with their names, the steps,
    the stages each may be taken from, who may take it, the records it needs and where it leads.
    Loading a pack whose workflow changed adds the next version; a case keeps the version it was
    opened with. Rows are never changed."""

    country = models.CharField(_("country"), max_length=2)
    version = models.PositiveSmallIntegerField(_("version"))
    definition = models.JSONField(_("definition"))
    # SHA-256 of the definition's canonical JSON: an unchanged pack adds no version.
    digest = models.CharField(_("digest"), max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("workflow version")
        verbose_name_plural = _("workflow versions")
        ordering = ["country", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["country", "version"], name="workflow_version_once"),
        ]

    def __str__(self) -> str:
        return f"{self.country} v{self.version}"
