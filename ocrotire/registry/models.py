"""Persons (children and adults), their identifiers, households, relationships, and merge history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from ocrotire.core.labels import NamedInLanguages
from ocrotire.geo.models import Unit


class Sex(models.TextChoices):
    FEMALE = "F", _("Female")
    MALE = "M", _("Male")


class BirthDatePrecision(models.TextChoices):
    DAY = "day", _("Exact date")
    MONTH = "month", _("Month and year")
    YEAR = "year", _("Year only")


class Displacement(models.TextChoices):
    NONE = "none", _("Not displaced")
    REFUGEE = "refugee", _("Refugee")
    IDP = "idp", _("Internally displaced")
    ASYLUM_SEEKER = "asylum_seeker", _("Asylum seeker")
    RETURNEE = "returnee", _("Returnee")
    STATELESS = "stateless", _("Stateless")


class PersonStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    MERGED = "merged", _("Merged into another record")
    ARCHIVED = "archived", _("Archived")


class IdentifierScheme(models.TextChoices):
    MD_IDNP = "md_idnp", _("Moldova: IDNP")
    RO_CNP = "ro_cnp", _("Romania: CNP")
    UA_RNOKPP = "ua_rnokpp", _("Ukraine: RNOKPP (taxpayer number)")
    UA_UNZR = "ua_unzr", _("Ukraine: UNZR (demographic register number)")
    KG_PIN = "kg_pin", _("Kyrgyzstan: PIN")
    BIRTH_CERTIFICATE = "birth_certificate", _("Birth certificate")
    PASSPORT = "passport", _("Passport")


class VulnerabilityCategory(NamedInLanguages, models.Model):
    """A vulnerability category of a country pack; names per UI language are data, not .po entries."""

    country = models.CharField(_("country"), max_length=2)
    code = models.CharField(_("code"), max_length=60)
    section = models.CharField(_("section"), max_length=60, blank=True)
    names = models.JSONField(_("names"), default=dict)
    legal_reference = models.CharField(_("legal reference"), max_length=300, blank=True)
    verified = models.BooleanField(_("verified by a lawyer"), default=False)
    active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("vulnerability category")
        verbose_name_plural = _("vulnerability categories")
        ordering = ["country", "section", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["country", "code"], name="registry_vulnerability_unique_code"
            ),
        ]

    def __str__(self) -> str:
        return self.label()


class Person(models.Model):
    given_name = models.CharField(_("given name"), max_length=120, blank=True)
    family_name = models.CharField(_("family name"), max_length=120, blank=True)
    patronymic = models.CharField(_("patronymic"), max_length=120, blank=True)
    other_names = models.CharField(_("other names"), max_length=300, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    birth_date_precision = models.CharField(
        _("birth date precision"),
        max_length=5,
        choices=BirthDatePrecision.choices,
        default=BirthDatePrecision.DAY,
    )
    birth_date_estimated = models.BooleanField(_("birth date estimated"), default=False)
    # Denormalised for the blocking index.
    birth_year = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    citizenship = models.CharField(_("citizenship"), max_length=2, blank=True)
    displacement = models.CharField(
        _("displacement status"),
        max_length=20,
        choices=Displacement.choices,
        default=Displacement.NONE,
    )
    disability = models.BooleanField(_("disability"), null=True, blank=True)
    disability_notes = models.CharField(_("disability notes"), max_length=300, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="residents",
        verbose_name=_("address unit"),
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    # The unit responsible for the record: it decides who may see it.
    scope_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="registered_persons",
        verbose_name=_("responsible unit"),
    )
    vulnerabilities = models.ManyToManyField(
        VulnerabilityCategory, blank=True, related_name="persons", verbose_name=_("vulnerabilities")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=PersonStatus.choices, default=PersonStatus.ACTIVE
    )
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged_records"
    )
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        ordering = ["family_name", "given_name", "id"]
        indexes = [
            models.Index(fields=["scope_unit", "status"], name="registry_person_scope"),
            models.Index(fields=["birth_year"], name="registry_person_birth_year"),
            # Everyone born on a probe's exact birth date is a candidate, whatever the spelling.
            models.Index(fields=["birth_date"], name="registry_person_birth_date"),
            # The figures (HG 270, dashboards) read a year's children by id for these columns
            # alone: from this narrow index, not from the wide rows (PostgreSQL).
            models.Index(
                fields=["id"],
                name="registry_person_figures",
                include=["sex", "birth_date", "displacement", "disability"],
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(given_name="") | ~Q(family_name=""), name="registry_person_has_a_name"
            ),
            models.CheckConstraint(
                condition=Q(merged_into__isnull=True) | ~Q(merged_into=F("id")),
                name="registry_person_not_merged_into_self",
            ),
        ]

    def __str__(self) -> str:
        return (
            " ".join(part for part in (self.family_name, self.given_name, self.patronymic) if part)
            or f"#{self.pk}"
        )


class PersonIdentifier(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="identifiers")
    scheme = models.CharField(_("scheme"), max_length=30, choices=IdentifierScheme.choices)
    value = models.CharField(_("value"), max_length=40)
    # Off for a duplicate identifier left behind by a merge (kept for undo and history).
    active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("identifier")
        verbose_name_plural = _("identifiers")
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "value"],
                condition=Q(active=True),
                name="registry_identifier_unique_active",
            ),
        ]
        indexes = [models.Index(fields=["scheme", "value"], name="registry_identifier_lookup")]

    def __str__(self) -> str:
        return f"{self.scheme}:{self.value}"


class NameKey(models.Model):
    """Blocking keys of a person's names (folded, romanised, phonetic, given-name group), with the
    birth year, so that a live match reads a handful of index entries instead of the registry."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="name_keys")
    key = models.CharField(max_length=80)
    birth_year = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        # The live match reads the person id from the index alone (an index-only scan on
        # PostgreSQL; SQLite ignores INCLUDE).
        indexes = [
            models.Index(
                fields=["key", "birth_year"], include=["person"], name="registry_namekey_block"
            )
        ]
        constraints = [
            models.UniqueConstraint(fields=["person", "key"], name="registry_namekey_unique")
        ]

    def __str__(self) -> str:
        return self.key


