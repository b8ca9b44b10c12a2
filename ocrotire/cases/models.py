"""Cases along the intersectoral mechanism: stages, team, assessments, plans, visits, meetings,
referrals and protective actions. Their tasks and timeline are the workflow app's."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ocrotire.accounts.models import Institution
from ocrotire.core.crypto import EncryptedJSONField, EncryptedTextField
from ocrotire.dataforms.answers import answers_shown
from ocrotire.dataforms.models import FormVersion
from ocrotire.geo.models import Unit
from ocrotire.registry.models import Person
from ocrotire.workflow.models import WorkflowVersion


class Stage(models.TextChoices):
    INITIAL_ASSESSMENT = "initial_assessment", _("Initial assessment")
    EMERGENCY_PROTECTION = "emergency_protection", _("Emergency protection")
    COMPLEX_ASSESSMENT = "complex_assessment", _("Complex assessment")
    PLANNING = "planning", _("Individual assistance plan")
    PLAN_APPROVAL = "plan_approval", _("Plan awaiting approval")
    IMPLEMENTATION = "implementation", _("Implementation and monitoring")
    CLOSURE_PROPOSED = "closure_proposed", _("Closure proposed")
    CLOSED = "closed", _("Closed")


OPEN_STAGES = [s for s in Stage.values if s != Stage.CLOSED]


class RiskLevel(models.TextChoices):
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


class ClosureReason(models.TextChoices):
    OBJECTIVES_ACHIEVED = "objectives_achieved", _("Plan objectives achieved")
    RISK_REMOVED = "risk_removed", _("Risk removed")
    MOVED_AWAY = "moved_away", _("Family moved out of the area")
    TRANSFERRED = "transferred", _("Transferred to another authority")
    TURNED_18 = "turned_18", _("The child turned 18")
    DEATH = "death", _("Death of the child")
    REFUSAL = "refusal", _("Family refused the services")
    NOT_CONFIRMED = "not_confirmed", _("Suspicion not confirmed")
    OTHER = "other", _("Other")


class Case(models.Model):
    number = models.CharField(_("case number"), max_length=60, unique=True)
    child = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="cases", verbose_name=_("child")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="cases", verbose_name=_("responsible unit")
    )
    lead_institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_cases",
        verbose_name=_("lead institution"),
    )
    stage = models.CharField(
        _("stage"), max_length=24, choices=Stage.choices, default=Stage.INITIAL_ASSESSMENT
    )
    # The stage a case was in before closure was proposed, to go back to if it is refused.
    stage_before = models.CharField(max_length=24, choices=Stage.choices, blank=True)
    # The version of its country's workflow the case was opened with (empty for a case opened
    # before its country's pack was loaded: it follows the newest version).
    workflow_version = models.ForeignKey(
        WorkflowVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("workflow version"),
    )
    risk_level = models.CharField(_("risk level"), max_length=10, choices=RiskLevel.choices)
    immediate_danger = models.BooleanField(_("immediate danger"), default=False)
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="managed_cases",
        verbose_name=_("case manager"),
    )
    opened_at = models.DateTimeField(_("opened at"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    registration_disposition = models.CharField(
        _("registration disposition number"), max_length=60, blank=True
    )
    closure_reason = models.CharField(
        _("closure reason"), max_length=24, choices=ClosureReason.choices, blank=True
    )
    closure_note = models.TextField(_("closure note"), max_length=4000, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closure_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    times_reopened = models.PositiveSmallIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-opened_at", "-id"]
        indexes = [
            # An area's cases by stage, those closed in a period, and their managers, from the
            # index alone (lists, board, dashboards; the id for COUNT(id)).
            models.Index(
                fields=["unit", "stage", "closed_at"],
                name="cases_case_unit_stage_closed",
                include=["manager", "id"],
            ),
            models.Index(fields=["manager", "stage"], name="cases_case_manager_stage"),
            # Covering: a page of a wide list is found from the index alone, filters included.
            models.Index(
                fields=["-opened_at", "-id"],
                name="cases_case_opened",
                # The child too: a page of the cases of the children named by a search walks the
                # index without reading a row per entry.
                include=["unit", "stage", "risk_level", "child"],
            ),
            # A search by name counts the cases of the children found, in the reader's area, from
            # the index alone (at 1 M, "Maria" names 45,000 children; the heap rows of the whole
            # city's cases were read to filter them).
            models.Index(fields=["child"], name="cases_case_child_unit", include=["unit", "stage"]),
        ]
        constraints = [
            # A child never has two open cases: a second report links to the first.
            models.UniqueConstraint(
                fields=["child"], condition=~Q(stage="closed"), name="cases_one_open_case_per_child"
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.stage != Stage.CLOSED


class CaseMember(models.Model):
    """A member of the multidisciplinary team; members from other institutions see only the
    cases they are on."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="case_memberships"
    )
    role = models.CharField(_("role in the team"), max_length=120, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)
    active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["case", "user"], condition=Q(active=True), name="cases_member_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class AssessmentKind(models.TextChoices):
    INITIAL = "initial", _("Initial assessment")
    COMPLEX = "complex", _("Complex assessment")


