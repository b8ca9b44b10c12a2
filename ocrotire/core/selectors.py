"""Reads of the audit log, for auditors only."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet

from ocrotire.accounts.models import User
from ocrotire.accounts.permissions import can_view_audit
from ocrotire.core.models import AuditEvent


def audit_list(
    *,
    user: User,
    object_type: str = "",
    object_id: str = "",
    actor: str = "",
    action: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[AuditEvent]:
    if not can_view_audit(user):
        return AuditEvent.objects.none()
    qs = AuditEvent.objects.all()
    if object_type:
        qs = qs.filter(object_type=object_type.lower())
    if object_id:
        qs = qs.filter(object_id=object_id)
    if actor:
        qs = (
            qs.filter(actor_id=int(actor))
            if actor.isdigit() and len(actor) <= 18
            else qs.filter(actor_username=actor)
        )
    if action:
        qs = qs.filter(action=action)
    if since:
        qs = qs.filter(at__gte=since)
    if until:
        qs = qs.filter(at__lt=until)
    return qs.order_by("-id")
