"""Users with roles and a territorial/institutional scope; institutions; API tokens."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.contrib.sessions.models import Session
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ocrotire.geo.models import Unit


class RoleCode(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrator")
    SPECIALIST = "specialist", _("Child-rights specialist")
    SUPERVISOR = "supervisor", _("Supervisor")
    HEAD = "head", _("Head of directorate")
    REPORTER = "reporter", _("Reporting professional")
    PROVIDER = "provider", _("Service provider staff")
    PLANNER = "planner", _("Planner / M&E officer")
    AUDITOR = "auditor", _("Auditor")
    COMMUNITY_WORKER = "community_worker", _("Community social worker")


class Role(models.Model):
    """A role and its policy. Administrators decide per role whether two-factor sign-in is
    mandatory; it starts mandatory for every role that sees case data."""

    code = models.CharField(_("code"), max_length=32, unique=True, choices=RoleCode.choices)
    sees_case_data = models.BooleanField(_("sees case data"), default=False)
    mfa_required = models.BooleanField(_("two-factor sign-in required"), default=False)

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        ordering = ["code"]

    def __str__(self) -> str:
        return str(RoleCode(self.code).label) if self.code in RoleCode.values else self.code


class InstitutionKind(models.TextChoices):
    CHILD_PROTECTION = "child_protection", _("Child-protection directorate")
    GUARDIANSHIP = "guardianship", _("Guardianship authority")
    SOCIAL_ASSISTANCE = "social_assistance", _("Social-assistance directorate")
    EDUCATION_AUTHORITY = "education_authority", _("Education directorate")
    SCHOOL = "school", _("School")
    HEALTH_AUTHORITY = "health_authority", _("Health directorate")
    CLINIC = "clinic", _("Clinic or hospital")
    POLICE = "police", _("Police")
    PROSECUTOR = "prosecutor", _("Prosecutor's office")
    COURT = "court", _("Court")
    LOCAL_COUNCIL = "local_council", _("Local council or mayoralty")
    MINISTRY = "ministry", _("Ministry")
    NGO = "ngo", _("Non-governmental organisation")
    SERVICE_PROVIDER = "service_provider", _("Service provider")
    INTERNATIONAL = "international", _("International organisation")
    OTHER = "other", _("Other")


class Institution(models.Model):
    name = models.CharField(_("name"), max_length=300)
    abbreviation = models.CharField(_("abbreviation"), max_length=30, blank=True)
    kind = models.CharField(_("kind"), max_length=32, choices=InstitutionKind.choices)
    country = models.CharField(_("country"), max_length=2)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="branches",
        verbose_name=_("parent institution"),
    )
    units = models.ManyToManyField(
        Unit, related_name="institutions", verbose_name=_("units served")
    )
    # False where the full name was reconstructed from an abbreviation and awaits confirmation.
    name_verified = models.BooleanField(_("name verified"), default=True)
    active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["country", "abbreviation"],
                condition=~models.Q(abbreviation=""),
                name="accounts_institution_unique_abbreviation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.abbreviation} — {self.name}" if self.abbreviation else self.name


class User(AbstractUser):
    language = models.CharField(_("language"), max_length=8, default="ro")
    roles = models.ManyToManyField(Role, blank=True, related_name="users", verbose_name=_("roles"))
    # Scope: the units a user works in (with all their descendants) and the institution.
    units = models.ManyToManyField(Unit, blank=True, related_name="staff", verbose_name=_("units"))
    institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("institution"),
    )
    failed_logins = models.PositiveIntegerField(default=0)
    last_failed_login_at = models.DateTimeField(null=True, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class ApiToken(models.Model):
    """A bearer token for the API. Only a SHA-256 digest is stored; tokens expire."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    # Where the token was asked for, shown on the owner's sessions page.
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True, default="")
    # `security.password_mark` of the password when the token was issued; a token whose mark no
    # longer matches (the password changed) is refused.
    password_mark = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"token {self.pk} of {self.user_id}"


class UserSession(models.Model):
    """A browser session of a user. Django's session table is not indexed by user, so this row,
    written when a signed-in session is first seen, is how a user's sessions are listed and
    ended; it goes with its session (cascade) when the session is deleted or cleared."""

    session = models.OneToOneField(Session, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="browser_sessions")
    created_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")

    def __str__(self) -> str:
        return f"session {self.pk} of {self.user_id}"


class SecurityNoticeKind(models.TextChoices):
    DEVICE_ADDED = "device_added", _("Second-factor device added")
    DEVICE_REMOVED = "device_removed", _("Second-factor device removed")
    DEVICES_RESET = "devices_reset", _("Second-factor devices reset")
    RECOVERY_CODES_MADE = "recovery_codes_made", _("Recovery codes made")
    RECOVERY_CODE_USED = "recovery_code_used", _("Recovery code used")
    PASSWORD_CHANGED = "password_changed", _("Password changed")


class SecurityNotice(models.Model):
    """Tells a user that something changed in how their account signs in; also e-mailed when a
    mail server is configured. The sentence of each kind is in `accounts.notices`."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="security_notices")
    kind = models.CharField(max_length=32, choices=SecurityNoticeKind.choices)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("security notice")
        verbose_name_plural = _("security notices")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="accounts_notice_unread")]

    def __str__(self) -> str:
        return f"{self.kind} {self.pk} of {self.user_id}"


class SignInThrottle(models.Model):
    """Failed sign-ins counted for one client address, one user name from one address, or one
    user name from anywhere, within a window; past the limit that key is refused until
    `blocked_until` (a name from anywhere: except at its known addresses). A known address is a
    row of its own, written when the name completes a sign-in there. Kept in the database rather
    than the cache so that every web process and machine counts together. A user name is counted
    as typed, whether an account has it or not, so the answers do not tell which names exist;
    keys with a name are digests, so names typed by mistake are not kept."""

    class Scope(models.TextChoices):
        ADDRESS = "address", "address"
        NAME_ADDRESS = "name_address", "name at address"
        NAME = "name", "name"
        KNOWN_ADDRESS = "known_address", "known address of a name"

    scope = models.CharField(max_length=16, choices=Scope.choices)
    key = models.CharField(max_length=64)
    failures = models.PositiveIntegerField(default=0)
    window_started_at = models.DateTimeField(db_index=True)
    blocked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="signin_throttle_scope_key")
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.key}: {self.failures}"
