"""Service providers, their service points, and the country catalogues of services."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from ocrotire.accounts.models import Institution
from ocrotire.core.labels import NamedInLanguages
from ocrotire.geo.models import Unit


class ServiceGroup(models.TextChoices):
    PREVENTION = "prevention", _("Prevention and family support")
    DAY = "day", _("Day services")
    FAMILY_CARE = "family_care", _("Family-based alternative care")
    RESIDENTIAL = "residential", _("Residential care")
    SPECIALISED = "specialised", _("Specialised services")
    YOUTH = "youth", _("Young people leaving care")


class ServiceType(NamedInLanguages, models.Model):
    """A service of a country's catalogue (country pack `services.json`)."""

    country = models.CharField(_("country"), max_length=2)
    code = models.CharField(_("code"), max_length=60)
    # The national classifier's own code where there is one (Ukraine's order 429/2020).
    classifier_code = models.CharField(_("classifier code"), max_length=20, blank=True)
    names = models.JSONField(_("names"), default=dict)
    group = models.CharField(_("group"), max_length=20, choices=ServiceGroup.choices)
    # A service that places the child in care (counted by placements, not only by enrolment).
    care_form = models.BooleanField(_("alternative care"), default=False)
    ordering = models.PositiveSmallIntegerField(default=0)
    legal_reference = models.CharField(_("legal reference"), max_length=300, blank=True)
    verified = models.BooleanField(_("verified by a lawyer"), default=False)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("service type")
        verbose_name_plural = _("service types")
        ordering = ["country", "ordering", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["country", "code"], name="providers_servicetype_unique_code"
            ),
        ]

    def __str__(self) -> str:
        return self.label()


class ServiceBundle(NamedInLanguages, models.Model):
    """A named set of service types, such as Ukraine's minimum package of services."""

    country = models.CharField(_("country"), max_length=2)
    code = models.CharField(_("code"), max_length=60)
    names = models.JSONField(_("names"), default=dict)
    types = models.ManyToManyField(ServiceType, related_name="bundles", verbose_name=_("services"))
    legal_reference = models.CharField(_("legal reference"), max_length=300, blank=True)
    verified = models.BooleanField(_("verified by a lawyer"), default=False)

    class Meta:
        verbose_name = _("service bundle")
        verbose_name_plural = _("service bundles")
        ordering = ["country", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["country", "code"], name="providers_servicebundle_unique_code"
            ),
        ]

    def __str__(self) -> str:
        return self.label()


class ProviderKind(models.TextChoices):
    PUBLIC = "public", _("Public")
    NGO = "ngo", _("Non-governmental organisation")
    PRIVATE = "private", _("Private")


class Provider(models.Model):
    """A provider's entry in the register. The organisation itself (name, units covered, staff
    accounts) is an `Institution`; this adds what the register keeps about it as a provider."""

    institution = models.OneToOneField(
        Institution,
        on_delete=models.PROTECT,
        related_name="provider",
        verbose_name=_("institution"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ProviderKind.choices)
    legal_form = models.CharField(_("legal form"), max_length=120, blank=True)
    registration_number = models.CharField(_("registration number"), max_length=60, blank=True)
    licence_number = models.CharField(
        _("accreditation or licence number"), max_length=60, blank=True
    )
    licence_valid_from = models.DateField(_("valid from"), null=True, blank=True)
    licence_valid_until = models.DateField(_("valid until"), null=True, blank=True)
    contact_person = models.CharField(_("contact person"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=60, blank=True)
    email = models.EmailField(_("e-mail"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    target_groups = models.TextField(_("target groups"), max_length=2000, blank=True)
    last_verified = models.DateField(_("last verified"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("service provider")
        verbose_name_plural = _("service providers")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(licence_valid_from__isnull=True)
                | models.Q(licence_valid_until__isnull=True)
                | models.Q(licence_valid_until__gte=models.F("licence_valid_from")),
                name="providers_provider_licence_period",
            ),
        ]

    def __str__(self) -> str:
        return str(self.institution)

    def licence_status(self, today: date) -> str:
        """'' (no licence recorded or valid), 'expiring' (within the warning window), 'expired'."""
        if self.licence_valid_until is None:
            return ""
        if self.licence_valid_until < today:
            return "expired"
        window = timedelta(days=settings.OCROTIRE_LICENCE_WARNING_DAYS)
        if self.licence_valid_until <= today + window:
            return "expiring"
        return ""


class ServicePoint(models.Model):
    """Where a provider delivers one service: its places, who it takes, when it is open."""

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="service_points")
    service_type = models.ForeignKey(
        ServiceType, on_delete=models.PROTECT, related_name="+", verbose_name=_("service")
    )
    name = models.CharField(_("name"), max_length=300)
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    capacity = models.PositiveIntegerField(_("places"), validators=[MaxValueValidator(100_000)])
    age_min_months = models.PositiveSmallIntegerField(
        _("youngest age (months)"), null=True, blank=True, validators=[MaxValueValidator(360)]
    )
    age_max_months = models.PositiveSmallIntegerField(
        _("oldest age (months)"), null=True, blank=True, validators=[MaxValueValidator(360)]
    )
    eligibility = models.TextField(_("eligibility"), max_length=2000, blank=True)
    opening_hours = models.CharField(_("opening hours"), max_length=300, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    last_verified = models.DateField(_("last verified"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    # The day the service stops (a residential institution reorganised or closed): from then on
    # it takes no placement or referral and counts no places. Set by care.institution_change.
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("service point")
        verbose_name_plural = _("service points")
        ordering = ["id"]
        indexes = [models.Index(fields=["unit", "service_type"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(age_min_months__isnull=True)
                | models.Q(age_max_months__isnull=True)
                | models.Q(age_max_months__gte=models.F("age_min_months")),
                name="providers_servicepoint_age_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def open_on(self, day: date) -> bool:
        return (
            self.active
            and self.provider.active
            and (self.closed_on is None or self.closed_on > day)
        )


def open_points(day: date, prefix: str = "") -> models.Q:
    """Service points that take children on `day`: active, of an active provider, not closed.
    `prefix` reaches them through a relation ("service_point__")."""
    return models.Q(**{f"{prefix}active": True, f"{prefix}provider__active": True}) & (
        models.Q(**{f"{prefix}closed_on__isnull": True})
        | models.Q(**{f"{prefix}closed_on__gt": day})
    )


class EnrolmentStatus(models.TextChoices):
    WAITING = "waiting", _("On the waiting list")
    ENROLLED = "enrolled", _("Enrolled")
    ENDED = "ended", _("Ended")


class Enrolment(models.Model):
    """A child on a service point's waiting list, then enrolled, then gone: occupancy over time
    is the enrolments whose [enrolled_at, ended_at) covers the moment."""

    service_point = models.ForeignKey(
        ServicePoint, on_delete=models.PROTECT, related_name="enrolments"
    )
    child = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    referral = models.OneToOneField(
        "cases.Referral",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enrolment",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=EnrolmentStatus.choices, default=EnrolmentStatus.WAITING
    )
    queued_at = models.DateTimeField(_("on the waiting list since"))
    enrolled_at = models.DateTimeField(_("enrolled at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    # Set when an authorised user enrolled the child although every place was taken.
    over_capacity_reason = models.TextField(
        _("reason for enrolling over capacity"), max_length=4000, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["queued_at", "id"]
        indexes = [models.Index(fields=["service_point", "status", "queued_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["service_point", "child"],
                condition=~models.Q(status="ended"),
                name="providers_enrolment_one_open_per_child",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.child_id} @ {self.service_point_id}"
