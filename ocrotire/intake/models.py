"""Reports (sesizări) of suspected violence, neglect, exploitation or trafficking: the single register."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ocrotire.accounts.models import Institution
from ocrotire.core.crypto import EncryptedTextField
from ocrotire.core.labels import NamedInLanguages
from ocrotire.geo.models import Unit
from ocrotire.registry.models import Person


class Channel(models.TextChoices):
    NOTIFICATION_FORM = "notification_form", _("Institution notification form")
    PHONE = "phone", _("Phone")
    HOTLINE = "hotline", _("Hotline")
    WALK_IN = "walk_in", _("Walk-in")
    WRITTEN = "written", _("Written")
    ONLINE = "online", _("Online form")
    SELF_REFERRAL = "self_referral", _("Self-referral by the authority")


class ReporterKind(models.TextChoices):
    PROFESSIONAL = "professional", _("Professional")
    CITIZEN = "citizen", _("Citizen")
    CHILD = "child", _("The child")
    ANONYMOUS = "anonymous", _("Anonymous")


class ReporterSector(models.TextChoices):
    EDUCATION = "education", _("Education")
    PUBLIC_ORDER = "public_order", _("Public order (police)")
    HEALTH = "health", _("Health")
    SOCIAL = "social", _("Social assistance")
    OTHER = "other", _("Other")


class ReportStatus(models.TextChoices):
    NEW = "new", _("Awaiting triage")
    CASE_OPENED = "case_opened", _("Case opened")
    LINKED = "linked", _("Linked to an open case")
    REDIRECTED = "redirected", _("Redirected to the competent authority")
    CLOSED = "closed", _("Closed with no further action")


class TriageDecision(models.TextChoices):
    OPEN_CASE = "open_case", _("Open a case")
    LINK_CASE = "link_case", _("Link to the child's open case")
    REDIRECT = "redirect", _("Redirect to the competent authority")
    CLOSE = "close", _("Close with no further action")


class InformationSource(models.TextChoices):
    DISCLOSURE = "disclosure", _("Disclosure by the child")
    OBSERVATION = "observation", _("Observation")
    THIRD_PARTY = "third_party", _("Third party")


class Agency(models.TextChoices):
    AMBULANCE = "ambulance", _("Ambulance")
    POLICE = "police", _("Police")
    PROSECUTOR = "prosecutor", _("Prosecutor")
    OTHER = "other", _("Other agency")


class ConcernCategory(NamedInLanguages, models.Model):
    """A concern category of a country pack. `hg270_form` puts it in a row of the official HG 270
    form; `violence_form` marks the five forms of violence of which only the most serious counts."""

    country = models.CharField(_("country"), max_length=2)
    code = models.CharField(_("code"), max_length=60)
    names = models.JSONField(_("names"), default=dict)
    violence_form = models.BooleanField(_("form of violence"), default=False)
    ordering = models.PositiveSmallIntegerField(default=0)
    legal_reference = models.CharField(_("legal reference"), max_length=300, blank=True)
    verified = models.BooleanField(_("verified by a lawyer"), default=False)
    active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("concern category")
        verbose_name_plural = _("concern categories")
        ordering = ["country", "ordering", "code"]
        constraints = [
            models.UniqueConstraint(fields=["country", "code"], name="intake_concern_unique_code"),
        ]

    def __str__(self) -> str:
        return self.label()


class RegistrationCounter(models.Model):
    """The last registration number given per authority and year; incremented under a row lock."""

    prefix = models.CharField(max_length=40)
    year = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=10, default="report")
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["prefix", "year", "kind"], name="intake_counter_unique_prefix_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class Report(models.Model):
    number = models.CharField(_("registration number"), max_length=60, unique=True)
    registering_institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="registered_reports",
        verbose_name=_("registering authority"),
    )
    received_at = models.DateTimeField(_("received at"))
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    reporter_kind = models.CharField(_("reporter"), max_length=20, choices=ReporterKind.choices)
    reporter_sector = models.CharField(
        _("reporter's sector"), max_length=20, choices=ReporterSector.choices, blank=True
    )
    reporter_institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="filed_reports",
        verbose_name=_("reporter's institution"),
    )
    # Identity withheld: no name or contact is kept, whatever the kind of reporter.
    reporter_anonymous = models.BooleanField(_("reporter's identity withheld"), default=False)
    reporter_name = EncryptedTextField(_("reporter's name"), max_length=200, blank=True)
    reporter_contact = EncryptedTextField(_("reporter's contact"), max_length=200, blank=True)
    reporter_relationship = models.CharField(
        _("reporter's relationship to the child"), max_length=120, blank=True
    )
    # The unit where it happened; it decides which authority handles the report and who sees it.
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="reports", verbose_name=_("unit")
    )
    location = models.CharField(_("where it happened"), max_length=300, blank=True)
    narrative = EncryptedTextField(_("what happened"), max_length=20000)
    information_source = models.CharField(
        _("source of the information"), max_length=20, choices=InformationSource.choices, blank=True
    )
    alleged_perpetrator = EncryptedTextField(
        _("alleged perpetrator and relationship"), max_length=300, blank=True
    )
    concerns = models.ManyToManyField(
        ConcernCategory, related_name="reports", verbose_name=_("concerns")
    )
    most_serious = models.ForeignKey(
        ConcernCategory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("most serious form"),
    )
    immediate_danger = models.BooleanField(_("immediate danger"), default=False)
    phone_notice_at = models.DateTimeField(_("phone notice at"), null=True, blank=True)
    form_received_at = models.DateTimeField(
        _("notification form received at"), null=True, blank=True
    )
    children: models.ManyToManyField[Person, ReportChild] = models.ManyToManyField(
        Person, through="ReportChild", related_name="reports", verbose_name=_("children")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.NEW
    )
    triage_decision = models.CharField(
        _("triage decision"), max_length=20, choices=TriageDecision.choices, blank=True
    )
    triage_reason = models.TextField(_("reason"), max_length=4000, blank=True)
    triaged_at = models.DateTimeField(null=True, blank=True)
    triaged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    redirected_to = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="redirected_reports",
        verbose_name=_("redirected to"),
    )
    redirected_to_text = models.CharField(_("redirected to (other)"), max_length=300, blank=True)
    # The cases the report opened or was linked to: one per child concerned.
    cases = models.ManyToManyField(
        "cases.Case", blank=True, related_name="reports", verbose_name=_("cases")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="filed_reports",
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(
                fields=["unit", "status", "-received_at"], name="intake_report_unit_status"
            ),
            models.Index(fields=["-received_at", "-id"], name="intake_report_received"),
            models.Index(fields=["created_by", "-received_at"], name="intake_report_filer"),
            # An area's reports of a period with the columns the figures group by, from the
            # index alone (HG 270, dashboards; PostgreSQL keeps the included columns).
            models.Index(
                fields=["unit", "received_at"],
                name="intake_report_figures",
                include=["id", "channel", "reporter_kind", "reporter_sector", "most_serious"],
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_anonymous(self) -> bool:
        return self.reporter_anonymous or self.reporter_kind == ReporterKind.ANONYMOUS


class ReportChild(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="report_children")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="report_links")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["report", "person"], name="intake_child_once"),
        ]
        indexes = [models.Index(fields=["person", "report"], name="intake_child_person")]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class AgencyNotice(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="agency_notices")
    agency = models.CharField(_("agency"), max_length=20, choices=Agency.choices)
    notified_at = models.DateTimeField(_("notified at"))
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["notified_at", "id"]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class ReportAttachment(models.Model):
    """A file kept in private storage, served only through a scoped, audited view."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="reports/%Y/%m/")
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class ComplaintAbout(models.TextChoices):
    SERVICE = "service", _("A service")
    INSTITUTION = "institution", _("An institution")
    PROFESSIONAL = "professional", _("A professional")


