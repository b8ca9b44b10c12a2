"""The audit chain's key and its anchors outside the database: the keyed start and checkpoints.

Rows are chained with HMAC-SHA256 under `OCROTIRE_AUDIT_KEY`, which lives in the environment, not
in the database: whoever owns the database but not the key cannot recompute a chain they edited.
Someone who also holds the key could rewrite the whole chain, so its head is written at intervals
to a checkpoint file (and the log) outside the database — `seq`, head hash, time, chain id and a
MAC over them — by the deadline watcher and `manage.py audit_chain --checkpoint`; `verify_chain`
holds the chain to every checkpoint. The threat model is in docs/ARCHITECTURE.md."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from ocrotire.core.models import AuditChainStart, AuditEvent

logger = logging.getLogger("ocrotire.audit")


def audit_key() -> bytes:
    configured = str(settings.OCROTIRE_AUDIT_KEY or "")
    if configured:
        return _key(configured)
    if settings.PRODUCTION:
        raise ImproperlyConfigured("Set OCROTIRE_AUDIT_KEY in production.")
    # Development and tests: a key derived from the secret key, so nothing needs configuring.
    return _key("derived:" + settings.SECRET_KEY)


@lru_cache(maxsize=4)
def _key(material: str) -> bytes:
    return hashlib.sha256(b"ocrotire-audit-key:" + material.encode()).digest()


def mac(text: str) -> str:
    return hmac.new(audit_key(), text.encode("utf-8"), hashlib.sha256).hexdigest()


def keyed_digest(blob: bytes) -> str:
    return hmac.new(audit_key(), blob, hashlib.sha256).hexdigest()


def _start_text(start: AuditChainStart) -> str:
    return f"start|{start.chain_id}|{start.from_seq}|{start.prev_hash}|{start.at.isoformat()}"


def chain_start_create(
    *, from_seq: int, prev_hash: str, model: type[AuditChainStart] = AuditChainStart
) -> AuditChainStart:
    """Record that the keyed chain starts at `from_seq` (migration, or the first row of a chain);
    `model` is the migration's historical model there."""
    start = model(
        chain_id=secrets.token_hex(16), from_seq=from_seq, prev_hash=prev_hash, at=timezone.now()
    )
    start.mac = mac(_start_text(start))
    start.save(force_insert=True)
    return start


class ChainStartInvalid(Exception):
    """More than one start record, or one whose MAC does not match the key."""


def chain_start() -> AuditChainStart | None:
    """The chain's start record, checked against the key; None when there is none."""
    rows = list(AuditChainStart.objects.order_by("id")[:2])
    if not rows:
        return None
    if len(rows) > 1 or not hmac.compare_digest(rows[0].mac, mac(_start_text(rows[0]))):
        raise ChainStartInvalid
    return rows[0]


@dataclass(frozen=True)
class Checkpoint:
    chain_id: str
    seq: int
    hash: str
    at: str
    line: int = 0


def _checkpoint_text(chain_id: str, seq: int, head: str, at: str) -> str:
    return f"checkpoint|{chain_id}|{seq}|{head}|{at}"


def checkpoint_path() -> Path:
    return Path(settings.OCROTIRE_AUDIT_CHECKPOINT_FILE)


def checkpoint_write() -> Checkpoint | None:
    """Append the chain's head, signed, to the checkpoint file and the log; None for an empty
    chain. Raises OSError when the file cannot be written."""
    start = chain_start()
    head = (
        AuditEvent.objects.filter(seq__isnull=False)
        .order_by("-seq")
        .values_list("seq", "hash")
        .first()
    )
    if start is None or head is None or head[0] is None or head[1] is None:
        return None
    at = timezone.now().isoformat()
    checkpoint = Checkpoint(chain_id=start.chain_id, seq=head[0], hash=head[1], at=at)
    record = {
        "chain": checkpoint.chain_id,
        "seq": checkpoint.seq,
        "hash": checkpoint.hash,
        "at": at,
        "mac": mac(_checkpoint_text(checkpoint.chain_id, checkpoint.seq, checkpoint.hash, at)),
    }
    line = json.dumps(record, sort_keys=True, separators=(",", ":"))
    path = checkpoint_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    # One short line per append (O_APPEND): watchers on several machines may share a file.
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, (line + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    logger.info("audit checkpoint %s", line)
    return checkpoint


def _last_checkpoint_time(path: Path) -> datetime | None:
    try:
        with path.open("rb") as handle:
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            handle.seek(max(0, size - 4096))
            tail = handle.read().decode("utf-8", "replace").strip().splitlines()
    except FileNotFoundError:
        return None
    for raw in reversed(tail):
        try:
            return datetime.fromisoformat(json.loads(raw)["at"])
        except (ValueError, KeyError, TypeError):
            continue
    return None


def checkpoint_if_due() -> Checkpoint | None:
    """The deadline watcher's step: write a checkpoint when the last one is older than
    `OCROTIRE_AUDIT_CHECKPOINT_SECONDS` (0 turns it off). A file that cannot be written is logged,
    not raised, so the rest of the round goes on."""
    interval = int(settings.OCROTIRE_AUDIT_CHECKPOINT_SECONDS)
    if interval <= 0:
        return None
    last = _last_checkpoint_time(checkpoint_path())
    if last is not None and timezone.now() - last < timedelta(seconds=interval):
        return None
    try:
        return checkpoint_write()
    except OSError:
        logger.exception("The audit checkpoint could not be written to %s", checkpoint_path())
        return None


class CheckpointInvalid(Exception):
    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


def checkpoints_read() -> Iterator[Checkpoint]:
    """Every checkpoint of the file, each checked against the key; raises CheckpointInvalid on the
    first line that is not one (a forged or damaged line)."""
    try:
        handle = checkpoint_path().open(encoding="utf-8")
    except FileNotFoundError:
        return
    with handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            try:
                record = json.loads(raw)
                checkpoint = Checkpoint(
                    chain_id=str(record["chain"]),
                    seq=int(record["seq"]),
                    hash=str(record["hash"]),
                    at=str(record["at"]),
                    line=number,
                )
                expected = mac(
                    _checkpoint_text(
                        checkpoint.chain_id, checkpoint.seq, checkpoint.hash, checkpoint.at
                    )
                )
                valid = hmac.compare_digest(str(record["mac"]), expected)
            except (ValueError, KeyError, TypeError):
                valid = False
            if not valid:
                raise CheckpointInvalid(number)
            yield checkpoint
