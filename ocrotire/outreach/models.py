"""Community outreach: what a community worker screened in a household and what followed, the
benefit programmes with their certificates, and the changes received from devices."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from ocrotire.dataforms.models import FormVersion
from ocrotire.geo.models import Unit
from ocrotire.intake.models import Report
from ocrotire.providers.models import Provider, ServiceBundle, ServiceType
from ocrotire.registry.models import Household, Person


class Screening(models.Model):
    """One screening of a household with the country's screening sheet (pack data), the flags
    computed from its answers, and a version that grows with every change (offline edits carry
    the version they were based on)."""

    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="screenings", verbose_name=_("household")
    )
    # The household's village or commune when screened: the counts per commune read it.
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("place")
    )
    form_version = models.ForeignKey(
        FormVersion, on_delete=models.PROTECT, related_name="+", verbose_name=_("form")
    )
    answers = models.JSONField(_("answers"), default=dict)
    flags = models.JSONField(_("flags"), default=list)
    screened_on = models.DateField(_("screened on"))
    screened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("screening")
        verbose_name_plural = _("screenings")
        ordering = ["-screened_on", "-id"]
        indexes = [models.Index(fields=["unit", "screened_on"], name="outreach_screening_unit_on")]

    def __str__(self) -> str:
        return f"{self.household_id} {self.screened_on}"


class FollowUpKind(models.TextChoices):
    REPORT = "report", _("Reported to the child-protection authority")
    VISIT = "visit", _("Follow-up visit planned")


class FollowUp(models.Model):
    """What a worker did about a child of a flagged household: a report to the competent
    authority (made in the same step) or a planned follow-up visit."""

    screening = models.ForeignKey(Screening, on_delete=models.CASCADE, related_name="follow_ups")
    child = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("follow-up"), max_length=10, choices=FollowUpKind.choices)
    report = models.ForeignKey(
        Report, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    visit_on = models.DateField(_("visit on"), null=True, blank=True)
    visited_at = models.DateTimeField(_("visited at"), null=True, blank=True)
    note = models.TextField(_("note"), max_length=2000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="report", report__isnull=False, visit_on__isnull=True))
                | Q(kind="visit", report__isnull=True, visit_on__isnull=False),
                name="outreach_follow_up_kind_fits",
            ),
            # One report per child and screening: pressing the button twice files one.
            models.UniqueConstraint(
                fields=["screening", "child"],
                condition=Q(kind="report"),
                name="outreach_follow_up_report_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.child_id}"


class Programme(models.Model):
    """A benefit programme: certificates of one amount up to a budget, for the households its
    eligibility rule admits, in an area. `places` is how many certificates the budget pays;
    `taken` counts the live ones (issued or redeemed) and the database refuses it above `places`,
    so two workers issuing the last certificate at once cannot both succeed."""

    country = models.CharField(_("country"), max_length=2)
    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=300)
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("area")
    )
    currency = models.CharField(_("currency"), max_length=3)
    amount = models.DecimalField(_("amount of one certificate"), max_digits=12, decimal_places=2)
    budget = models.DecimalField(_("budget"), max_digits=14, decimal_places=2)
    places = models.PositiveIntegerField(_("certificates the budget pays"))
    taken = models.PositiveIntegerField(_("certificates issued"), default=0)
    last_number = models.PositiveIntegerField(default=0)
    eligibility = models.JSONField(_("eligibility"), default=dict, blank=True)
    valid_days = models.PositiveIntegerField(_("days a certificate is valid"), default=365)
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"), null=True, blank=True)
    donor = models.CharField(_("donor"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("benefit programme")
        verbose_name_plural = _("benefit programmes")
        ordering = ["-opens_on", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(taken__lte=F("places")), name="outreach_programme_within_places"
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="outreach_programme_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CertificateStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")
    REFUSED = "refused", _("Refused")
    ISSUED = "issued", _("Issued")
    REDEEMED = "redeemed", _("Redeemed")
    EXPIRED = "expired", _("Expired")


# A household holds at most one certificate of a programme in these states.
LIVE_STATUSES = (
    CertificateStatus.APPLIED,
    CertificateStatus.ISSUED,
    CertificateStatus.REDEEMED,
)


class Certificate(models.Model):
    """A household's application to a programme and, once decided, its certificate: applied →
    refused, or issued with a unique number → redeemed or expired."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="certificates")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=CertificateStatus.choices,
        default=CertificateStatus.APPLIED,
    )
    number = models.CharField(_("number"), max_length=50, null=True, blank=True, unique=True)
    applied_at = models.DateTimeField(_("applied at"), auto_now_add=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(_("reason"), max_length=2000, blank=True)
    expires_on = models.DateField(_("valid until"), null=True, blank=True)
    redeemed_at = models.DateTimeField(_("redeemed at"), null=True, blank=True)
    redeemed_with = models.CharField(_("redeemed with"), max_length=300, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-applied_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "household"],
                condition=Q(status__in=[s.value for s in LIVE_STATUSES]),
                name="outreach_certificate_once_per_household",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["applied", "refused"]) | Q(number__isnull=False),
                name="outreach_certificate_issued_numbered",
            ),
        ]

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"


