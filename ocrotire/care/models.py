"""Placements in alternative care, by the forms of the UN Guidelines for the Alternative Care of
Children mapped to national types; a child has at most one active placement."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ocrotire.core.labels import NamedInLanguages


class PlacementForm(models.TextChoices):
    KINSHIP = "kinship", _("Kinship care")
    GUARDIANSHIP = "guardianship", _("Guardianship")
    FOSTER = "foster", _("Foster care")
    PROFESSIONAL_PARENTAL = "professional_parental", _("Professional parental assistance")
    FAMILY_TYPE_HOME = "family_type_home", _("Family-type children's home")
    EMERGENCY_CENTRE = "emergency_centre", _("Emergency placement centre")
    MATERNAL_CENTRE = "maternal_centre", _("Maternal centre")
    SUPPORTED_LIVING = "supported_living", _("Supported living")
    RESIDENTIAL = "residential", _("Residential care")


# Family-based forms (UN Guidelines §29 c): the rest are residential or transitional.
FAMILY_BASED = frozenset(
    {
        PlacementForm.KINSHIP,
        PlacementForm.GUARDIANSHIP,
        PlacementForm.FOSTER,
        PlacementForm.PROFESSIONAL_PARENTAL,
        PlacementForm.FAMILY_TYPE_HOME,
    }
)


# Forms that are residential care: the children deinstitutionalisation moves to family care.
RESIDENTIAL_FORMS = frozenset({PlacementForm.RESIDENTIAL, PlacementForm.EMERGENCY_CENTRE})


class PlacementEnd(models.TextChoices):
    REINTEGRATED = "reintegrated", _("Reintegrated in the family")
    ADOPTED = "adopted", _("Adopted")
    AGED_OUT = "aged_out", _("Aged out of care")
    TRANSFERRED = "transferred", _("Transferred to another placement")
    OTHER = "other", _("Other")


class DecisionBy(models.TextChoices):
    """Who decided a planned placement: the country's gatekeeping body, or a court."""

    GATEKEEPER = "gatekeeper", _("The gatekeeping commission")
    COURT = "court", _("A court")


class DecisionOutcome(models.TextChoices):
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class Gatekeeper(NamedInLanguages, models.Model):
    """The body of a country that decides planned placements (gatekeeping), from the country's
    pack (`care.json`): its names, the law that sets it up, and whether a lawyer verified it."""

    country = models.CharField(_("country"), max_length=2, unique=True)
    code = models.CharField(_("code"), max_length=40)
    names = models.JSONField(_("names"), default=dict)
    legal_reference = models.CharField(_("legal reference"), max_length=300, blank=True)
    verified = models.BooleanField(_("verified by a lawyer"), default=False)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("gatekeeping body")
        verbose_name_plural = _("gatekeeping bodies")
        ordering = ["country"]

    def __str__(self) -> str:
        return f"{self.country} {self.code}"


class Placement(models.Model):
    child = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="placements", null=True, blank=True
    )
    form = models.CharField(_("form of care"), max_length=30, choices=PlacementForm.choices)
    national_type = models.CharField(_("national type"), max_length=200, blank=True)
    emergency = models.BooleanField(_("emergency placement"), default=False)
    decision_reference = models.CharField(_("decision reference"), max_length=100, blank=True)
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    # The decision that a planned placement needs (gatekeeping): the country's commission or a
    # court; an emergency placement may have none until it is decided.
    decision_by = models.CharField(
        _("decided by"), max_length=10, choices=DecisionBy.choices, blank=True
    )
    gatekeeper = models.ForeignKey(
        Gatekeeper, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision_body = models.CharField(_("court"), max_length=200, blank=True)
    decision_outcome = models.CharField(
        _("decision"), max_length=10, choices=DecisionOutcome.choices, blank=True
    )
    carer_name = models.CharField(_("carer"), max_length=200, blank=True)
    facility = models.ForeignKey(
        "providers.ServicePoint",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="placements",
        verbose_name=_("facility"),
    )
    started_at = models.DateTimeField(_("started at"))
    next_review_at = models.DateTimeField(_("next review"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    end_reason = models.CharField(
        _("reason for ending"), max_length=20, choices=PlacementEnd.choices, blank=True
    )
    end_note = models.TextField(_("note at the end"), max_length=4000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        ordering = ["-started_at", "-id"]
        constraints = [
            # A child never has two active placements, whoever records them and however fast.
            models.UniqueConstraint(
                fields=["child"],
                condition=models.Q(ended_at__isnull=True),
                name="care_placement_one_active_per_child",
            ),
            models.CheckConstraint(
                condition=models.Q(ended_at__isnull=True)
                | models.Q(ended_at__gte=models.F("started_at")),
                name="care_placement_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_form_display()} {self.pk}"

    @property
    def family_based(self) -> bool:
        return self.form in FAMILY_BASED

    @property
    def decided_by_label(self) -> str:
        """The body that decided it, in the reader's language ("" when none did)."""
        if self.decision_by == DecisionBy.GATEKEEPER and self.gatekeeper is not None:
            return self.gatekeeper.label()
        return self.decision_body


class ReviewOutcome(models.TextChoices):
    CONTINUE = "continue", _("The placement continues")
    CHANGE = "change", _("The placement continues; a change of care is being prepared")
    END = "end", _("The placement ends")


class PlacementReview(models.Model):
    """A periodic review of a placement: it meets the review task and schedules the next."""

    placement = models.ForeignKey(Placement, on_delete=models.PROTECT, related_name="reviews")
    reviewed_at = models.DateTimeField(_("reviewed at"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=ReviewOutcome.choices)
    note = models.TextField(_("note"), max_length=4000)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("placement review")
        verbose_name_plural = _("placement reviews")
        ordering = ["reviewed_at", "id"]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class InstitutionChangeKind(models.TextChoices):
    REORGANISED = "reorganised", _("Reorganised into community services")
    CLOSED = "closed", _("Closed")


class InstitutionChange(models.Model):
    """A residential institution reorganised (its residential service replaced by community or
    family-type services, its successors) or closed, by a decision, from a date. From that date
    the facility takes no placement, and it cannot take effect while children still live there."""

    facility = models.OneToOneField(
        "providers.ServicePoint",
        on_delete=models.PROTECT,
        related_name="institution_change",
        verbose_name=_("institution"),
    )
    kind = models.CharField(_("change"), max_length=20, choices=InstitutionChangeKind.choices)
    decision_reference = models.CharField(_("decision reference"), max_length=100)
    decided_on = models.DateField(_("decision date"))
    effective_on = models.DateField(_("effective from"))
    successors = models.ManyToManyField(
        "providers.ServicePoint",
        related_name="+",
        blank=True,
        verbose_name=_("services that replace it"),
    )
    note = models.TextField(_("note"), max_length=4000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("institution change")
        verbose_name_plural = _("institution changes")
        ordering = ["effective_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(effective_on__gte=models.F("decided_on")),
                name="care_institutionchange_effective_after_decision",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.facility_id}"