class Confirmation(models.TextChoices):
    YES = "yes", _("Confirmed")
    PARTLY = "partly", _("Partly confirmed")
    NO = "no", _("Not confirmed")


class Assessment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assessments")
    kind = models.CharField(_("kind"), max_length=10, choices=AssessmentKind.choices)
    completed_at = models.DateTimeField(_("completed at"))
    protection_interview_done = models.BooleanField(_("protection interview held"), default=False)
    risk_level = models.CharField(_("risk level"), max_length=10, choices=RiskLevel.choices)
    confirmed = models.CharField(
        _("suspicion confirmed"), max_length=10, choices=Confirmation.choices
    )
    findings = EncryptedTextField(_("findings"), max_length=20000)
    recommendation = EncryptedTextField(_("recommendation"), max_length=4000, blank=True)
    # Service needs (codes of the country's service catalogue), for the gap analysis.
    needs = models.JSONField(_("needs"), default=list, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # The country's official form as it was when filled, and its answers (dataforms.spec).
    form_version = models.ForeignKey(
        FormVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answers = EncryptedJSONField(_("answers"), default=dict, blank=True)

    class Meta:
        ordering = ["completed_at", "id"]
        indexes = [
            # Whether a report's suspicion was confirmed, read from the index alone (HG 270).
            models.Index(
                fields=["case", "completed_at"],
                name="cases_assessment_confirmed",
                include=["confirmed"],
            ),
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"

    def answers_by_section(self) -> list[Any]:
        """The answered questions of its form, in the version it was filled with."""
        return answers_shown(self.form_version, self.answers)


class PlanStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned for changes")


class Plan(models.Model):
    """One version of the individual assistance plan (PIA)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="plans")
    number = models.PositiveSmallIntegerField(_("version"))
    goals = models.TextField(_("goals"), max_length=20000)
    actions = models.JSONField(_("actions"), default=list)
    next_review_due = models.DateField(_("next review due"), null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=PlanStatus.choices, default=PlanStatus.SUBMITTED
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(max_length=4000, blank=True)
    form_version = models.ForeignKey(
        FormVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answers = EncryptedJSONField(_("answers"), default=dict, blank=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["case", "number"], name="cases_plan_version_once"),
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"

    def answers_by_section(self) -> list[Any]:
        """The answered questions of its form, in the version it was filled with."""
        return answers_shown(self.form_version, self.answers)


class VisitKind(models.TextChoices):
    HOME = "home", _("Home visit")
    SCHOOL = "school", _("Visit at school or kindergarten")
    OFFICE = "office", _("Meeting at the office")
    PHONE = "phone", _("Phone follow-up")


class Visit(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="visits")
    visited_at = models.DateTimeField(_("visited at"))
    kind = models.CharField(_("kind"), max_length=10, choices=VisitKind.choices)
    observations = EncryptedTextField(_("observations"), max_length=20000)
    risk_level = models.CharField(
        _("risk level after the visit"), max_length=10, choices=RiskLevel.choices, blank=True
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The country's form of the visit (Romania's observation sheet) as it was when filled.
    form_version = models.ForeignKey(
        FormVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answers = EncryptedJSONField(_("answers"), default=dict, blank=True)

    class Meta:
        ordering = ["visited_at", "id"]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"

    def answers_by_section(self) -> list[Any]:
        """The answered questions of its form, in the version it was filled with."""
        return answers_shown(self.form_version, self.answers)


class ReviewOutcome(models.TextChoices):
    CONTINUE = "continue", _("Continue the plan")
    REPLAN = "replan", _("Revise the plan")


class Review(models.Model):
    """A periodic review of the case and its plan."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reviews")
    reviewed_at = models.DateTimeField(_("reviewed at"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=ReviewOutcome.choices)
    summary = EncryptedTextField(_("summary"), max_length=20000)
    risk_level = models.CharField(_("risk level"), max_length=10, choices=RiskLevel.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["reviewed_at", "id"]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class MeetingKind(models.TextChoices):
    CASE_CONFERENCE = "case_conference", _("Case conference of the multidisciplinary team")
    COMMISSION = "commission", _("Commission for the protection of the child in difficulty")


class Meeting(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="meetings")
    kind = models.CharField(_("kind"), max_length=20, choices=MeetingKind.choices)
    held_at = models.DateTimeField(_("held at"))
    participants = models.TextField(_("participants"), max_length=4000, blank=True)
    decision = EncryptedTextField(_("decision"), max_length=20000)
    decision_number = models.CharField(_("decision number"), max_length=60, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["held_at", "id"]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class ReferralStatus(models.TextChoices):
    SENT = "sent", _("Sent")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    ENROLLED = "enrolled", _("Enrolled")
    COMPLETED = "completed", _("Completed")
    DROPPED = "dropped", _("Dropped")


class Referral(models.Model):
    """A referral from a case to a service; the provider side answers it (providers app)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="referrals")
    to_institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals_received",
        verbose_name=_("to institution"),
    )
    service = models.CharField(_("service"), max_length=200)
    reason = models.TextField(_("reason"), max_length=4000)
    complex_case = models.BooleanField(_("complex case"), default=False)
    status = models.CharField(
        max_length=10, choices=ReferralStatus.choices, default=ReferralStatus.SENT
    )
    sent_at = models.DateTimeField()
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # A referral to a service point of the provider register is answered by that provider.
    service_point = models.ForeignKey(
        "providers.ServicePoint",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
        verbose_name=_("service point"),
    )
    # The case task that waits for the provider's answer (rule `referral_response`).
    response_task = models.OneToOneField(
        "workflow.Task", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    response_due_at = models.DateTimeField(_("answer due"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decline_reason = models.TextField(_("reason for declining"), max_length=4000, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    end_note = models.TextField(_("note at the end"), max_length=4000, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["sent_at", "id"]
        indexes = [models.Index(fields=["service_point", "status"])]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class ProtectiveActionKind(models.TextChoices):
    REMOVAL = "removal", _("Emergency removal from the family")
    POLICE_ORDER = "police_order", _("Police protection order")
    HOSPITALISATION = "hospitalisation", _("Hospitalisation")
    OTHER = "other", _("Other urgent measure")


class ProtectiveAction(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="protective_actions")
    kind = models.CharField(_("kind"), max_length=20, choices=ProtectiveActionKind.choices)
    decided_at = models.DateTimeField(_("decided at"))
    description = EncryptedTextField(_("description"), max_length=4000, blank=True)
    prosecutor_notified_at = models.DateTimeField(null=True, blank=True)
    court_filed_at = models.DateTimeField(null=True, blank=True)
    # The child went back to the family (art. 71(3): without a court action in time it must).
    returned_at = models.DateTimeField(null=True, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["decided_at", "id"]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"
