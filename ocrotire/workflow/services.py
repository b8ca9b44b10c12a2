"""Writes of the workflow that no other module owns: marking notifications read."""

from __future__ import annotations

from django.utils import timezone

from ocrotire.accounts.models import User
from ocrotire.workflow.models import Notification


def notification_mark_read(*, actor: User, notification_id: int) -> bool:
    """Only the addressee can mark a notification read; False when it is not theirs or was
    already read."""
    return bool(
        Notification.objects.filter(pk=notification_id, user=actor, read_at__isnull=True).update(
            read_at=timezone.now()
        )
    )


def notifications_mark_all_read(*, actor: User) -> int:
    return Notification.objects.filter(user=actor, read_at__isnull=True).update(
        read_at=timezone.now()
    )
