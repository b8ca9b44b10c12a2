"""Writing and verifying the audit log. Services call `audit_record` inside their transaction."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.ipv6 import clean_ipv6_address

from ocrotire.core import context
from ocrotire.core.models import AuditAction, AuditEvent

if TYPE_CHECKING:
    from ocrotire.accounts.models import User

GENESIS = "0" * 64
# Any fixed 64-bit number: the advisory lock that serialises appends to the chain on PostgreSQL.
_CHAIN_LOCK_KEY = 0x0C0A0D17
_UNSET = object()


def _canonical(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_canonical(v) for v in value]
    if isinstance(value, models.Model):
        return value.pk
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _digest(event: AuditEvent) -> str:
    payload = {
        "prev": event.prev_hash,
        "at": event.at.isoformat(),
        "actor": event.actor_id,
        "actor_username": event.actor_username,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_repr": event.object_repr,
        "ip": event.ip,
        "request_id": event.request_id,
        "changes": event.changes,
    }
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _normalise_ip(ip: str | None) -> str | None:
    # Hash the address in the form the database gives back, or verification would disagree.
    if ip and ":" in ip:
        try:
            return clean_ipv6_address(ip)
        except ValidationError:
            return None
    return ip


def _lock_chain() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])
    # SQLite: transactions start IMMEDIATE (settings), so writers are already serialised.


def audit_record(
    *,
    actor: User | None,
    action: AuditAction | str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    object_repr: str = "",
    changes: Mapping[str, Any] | None = None,
    actor_username: str = "",
) -> AuditEvent:
    """Append one row to the chain. Call it inside the transaction of the change it records,
    so that the change and its audit row commit or roll back together."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)
    ctx = context.current()
    with transaction.atomic():
        _lock_chain()
        prev = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first() or GENESIS
        event = AuditEvent(
            at=timezone.now(),
            actor=actor,
            actor_username=(actor.get_username() if actor is not None else actor_username)[:150],
            action=str(action),
            object_type=object_type[:100],
            object_id=str(object_id)[:64],
            object_repr=object_repr[:200],
            ip=_normalise_ip(ctx.ip),
            request_id=ctx.request_id or "",
            changes=_canonical(dict(changes or {})),
            prev_hash=prev,
        )
        event.hash = _digest(event)
        event.save(force_insert=True)
    return event


def diff(
    instance: models.Model, before: Mapping[str, Any], fields: Iterable[str]
) -> dict[str, Any]:
    """The fields whose value changed, as {field: [old, new]}, for an update's audit row."""
    changed: dict[str, Any] = {}
    for field in fields:
        new = getattr(instance, field)
        if before.get(field, _UNSET) != new:
            changed[field] = [_canonical(before.get(field)), _canonical(new)]
    return changed


@dataclass(frozen=True)
class ChainReport:
    checked: int
    first_bad_id: int | None

    @property
    def ok(self) -> bool:
        return self.first_bad_id is None


def verify_chain(*, batch: int = 5000) -> ChainReport:
    """Recompute every row's hash in order; report the first row that does not fit."""
    prev = GENESIS
    checked = 0
    last_id = 0
    while True:
        rows = list(AuditEvent.objects.filter(id__gt=last_id).order_by("id")[:batch])
        if not rows:
            return ChainReport(checked=checked, first_bad_id=None)
        for row in rows:
            if row.prev_hash != prev or _digest(row) != row.hash:
                return ChainReport(checked=checked, first_bad_id=row.id)
            prev = row.hash
            checked += 1
            last_id = row.id
