"""Writing and verifying the audit log. Services call `audit_record` inside their transaction.

The row is written with the change and commits or rolls back with it, but without its hash:
right after the commit, `chain_pending` (run by `transaction.on_commit`) gives every row not yet
chained its place in the chain (`seq`), `prev_hash` and `hash`, under a short lock of its own.
A writer no longer holds the chain's lock for the whole of its transaction, so filings by many
users run side by side (SPEC §4: report creation under load). A row whose writer died between
commit and chaining is chained by the next writer, or by `audit_chain` / the deadline watcher.

Rows are chained with HMAC-SHA256 under a key kept outside the database, from the place recorded
in `AuditChainStart` on (rows chained before keyed chaining existed keep their plain SHA-256), and
the head is anchored outside the database by checkpoints (`audit_anchor`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.ipv6 import clean_ipv6_address

from ocrotire.core import audit_anchor, context
from ocrotire.core.models import AuditAction, AuditChainStart, AuditEvent

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

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


def _digest(event: AuditEvent, *, keyed: bool = True) -> str:
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
    if keyed:
        return audit_anchor.keyed_digest(blob.encode("utf-8"))
    # Rows chained before the keyed chain's start (AuditChainStart.from_seq).
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _normalise_ip(ip: str | None) -> str | None:
    # Hash the address in the form the database gives back, or verification would disagree.
    if ip and ":" in ip:
        try:
            return clean_ipv6_address(ip)
        except ValidationError:
            return None
    return ip


def _lock_chain(*, wait: bool = True) -> bool:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            if wait:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])
                return True
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])
            row = cursor.fetchone()
            return bool(row and row[0])
    # SQLite: transactions start IMMEDIATE (settings), so writers are already serialised.
    return True


def audit_label(obj: models.Model) -> str:
    """The object type an audit row names: the model's label, or the one it had when its first
    rows were written (`AUDIT_LABEL` on a model that moved between apps), so that one object's
    history stays under one name in the append-only log."""
    label = getattr(obj, "AUDIT_LABEL", "")
    return label if isinstance(label, str) and label else obj._meta.label_lower


def audit_record(
    *,
    actor: AbstractBaseUser | None,
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
        object_type = object_type or audit_label(obj)
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)
    ctx = context.current()
    changes = dict(changes or {})
    if ctx.client_request_id:
        # Beside the server's request id, never in its place: lets a client find its own call.
        changes["client_request_id"] = ctx.client_request_id
    event = AuditEvent(
        at=timezone.now(),
        # An instance of AUTH_USER_MODEL, which core names only by its abstract base.
        actor=cast(Any, actor),
        actor_username=(actor.get_username() if actor is not None else actor_username)[:150],
        action=str(action),
        object_type=object_type[:100],
        object_id=str(object_id)[:64],
        object_repr=object_repr[:200],
        ip=_normalise_ip(ctx.ip),
        request_id=ctx.request_id or "",
        changes=_canonical(changes),
    )
    event.save(force_insert=True)
    _chain_after_commit()
    return event


def _chain_after_commit() -> None:
    conn = transaction.get_connection()
    if not conn.in_atomic_block:
        chain_pending()
        return
    # One chaining per transaction, however many rows it wrote.
    if any(func is _chain_quietly for _, func, _ in conn.run_on_commit):
        return
    transaction.on_commit(_chain_quietly, robust=True)


def _chain_quietly() -> None:
    # Runs after the commit: the change is saved whatever happens here, and a row left unchained
    # is chained by the next writer or the watcher. `robust` logs a failure instead of raising.
    chain_pending(wait=False)


def chain_pending(*, batch: int = 2000, wait: bool = True) -> int:
    """Chain every committed row that has no place yet, in id order; return how many.

    `wait=False` (after a commit): if another process holds the chain's lock, leave it to that
    process — or to the next writer, or to the deadline watcher's sweep — instead of queueing
    behind it; the row is chained within moments either way."""
    total = 0
    while True:
        with transaction.atomic():
            if not _lock_chain(wait=wait):
                return total
            rows = list(AuditEvent.objects.filter(seq__isnull=True).order_by("id")[:batch])
            if not rows:
                return total
            last = (
                AuditEvent.objects.filter(seq__isnull=False)
                .order_by("-seq")
                .values_list("seq", "hash")
                .first()
            )
            seq, prev = (last[0] or 0, last[1] or GENESIS) if last is not None else (0, GENESIS)
            if last is None and not AuditChainStart.objects.exists():
                # A new chain (or one emptied by a test's flush): keyed from its first row.
                audit_anchor.chain_start_create(from_seq=1, prev_hash=GENESIS)
            # Without a start record (removed) rows are still keyed; verification reports it.
            updates = []
            for row in rows:
                seq += 1
                row.prev_hash = prev
                row.hash = prev = _digest(row)
                updates.append((seq, row.prev_hash, row.hash, row.pk))
            with connection.cursor() as cursor:
                cursor.executemany(
                    "UPDATE core_auditevent SET seq = %s, prev_hash = %s, hash = %s "
                    "WHERE id = %s AND seq IS NULL",
                    updates,
                )
        total += len(rows)
        if len(rows) < batch:
            return total


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
    pending: int = 0  # committed rows not chained yet (chained within moments of their commit)
    # What else is wrong, when the rows themselves fit: "start_missing", "start_invalid",
    # "checkpoint_invalid" (line `seq`), "checkpoint_foreign" (`seq` of them), "deleted" (the
    # chain ends at `last_seq` before place `seq`), "rewritten" (the row at place `seq` differs).
    problem: str = ""
    seq: int | None = None
    last_seq: int = 0
    checkpoint_at: str = ""
    checkpoints: int = 0  # checkpoints the chain was held to

    @property
    def ok(self) -> bool:
        return self.first_bad_id is None and not self.problem


def verify_chain(*, batch: int = 5000) -> ChainReport:
    """Recompute every chained row's hash in chain order (SHA-256 before the keyed start, HMAC
    from it) and hold the chain to the start record and every checkpoint outside the database.
    Report the first row that does not fit (a changed row, or the row after a removed one), a
    chain shorter than a checkpoint (rows deleted at the end) or different at a checkpoint's place
    (rewritten with the key), and how many rows wait to be chained."""
    try:
        start = audit_anchor.chain_start()
    except audit_anchor.ChainStartInvalid:
        return ChainReport(checked=0, first_bad_id=None, problem="start_invalid")
    if start is None and AuditEvent.objects.filter(seq__isnull=False).exists():
        return ChainReport(checked=0, first_bad_id=None, problem="start_missing")
    from_seq = start.from_seq if start is not None else 1
    # Place -> (hash, when it was recorded): the start's anchor and every checkpoint.
    expected: dict[int, list[tuple[str, str]]] = {}
    if start is not None and start.from_seq > 1:
        expected[start.from_seq - 1] = [(start.prev_hash, start.at.isoformat())]
    count = 0
    foreign = 0
    try:
        for checkpoint in audit_anchor.checkpoints_read():
            if start is None or checkpoint.chain_id != start.chain_id:
                foreign += 1
                continue
            expected.setdefault(checkpoint.seq, []).append((checkpoint.hash, checkpoint.at))
            count += 1
    except audit_anchor.CheckpointInvalid as exc:
        return ChainReport(checked=0, first_bad_id=None, problem="checkpoint_invalid", seq=exc.line)
    if foreign:
        return ChainReport(checked=0, first_bad_id=None, problem="checkpoint_foreign", seq=foreign)
    prev = GENESIS
    checked = 0
    last_seq = 0
    while True:
        rows = list(AuditEvent.objects.filter(seq__gt=last_seq).order_by("seq")[:batch])
        if not rows:
            break
        for row in rows:
            keyed = (row.seq or 0) >= from_seq
            if (
                row.seq != last_seq + 1
                or row.prev_hash != prev
                or _digest(row, keyed=keyed) != row.hash
            ):
                return ChainReport(checked=checked, first_bad_id=row.id, last_seq=last_seq)
            for anchored, at in expected.get(row.seq, []):
                if anchored != row.hash:
                    return ChainReport(
                        checked=checked,
                        first_bad_id=None,
                        problem="rewritten",
                        seq=row.seq,
                        last_seq=last_seq,
                        checkpoint_at=at,
                    )
            prev = row.hash or ""
            checked += 1
            last_seq = row.seq
    beyond = [seq for seq in expected if seq > last_seq]
    if beyond:
        seq = max(beyond)
        return ChainReport(
            checked=checked,
            first_bad_id=None,
            problem="deleted",
            seq=seq,
            last_seq=last_seq,
            checkpoint_at=expected[seq][0][1],
        )
    pending = AuditEvent.objects.filter(seq__isnull=True).count()
    return ChainReport(checked=checked, first_bad_id=None, pending=pending, checkpoints=count)
