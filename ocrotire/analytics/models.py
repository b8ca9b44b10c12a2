"""Configuration of the DHIS2 export and the background export jobs."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from ocrotire.geo.models import Unit

# DHIS2 identifiers are 11 characters: a letter, then letters or digits.
dhis2_uid = RegexValidator(
    r"^[A-Za-z][A-Za-z0-9]{10}$",
    _("A DHIS2 identifier is 11 letters or digits and starts with a letter."),
)


class Dhis2OrgUnit(models.Model):
    """The DHIS2 organisation unit that stands for one of our administrative units."""

    unit = models.OneToOneField(
        Unit, on_delete=models.CASCADE, related_name="dhis2", verbose_name=_("unit")
    )
    org_unit = models.CharField(_("DHIS2 organisation unit"), max_length=11, validators=[dhis2_uid])

    class Meta:
        verbose_name = _("DHIS2 organisation unit")
        verbose_name_plural = _("DHIS2 organisation units")
        ordering = ["unit__path"]

    def __str__(self) -> str:
        return f"{self.unit.code} → {self.org_unit}"


class Dhis2DataElement(models.Model):
    """Where one of our aggregate indicators goes in DHIS2: a data element and, for a
    breakdown, its category option combination."""

    indicator = models.CharField(_("indicator"), max_length=60, unique=True)
    data_element = models.CharField(_("data element"), max_length=11, validators=[dhis2_uid])
    category_option_combo = models.CharField(
        _("category option combination"), max_length=11, blank=True, validators=[dhis2_uid]
    )
    attribute_option_combo = models.CharField(
        _("attribute option combination"), max_length=11, blank=True, validators=[dhis2_uid]
    )

    class Meta:
        verbose_name = _("DHIS2 data element")
        verbose_name_plural = _("DHIS2 data elements")
        ordering = ["indicator"]
        constraints = [
            models.UniqueConstraint(
                fields=["data_element", "category_option_combo", "attribute_option_combo"],
                name="analytics_dhis2_element_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator} → {self.data_element}"


class ExportJob(models.Model):
    """A large export written in the background: its progress for the person waiting, then the
    file (private storage) for them alone to download."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Finished")
        FAILED = "failed", _("Failed")

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "Excel"

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("list"), max_length=40)
    format = models.CharField(_("format"), max_length=4, choices=Format.choices)
    params = models.JSONField(_("filters"), default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    written = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="exports/%Y/%m/", blank=True)
    name = models.CharField(_("file name"), max_length=200, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Beaten by the running worker (core.jobs.JobBeat): silent too long, the worker died.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["requested_by", "-created_at"], name="analytics_export_user")
        ]

    def __str__(self) -> str:
        return f"export {self.pk} ({self.kind}, {self.status})"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return min(99, (100 * self.written) // self.total) if self.total else 0


# -- day figures of the reports, kept for the dashboards (see common/figures.py) --------------


class FigureChange(models.Model):
    """A report whose figures changed: its unit and moment received, written by database
    triggers on the reports, their concerns and children, and the children's marks. The day it
    names is counted from the reports again by the next refresh."""

    id = models.BigAutoField(primary_key=True)
    # Not a constraint: written by triggers, read as numbers (units are never deleted).
    unit = models.ForeignKey(
        Unit, on_delete=models.DO_NOTHING, db_constraint=False, null=True, related_name="+"
    )
    received_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["received_at"], name="analytics_change_received")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.received_at:%Y-%m-%d %H:%M}"


class FigureBuild(models.Model):
    """Present once the day figures were counted from every report; the time zone whose days
    they are (another zone means counting them again)."""

    built_at = models.DateTimeField()
    time_zone = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"{self.built_at:%Y-%m-%d %H:%M} ({self.time_zone})"


class DayFigure(models.Model):
    """Records of a unit counted for a day, or for a month (`whole_month`); each table adds the
    groups it counts by (see common/figures.py)."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, null=True, related_name="+")
    day = models.DateField()
    # A month's row (`day` its first) sums the month's day rows, for periods of whole months.
    whole_month = models.BooleanField(default=False)
    n = models.PositiveIntegerField()

    class Meta:
        abstract = True

    def __str__(self) -> str:
        month = " (month)" if self.whole_month else ""
        return f"{self.unit_id} {self.day}{month}: {self.n}"


class ReportDayFigure(DayFigure):
    """Reports received by a unit on a day (or in a month), by channel and reporter."""

    channel = models.CharField(max_length=20)
    reporter_kind = models.CharField(max_length=20)
    reporter_sector = models.CharField(max_length=20)

    class Meta:
        indexes = [
            models.Index(
                fields=["unit", "whole_month", "day"],
                include=["channel", "reporter_kind", "reporter_sector", "n"],
                name="analytics_reportday",
            )
        ]


class ConcernDayFigure(DayFigure):
    """Reports received by a unit on a day naming a concern."""

    concern = models.ForeignKey(
        "intake.ConcernCategory", on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        indexes = [
            models.Index(
                fields=["unit", "whole_month", "day"],
                include=["concern", "n"],
                name="analytics_concernday",
            )
        ]


class ChildDayFigure(DayFigure):
    """Children named in the reports received by a unit on a day (or in a month), by sex, age
    in whole years on that day, refugee, disability and self-referral ("yes"/"no")."""

    sex = models.CharField(max_length=10)
    years = models.SmallIntegerField(null=True)
    refugee = models.CharField(max_length=3)
    disability = models.CharField(max_length=3)
    # Named in a self-referral ("yes") or in a report from others ("no"): HG 270 rows 2 and 1.
    self_referral = models.CharField(max_length=3)

    class Meta:
        indexes = [
            models.Index(
                fields=["unit", "whole_month", "day"],
                include=["sex", "years", "refugee", "disability", "self_referral", "n"],
                name="analytics_childday",
            )
        ]
