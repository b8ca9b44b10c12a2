"""The append-only, hash-chained audit log of every change and every sensitive read."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ocrotire.core.errors import AppendOnly


class AuditAction(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Changed")
    DELETE = "delete", _("Deleted")
    VIEW = "view", _("Viewed")
    EXPORT = "export", _("Exported")
    LOGIN = "login", _("Signed in")
    LOGIN_FAILED = "login_failed", _("Failed sign-in")
    LOCKED = "locked", _("Account locked")
    THROTTLED = "throttled", _("Sign-in throttled")
    LOGOUT = "logout", _("Signed out")
    MFA_ENROLLED = "mfa_enrolled", _("Two-factor authentication set up")


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnly("The audit log is append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnly("The audit log is append-only.")


class AuditEvent(models.Model):
    """One row per audited act, written in the transaction of the change it records. Right after
    that transaction commits, `audit.chain_pending` gives the row its place in the chain
    (`seq`), `prev_hash` and `hash`, which covers the row and `prev_hash`: editing or removing
    any chained row breaks the chain from there on (see `audit.verify_chain`). Chaining after
    the commit keeps writers from queueing on one chain lock for the length of their
    transactions. The database refuses DELETE, and every UPDATE but that one chaining step,
    with triggers as well."""

    at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_username = models.CharField(_("actor's user name"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=AuditAction.choices)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    seq = models.BigIntegerField(_("place in the chain"), null=True, blank=True, unique=True)
    prev_hash = models.CharField(max_length=64, blank=True, default="")
    hash = models.CharField(max_length=64, unique=True, null=True, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id", "-id"], name="audit_object_idx"),
            models.Index(fields=["actor", "-id"], name="audit_actor_idx"),
            models.Index(
                fields=["id"], condition=models.Q(seq__isnull=True), name="audit_unchained_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_username} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnly("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnly("The audit log is append-only.")


class AuditChainStart(models.Model):
    """Where the keyed chain starts: rows from `from_seq` on are chained with HMAC-SHA256 under
    `OCROTIRE_AUDIT_KEY`; the rows before it kept the plain SHA-256 they were chained with, and
    `prev_hash` (the hash of the row at `from_seq - 1`) anchors them. `chain_id` names this chain
    in the checkpoints written outside the database. `mac` covers every field, so someone without
    the key can neither move the start nor claim another chain (see `audit_anchor`)."""

    chain_id = models.CharField(max_length=32, unique=True)
    from_seq = models.BigIntegerField()
    prev_hash = models.CharField(max_length=64)
    at = models.DateTimeField()
    mac = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"{self.chain_id} from {self.from_seq}"


class ProcessBeat(models.Model):
    """The last good round of a long-running process (the deadline watcher), kept in the database
    so that every web process's `/healthz` sees it, whichever machine the process runs on."""

    name = models.CharField(max_length=40, unique=True)
    at = models.DateTimeField()
    details = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return f"{self.name} at {self.at:%Y-%m-%d %H:%M:%S}"