class ComplaintStatus(models.TextChoices):
    RECEIVED = "received", _("Awaiting an answer")
    ANSWERED = "answered", _("Answered")


class Complaint(models.Model):
    """A complaint about a service, an institution or a professional (intake/complaints.py): kept
    apart from the register of reports, read only by the heads and supervisors of the authority
    of its unit, and answered within the legal deadline of its country's pack."""

    number = models.CharField(_("registration number"), max_length=60, unique=True)
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="complaints", verbose_name=_("unit")
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    complainant_kind = models.CharField(
        _("complainant"), max_length=20, choices=ReporterKind.choices
    )
    about = models.CharField(_("about"), max_length=20, choices=ComplaintAbout.choices)
    # Which service, institution or person, as the complainant names it.
    about_name = EncryptedTextField(_("who or what it is about"), max_length=300, blank=True)
    narrative = EncryptedTextField(_("the complaint"), max_length=20000)
    received_at = models.DateTimeField(_("received at"))
    answer_due_at = models.DateTimeField(_("answer due by"))
    # The pack's rule the due time was computed from, as it was then.
    answer_basis = models.CharField(_("legal basis"), max_length=300, blank=True)
    answer_basis_verified = models.BooleanField(default=False)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ComplaintStatus.choices,
        default=ComplaintStatus.RECEIVED,
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["answer_due_at", "id"]
        indexes = [
            models.Index(fields=["unit", "status", "answer_due_at"], name="intake_complaint_unit"),
        ]

    def __str__(self) -> str:
        return self.number


