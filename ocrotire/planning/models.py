"""Strategy action plans (F7): a strategy's tree of general objectives, specific objectives,
actions and sub-actions with their cells (deadline or periodicity, responsible institutions,
partners, result indicators, financing by source, cross references), the indicators with their
targets and values, the yearly progress of each sub-action, and what an import could not read."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

YEAR = [MinValueValidator(1990), MaxValueValidator(2100)]


class Strategy(models.Model):
    name = models.CharField(_("name"), max_length=500)
    country = models.CharField(_("country"), max_length=2)
    unit = models.ForeignKey(
        "geo.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("territory")
    )
    period_start = models.PositiveSmallIntegerField(_("first year"), validators=YEAR)
    period_end = models.PositiveSmallIntegerField(_("last year"), validators=YEAR)
    approving_decision = models.TextField(_("approving decision"), max_length=4000, blank=True)
    document_date = models.DateField(_("date of the document"), null=True, blank=True)
    source_name = models.CharField(_("imported from"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("strategy")
        verbose_name_plural = _("strategies")
        ordering = ["-period_start", "name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="planning_strategy_period",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Level(models.TextChoices):
    GENERAL = "general", _("General objective")
    SPECIFIC = "specific", _("Specific objective")
    ACTION = "action", pgettext_lazy("plan level", "Action")
    SUBACTION = "subaction", _("Sub-action")


class DeadlineKind(models.TextChoices):
    YEAR = "year", _("In a year")
    RANGE = "range", _("Over years")
    ANNUAL = "annual", _("Every year")
    PERIODIC = "periodic", _("Periodically")
    PERMANENT = "permanent", _("Permanent")
    AS_NEEDED = "as_needed", _("As needed")
    UNKNOWN = "unknown", _("Not understood")


class PlanItem(models.Model):
    """One row of the plan's tree. Sub-actions carry the cells of columns 4–8."""

    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="items")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    code = models.CharField(_("code"), max_length=30)
    title = models.TextField(_("title"), max_length=4000)
    note = models.TextField(_("note"), max_length=4000, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    deadline_text = models.CharField(_("deadline or periodicity"), max_length=200, blank=True)
    deadline_kind = models.CharField(
        _("kind of deadline"), max_length=10, choices=DeadlineKind.choices, blank=True
    )
    start_year = models.PositiveSmallIntegerField(
        _("from year"), null=True, blank=True, validators=YEAR
    )
    end_year = models.PositiveSmallIntegerField(
        _("until year"), null=True, blank=True, validators=YEAR
    )
    times_per_year = models.PositiveSmallIntegerField(
        _("times a year"), null=True, blank=True, validators=[MaxValueValidator(366)]
    )
    responsible = models.ManyToManyField(
        "accounts.Institution", related_name="+", blank=True, verbose_name=_("responsible")
    )
    responsible_text = models.CharField(_("responsible (as written)"), max_length=500, blank=True)
    partners = models.ManyToManyField(
        "accounts.Institution", related_name="+", blank=True, verbose_name=_("partners")
    )
    partners_text = models.CharField(_("partners (as written)"), max_length=500, blank=True)
    result_text = models.TextField(_("result indicators (as written)"), max_length=4000, blank=True)
    cross_refs = models.JSONField(_("cross references"), default=list, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("plan item")
        verbose_name_plural = _("plan items")
        ordering = ["strategy", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["strategy", "code"], name="planning_item_unique_code"),
        ]
        indexes = [models.Index(fields=["strategy", "level"])]

    def __str__(self) -> str:
        return f"{self.code} {self.title[:60]}"


class FundingSource(models.TextChoices):
    MUNICIPAL = "municipal", _("Municipal budget")
    STATE = "state", _("State budget")
    OTHER = "other", _("Other sources, donations")
    UNCOVERED = "uncovered", _("Uncovered")
    UNSPECIFIED = "unspecified", _("Source not given")


# The plan's money columns: 8 is the total of 8-1…8-4.
FUNDING_COLUMNS = {
    FundingSource.MUNICIPAL: "8-1",
    FundingSource.STATE: "8-2",
    FundingSource.OTHER: "8-3",
    FundingSource.UNCOVERED: "8-4",
}


class Funding(models.Model):
    item = models.ForeignKey(PlanItem, on_delete=models.CASCADE, related_name="funding")
    source = models.CharField(_("source"), max_length=12, choices=FundingSource.choices)
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="MDL")
    text = models.CharField(_("as written"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("funding")
        verbose_name_plural = _("funding")
        ordering = ["item", "id"]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} ({self.source})"


class IndicatorKind(models.TextChoices):
    IMPACT = "impact", _("Impact indicator")
    SPECIFIC = "specific", _("Specific objective indicator")
    OUTCOME = "outcome", _("Outcome indicator")
    RESULT = "result", _("Result indicator")


class Comparator(models.TextChoices):
    AT_LEAST = "at_least", _("at least")
    AT_MOST = "at_most", _("at most")
    EXACTLY = "exactly", _("exactly")


class Indicator(models.Model):
    """An indicator of the plan: entered per period with evidence, or computed from live data by
    a named query of `planning.computations`."""

    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="indicators")
    item = models.ForeignKey(PlanItem, on_delete=models.CASCADE, related_name="indicators")
    kind = models.CharField(_("kind"), max_length=10, choices=IndicatorKind.choices)
    code = models.CharField(_("code"), max_length=40)
    text = models.TextField(_("indicator"), max_length=4000)
    unit = models.CharField(_("unit"), max_length=200, blank=True)
    percent = models.BooleanField(_("a percentage"), default=False)
    baseline = models.DecimalField(
        _("baseline"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    baseline_year = models.PositiveSmallIntegerField(
        _("baseline year"), null=True, blank=True, validators=YEAR
    )
    computation = models.CharField(_("computed by"), max_length=60, blank=True)
    position = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["strategy", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["strategy", "code"], name="planning_indicator_unique_code"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.text[:60]}"


class IndicatorTarget(models.Model):
    """A target: for one year, or (year empty) for every year of the plan."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True, validators=YEAR)
    value = models.DecimalField(_("target"), max_digits=16, decimal_places=2)
    comparator = models.CharField(
        _("comparison"), max_length=10, choices=Comparator.choices, default=Comparator.AT_LEAST
    )

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["indicator", "year", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "year"], name="planning_target_one_per_year"
            ),
            models.UniqueConstraint(
                fields=["indicator"],
                condition=models.Q(year__isnull=True),
                name="planning_target_one_every_year",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.year or '*'} {self.value}"


class IndicatorValue(models.Model):
    """The value of an indicator for a year, entered with its evidence by the institution
    responsible for it (computed indicators are counted when read, not stored)."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR)
    value = models.DecimalField(_("value"), max_digits=16, decimal_places=2)
    note = models.TextField(_("evidence"), max_length=4000, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        ordering = ["indicator", "year"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "year"], name="planning_value_per_year"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.year}: {self.value}"


class ProgressStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", pgettext_lazy("plan progress", "Done")
    DELAYED = "delayed", _("Delayed")
    CANCELLED = "cancelled", _("Cancelled")


class Progress(models.Model):
    """Where a sub-action stands in a year, said by its responsible institution."""

    item = models.ForeignKey(PlanItem, on_delete=models.CASCADE, related_name="progress")
    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR)
    status = models.CharField(_("status"), max_length=12, choices=ProgressStatus.choices)
    comment = models.TextField(_("comment"), max_length=4000, blank=True)
    evidence = models.TextField(_("evidence"), max_length=4000, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("progress")
        verbose_name_plural = _("progress")
        ordering = ["item", "year"]
        constraints = [
            models.UniqueConstraint(fields=["item", "year"], name="planning_progress_per_year"),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} {self.year}: {self.status}"


class Problem(models.TextChoices):
    NO_HEADER = "no_header", _("The plan's numbered columns were not found")
    DOCUMENT_DATE = "document_date", _("The document's date is not a real date")
    IMPACT_INDICATORS = "impact_indicators", _("Impact indicators not understood")
    INCOMPLETE_ROW = "incomplete_row", _("The document ends in this row: these columns are missing")
    NO_SPECIFIC_CODE = "no_specific_code", _("A specific objective without a code")
    NO_ACTION_CODE = "no_action_code", _("An action without a code")
    NO_SUBACTION = "no_subaction", _("Cells without a sub-action")
    NO_SUBACTION_CODE = "no_subaction_code", _("A sub-action without a code")
    WRONG_PARENT = "wrong_parent", _("The code does not belong to the action above it")
    DUPLICATE_CODE = "duplicate_code", _("A second row with the same code")
    DEADLINE = "deadline", _("Deadline or periodicity not understood")
    NO_TARGET = "no_target", _("An indicator without a target number")
    INDICATOR_CODE = "indicator_code", _("Indicator code not understood")
    MONEY = "money", _("Money not understood")
    INSTITUTION = "institution", _("An institution not found in the register")
    INSTITUTION_PARTLY = "institution_partly", _("Part of an institution's name not understood")


class ImportIssue(models.Model):
    """A cell an import could not read, kept for a planner to fix."""

    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="issues")
    location = models.CharField(_("where"), max_length=100)
    column = models.CharField(_("column"), max_length=40, blank=True)
    text = models.TextField(_("text"), max_length=4000, blank=True)
    problem = models.CharField(_("problem"), max_length=30, choices=Problem.choices)
    resolved = models.BooleanField(_("resolved"), default=False)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("import issue")
        verbose_name_plural = _("import issues")
        ordering = ["strategy", "id"]

    def __str__(self) -> str:
        return f"{self.location} {self.column}: {self.problem}"


class EventKind(models.TextChoices):
    SEMINAR = "seminar", _("Seminar")
    TRAINING = "training", _("Training")
    CAMPAIGN = "campaign", _("Campaign")
    CONFERENCE = "conference", _("Conference")
    MEETING = "meeting", _("Meeting")
    OTHER = "other", _("Other")


class TrainingEvent(models.Model):
    """A seminar, training, campaign or conference, linked to the sub-actions it carries out:
    the plan's indicators count them and their participants."""

    kind = models.CharField(_("kind"), max_length=12, choices=EventKind.choices)
    title = models.CharField(_("title"), max_length=300)
    topic = models.TextField(_("topic"), max_length=2000, blank=True)
    held_on = models.DateField(_("date"))
    organiser = models.ForeignKey(
        "accounts.Institution",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("organiser"),
    )
    unit = models.ForeignKey(
        "geo.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    participants = models.PositiveIntegerField(
        _("participants"), validators=[MaxValueValidator(10_000_000)]
    )
    items = models.ManyToManyField(
        PlanItem, related_name="events", blank=True, verbose_name=_("sub-actions")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("training or event")
        verbose_name_plural = _("trainings and events")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return self.title


class EventAttendance(models.Model):
    """How many of an event's participants came from an institution (optional detail)."""

    event = models.ForeignKey(TrainingEvent, on_delete=models.CASCADE, related_name="attendance")
    institution = models.ForeignKey(
        "accounts.Institution", on_delete=models.PROTECT, related_name="+"
    )
    count = models.PositiveIntegerField(
        _("participants"), validators=[MaxValueValidator(10_000_000)]
    )

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "institution"], name="planning_attendance_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} {self.institution_id}: {self.count}"


class Project(models.Model):
    """A donor project: its period, cost, donors and implementers, target groups, and the
    results it planned and achieved, linked to services and sub-actions."""

    name = models.CharField(_("name"), max_length=500)
    country = models.CharField(_("country"), max_length=2)
    unit = models.ForeignKey(
        "geo.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("territory")
    )
    starts_on = models.DateField(_("starts"), null=True, blank=True)
    ends_on = models.DateField(_("ends"), null=True, blank=True)
    cost = models.DecimalField(_("cost"), max_digits=16, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    donors = models.CharField(_("donors"), max_length=500, blank=True)
    implementers = models.ManyToManyField(
        "accounts.Institution", related_name="+", blank=True, verbose_name=_("implementers")
    )
    implementers_text = models.CharField(_("implementers (as written)"), max_length=500, blank=True)
    target_groups = models.TextField(_("target groups"), max_length=4000, blank=True)
    summary = models.TextField(_("summary"), max_length=8000, blank=True)
    services = models.ManyToManyField(
        "providers.ServicePoint", related_name="+", blank=True, verbose_name=_("services")
    )
    items = models.ManyToManyField(
        PlanItem, related_name="projects", blank=True, verbose_name=_("sub-actions")
    )
    source_name = models.CharField(_("source document"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["-starts_on", "name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(starts_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="planning_project_period",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ProjectResult(models.Model):
    """A result a project planned (a number of a unit, or a category) and what it achieved."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="results")
    description = models.CharField(_("result"), max_length=500)
    unit = models.CharField(_("unit"), max_length=200, blank=True)
    planned = models.DecimalField(
        _("planned"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    achieved = models.DecimalField(
        _("achieved"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    # A result counted from live data over the project's territory and period (a named query of
    # `planning.computations` that can count a period), instead of `achieved` typed by hand.
    computation = models.CharField(_("counted by"), max_length=60, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("project result")
        verbose_name_plural = _("project results")
        ordering = ["project", "position", "id"]

    def __str__(self) -> str:
        return self.description


class Reminder(models.Model):
    """That the responsible institutions of a sub-action were reminded of a year's deadline:
    once per sub-action and year, whichever watcher gets there first."""

    item = models.ForeignKey(PlanItem, on_delete=models.CASCADE, related_name="reminders")
    year = models.PositiveSmallIntegerField(validators=YEAR)
    sent_at = models.DateTimeField(auto_now_add=True)
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "year"], name="planning_reminder_once"),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} {self.year}"


class Evidence(models.Model):
    """A file proving a value or a year's progress (a list of participants, a report, a
    decision), kept in private storage and served only to those who may report on the row."""

    value = models.ForeignKey(
        IndicatorValue, on_delete=models.CASCADE, null=True, blank=True, related_name="files"
    )
    progress = models.ForeignKey(
        Progress, on_delete=models.CASCADE, null=True, blank=True, related_name="files"
    )
    file = models.FileField(upload_to="plans/%Y/%m/")
    name = models.CharField(_("name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        ordering = ["uploaded_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(value__isnull=False, progress__isnull=True)
                | models.Q(value__isnull=True, progress__isnull=False),
                name="planning_evidence_one_owner",
            ),
        ]

    def __str__(self) -> str:
        return self.name