class Household(models.Model):
    name = models.CharField(_("name"), max_length=200, blank=True)
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("address unit"),
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    scope_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="registered_households",
        verbose_name=_("responsible unit"),
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")

    def __str__(self) -> str:
        return self.name or f"#{self.pk}"


class HouseholdRole(models.TextChoices):
    HEAD = "head", _("Head of household")
    MEMBER = "member", _("Member")


class HouseholdMember(models.Model):
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="household_memberships"
    )
    role = models.CharField(
        _("role"), max_length=10, choices=HouseholdRole.choices, default=HouseholdRole.MEMBER
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["household", "person"], name="registry_household_member_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} in {self.household_id}"


class RelationshipKind(models.TextChoices):
    MOTHER = "mother", _("Mother")
    FATHER = "father", _("Father")
    GUARDIAN = "guardian", _("Guardian")
    CARER = "carer", _("Carer")
    FOSTER_PARENT = "foster_parent", _("Foster parent")
    GRANDPARENT = "grandparent", _("Grandparent")
    SIBLING = "sibling", _("Sibling")
    OTHER_RELATIVE = "other_relative", _("Other relative")
    ALLEGED_PERPETRATOR = "alleged_perpetrator", _("Alleged perpetrator")


class Relationship(models.Model):
    """`related` is the `kind` of `person`: (child, mother) reads "her mother is …"."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="relationships")
    related = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="related_to")
    kind = models.CharField(_("relationship"), max_length=30, choices=RelationshipKind.choices)
    legal_representative = models.BooleanField(_("legal representative"), default=False)
    notes = models.CharField(_("notes"), max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "related", "kind"], name="registry_relationship_once"
            ),
            models.CheckConstraint(
                condition=~Q(person=F("related")), name="registry_relationship_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} → {self.kind} → {self.related_id}"


class NotDuplicate(models.Model):
    """A reviewer's decision that two records are different people; such a pair is never proposed again."""

    person_low = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    person_high = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now_add=True)
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person_low", "person_high"], name="registry_notduplicate_once"
            ),
            models.CheckConstraint(
                condition=Q(person_low__lt=F("person_high")), name="registry_notduplicate_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_low_id} ≠ {self.person_high_id}"


class Merge(models.Model):
    """One merge, with everything needed to undo it: the survivor's values before, and every moved link."""

    survivor = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="merges_kept")
    merged = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="merges_absorbed")
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    merged_at = models.DateTimeField(auto_now_add=True)
    survivor_before = models.JSONField(default=dict)
    survivor_version_after = models.PositiveIntegerField()
    moved = models.JSONField(default=dict)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-merged_at", "-id"]

    def __str__(self) -> str:
        return f"{self.merged_id} → {self.survivor_id}"


class DuplicateCandidate(models.Model):
    """A pair proposed for review by batch de-duplication (or flagged at registration)."""

    class Status(models.TextChoices):
        OPEN = "open", _("To review")
        MERGED = "merged", _("Merged")
        DISTINCT = "distinct", _("Different people")

    person_low = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    person_high = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    reasons = models.JSONField(default=list)
    cluster = models.CharField(max_length=40, blank=True)
    source = models.CharField(max_length=20, default="batch")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-score", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person_low", "person_high"], name="registry_candidate_once"
            ),
            models.CheckConstraint(
                condition=Q(person_low__lt=F("person_high")), name="registry_candidate_ordered"
            ),
        ]
        indexes = [models.Index(fields=["status", "-score"], name="registry_candidate_queue")]

    def __str__(self) -> str:
        return f"{self.person_low_id} ~ {self.person_high_id} ({self.score:.2f})"


class DedupRun(models.Model):
    """One registry-wide de-duplication job, with its progress for the people waiting on it."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Finished")
        FAILED = "failed", _("Failed")

    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    stage = models.CharField(max_length=40, blank=True)
    records = models.PositiveIntegerField(default=0)
    pairs = models.PositiveIntegerField(default=0)
    proposed = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(default=0)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Beaten by the running worker (core.jobs.JobBeat): silent too long, the worker died.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"dedup run {self.pk} ({self.status})"