class PublicAccess(models.Model):
    """How the reporter of a report or a complaint filed on the public channel follows it: only a
    keyed digest of the tracking code is kept (intake/public.py), so the database alone cannot
    give a code. It follows exactly one of the two."""

    report = models.OneToOneField(
        Report, on_delete=models.CASCADE, null=True, blank=True, related_name="public_access"
    )
    complaint = models.OneToOneField(
        Complaint,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="public_access",
    )
    code_digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(report__isnull=True, complaint__isnull=False)
                | Q(report__isnull=False, complaint__isnull=True),
                name="intake_public_access_one_subject",
            )
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class PublicMessageAuthor(models.TextChoices):
    REPORTER = "reporter", _("The reporter")
    STAFF = "staff", _("The authority")


class PublicMessage(models.Model):
    """A message between the reporter (holding the tracking code) and the staff of the register.
    No address or browser is recorded; the staff author is kept for the audit, never shown to the
    reporter."""

    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, null=True, blank=True, related_name="public_messages"
    )
    complaint = models.ForeignKey(
        Complaint, on_delete=models.CASCADE, null=True, blank=True, related_name="public_messages"
    )
    author_kind = models.CharField(max_length=10, choices=PublicMessageAuthor.choices)
    text = EncryptedTextField(_("message"), max_length=4000, blank=True)
    # A file the reporter sent with the message (a photo, a document, a voice recording), kept
    # in private storage and served only to the staff who read the conversation.
    file = models.FileField(upload_to="public/%Y/%m/", blank=True)
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    file_type = models.CharField(max_length=100, blank=True)
    file_size = models.PositiveIntegerField(null=True, blank=True)
    file_sha256 = models.CharField(max_length=64, blank=True)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["report", "created_at"], name="intake_public_msg_report"),
            models.Index(fields=["complaint", "created_at"], name="intake_public_msg_complaint"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(report__isnull=True, complaint__isnull=False)
                | Q(report__isnull=False, complaint__isnull=True),
                name="intake_public_msg_one_subject",
            )
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class PublicLimit(models.Model):
    """A count of the public channel's limits (intake/public.py) within its window: wrong codes,
    filings and messages from one address (a keyed digest of it, never the address) and filings
    from everyone. Kept in the database so that every web process and machine counts together."""

    key = models.CharField(max_length=80, unique=True)
    count = models.PositiveIntegerField(default=0)
    window_started_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.key