class SyncOutcome(models.TextChoices):
    APPLIED = "applied", _("Applied")
    CONFLICT = "conflict", _("Conflict")
    REJECTED = "rejected", _("Rejected")


class SyncChange(models.Model):
    """One change sent by a device, kept with its answer: the same `client_id` again gets the
    same answer and changes nothing. A conflict keeps the device's fields beside the server's
    value, so neither is lost, until the worker chooses."""

    client_id = models.UUIDField(unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    object_type = models.CharField(max_length=30)
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    base_version = models.PositiveIntegerField(default=0)
    fields = models.JSONField(default=dict)
    outcome = models.CharField(max_length=10, choices=SyncOutcome.choices)
    server_value = models.JSONField(null=True, blank=True)
    errors = models.JSONField(null=True, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    settled_at = models.DateTimeField(null=True, blank=True)
    settled_by = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("change from a device")
        verbose_name_plural = _("changes from devices")
        ordering = ["received_at", "id"]
        indexes = [
            models.Index(
                fields=["user", "outcome"],
                condition=Q(outcome="conflict", settled_at__isnull=True),
                name="outreach_sync_open_conflicts",
            )
        ]

    def __str__(self) -> str:
        return str(self.client_id)


class PackagePlan(models.Model):
    """A family's plan of the services of a package (a bundle of the country's catalogue, such
    as Chernihiv's minimum package of integrated social services for families with children):
    which of its services the family should receive. One plan per household and package."""

    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="+", verbose_name=_("household")
    )
    bundle = models.ForeignKey(
        ServiceBundle, on_delete=models.PROTECT, related_name="+", verbose_name=_("package")
    )
    services = models.ManyToManyField(ServiceType, related_name="+", verbose_name=_("services"))
    note = models.TextField(_("note"), max_length=2000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("plan of package services")
        verbose_name_plural = _("plans of package services")
        constraints = [
            models.UniqueConstraint(
                fields=["household", "bundle"], name="outreach_package_plan_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household_id} {self.bundle_id}"


class Delivery(models.Model):
    """One service given to a family: which, on which day, by which provider and worker, for how
    long. `client_id` is the device's name for it when it was recorded offline."""

    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="+", verbose_name=_("household")
    )
    # The household's place when the service was given: the coverage per place reads it.
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("place")
    )
    service = models.ForeignKey(
        ServiceType, on_delete=models.PROTECT, related_name="+", verbose_name=_("service")
    )
    provider = models.ForeignKey(
        Provider,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("provider"),
    )
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("worker"),
    )
    delivered_on = models.DateField(_("given on"))
    minutes = models.PositiveIntegerField(_("duration in minutes"))
    note = models.TextField(_("note"), max_length=2000, blank=True)
    client_id = models.UUIDField(null=True, blank=True, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("service given")
        verbose_name_plural = _("services given")
        ordering = ["-delivered_on", "-id"]
        indexes = [models.Index(fields=["unit", "delivered_on"], name="outreach_delivery_unit_on")]
        constraints = [
            models.CheckConstraint(
                condition=Q(minutes__gt=0, minutes__lte=24 * 60), name="outreach_delivery_minutes"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service_id} {self.delivered_on}"
