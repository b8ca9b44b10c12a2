"""Deleting or rewriting audit history is found by `audit_chain --verify`: the chain is keyed with
a key kept outside the database, and its head is anchored outside it by signed checkpoints."""

from __future__ import annotations

import hashlib
import hmac
import importlib
import json
from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import translation

from ocrotire.core.audit import audit_record, chain_pending, verify_chain
from ocrotire.core.audit_anchor import audit_key
from ocrotire.core.models import AuditChainStart, AuditEvent

pytestmark = pytest.mark.django_db


def _command(*args: str) -> str:
    out = StringIO()
    with translation.override("en"):
        call_command("audit_chain", *args, stdout=out)
    return out.getvalue()


def _records(count: int, tag: str) -> list[AuditEvent]:
    rows = [
        audit_record(actor=None, action="view", object_type="x.y", object_id=f"{tag}-{n}")
        for n in range(count)
    ]
    chain_pending()
    for row in rows:
        row.refresh_from_db()
    return rows


class _AsAttacker:
    """A database owner: the append-only triggers switched off for the rest of the test."""

    def __init__(self) -> None:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET session_replication_role = replica")
            else:
                cursor.execute("DROP TRIGGER core_auditevent_no_update")
                cursor.execute("DROP TRIGGER core_auditevent_no_delete")

    def execute(self, sql: str, params: list[Any]) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


@pytest.fixture
def attacker() -> Iterator[_AsAttacker]:
    yield _AsAttacker()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = DEFAULT")


def _payload(row: AuditEvent) -> bytes:
    # The project's digest as it was: the same fields, the same canonical JSON.
    payload = {
        "prev": row.prev_hash,
        "at": row.at.isoformat(),
        "actor": row.actor_id,
        "actor_username": row.actor_username,
        "action": row.action,
        "object_type": row.object_type,
        "object_id": row.object_id,
        "object_repr": row.object_repr,
        "ip": row.ip,
        "request_id": row.request_id,
        "changes": row.changes,
    }
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def _sha256(row: AuditEvent) -> str:
    return hashlib.sha256(_payload(row)).hexdigest()


def _hmac(row: AuditEvent) -> str:
    return hmac.new(audit_key(), _payload(row), hashlib.sha256).hexdigest()


def _rewrite_from(
    attacker: _AsAttacker, victim: AuditEvent, digest: Any, until: int | None = None
) -> None:
    """Change the victim's object id and recompute the chain from it to the head (or `until`)."""
    attacker.execute("UPDATE core_auditevent SET object_id = %s WHERE id = %s", ["999", victim.pk])
    seq = victim.seq or 0
    rows = list(AuditEvent.objects.filter(seq__gte=seq, seq__lte=until or 10**12).order_by("seq"))
    prev = AuditEvent.objects.get(seq=seq - 1).hash or "" if seq > 1 else "0" * 64
    for row in rows:
        row.prev_hash = prev
        row.hash = prev = digest(row)
        attacker.execute(
            "UPDATE core_auditevent SET prev_hash = %s, hash = %s WHERE id = %s",
            [row.prev_hash, row.hash, row.pk],
        )


def test_normal_operation_passes(settings: Any) -> None:
    _records(3, "a")
    assert "place" in _command("--checkpoint")
    call_command("deadlines_watch", stdout=StringIO())  # not due yet: writes nothing
    _records(2, "b")
    lines = settings.OCROTIRE_AUDIT_CHECKPOINT_FILE.read_text().splitlines()
    assert len(lines) == 1
    out = _command("--verify")
    assert "intact" in out
    assert "all 1 checkpoints" in out
    assert verify_chain().ok


def test_the_watcher_writes_a_checkpoint_each_round_when_due(settings: Any) -> None:
    _records(2, "a")
    settings.OCROTIRE_AUDIT_CHECKPOINT_SECONDS = 1
    call_command("deadlines_watch", stdout=StringIO())
    [line] = settings.OCROTIRE_AUDIT_CHECKPOINT_FILE.read_text().splitlines()
    record = json.loads(line)
    assert record["seq"] == AuditEvent.objects.order_by("-seq").values_list("seq", flat=True)[0]
    assert verify_chain().checkpoints == 1


def test_deleting_the_last_rows_is_detected(attacker: _AsAttacker) -> None:
    rows = _records(4, "a")
    _command("--checkpoint")
    attacker.execute("DELETE FROM core_auditevent WHERE seq >= %s", [rows[2].seq])
    with pytest.raises(CommandError, match=f"rows were deleted.*place {rows[3].seq}"):
        _command("--verify")


def test_rewriting_and_rechaining_with_plain_sha256_is_detected(attacker: _AsAttacker) -> None:
    rows = _records(4, "a")
    _rewrite_from(attacker, rows[1], _sha256)
    with pytest.raises(CommandError, match=f"broken at row {rows[1].pk}"):
        _command("--verify")


def test_rewriting_with_the_key_is_detected_up_to_the_last_checkpoint(
    attacker: _AsAttacker,
) -> None:
    rows = _records(4, "a")
    _command("--checkpoint")
    # Someone holding the key and the database, but not the checkpoint file.
    _rewrite_from(attacker, rows[1], _hmac)
    with pytest.raises(CommandError, match=f"rewritten: the row at place {rows[3].seq}"):
        _command("--verify")


def test_a_forged_checkpoint_is_refused(settings: Any) -> None:
    _records(2, "a")
    _command("--checkpoint")
    path = settings.OCROTIRE_AUDIT_CHECKPOINT_FILE
    record = json.loads(path.read_text())
    record["seq"] += 5
    with path.open("a") as handle:
        handle.write(json.dumps(record) + "\n")
    with pytest.raises(CommandError, match="Line 2 of the checkpoint file"):
        _command("--verify")


def test_a_removed_or_altered_start_is_detected() -> None:
    _records(2, "a")
    start = AuditChainStart.objects.get()
    AuditChainStart.objects.filter(pk=start.pk).update(from_seq=10**9)
    with pytest.raises(CommandError, match="was altered"):
        _command("--verify")
    AuditChainStart.objects.all().delete()
    with pytest.raises(CommandError, match="was removed"):
        _command("--verify")


def test_rows_chained_before_the_key_keep_sha256_and_stay_anchored(
    attacker: _AsAttacker,
) -> None:
    # A database from before the keyed chain: rows chained with plain SHA-256, no start record.
    AuditChainStart.objects.all().delete()
    assert not AuditEvent.objects.filter(seq__isnull=False).exists()
    old = [
        audit_record(actor=None, action="view", object_type="x.y", object_id=f"old-{n}")
        for n in range(3)
    ]
    prev = "0" * 64
    for seq, row in enumerate(old, start=1):
        row.prev_hash = prev
        row.hash = prev = _sha256(row)
        with connection.cursor() as cursor:  # the chaining step the triggers allow
            cursor.execute(
                "UPDATE core_auditevent SET seq = %s, prev_hash = %s, hash = %s WHERE id = %s",
                [seq, row.prev_hash, row.hash, row.pk],
            )
    migration = importlib.import_module("ocrotire.core.migrations.0005_audit_chain_keyed_start")
    migration.keyed_chain_starts_after_head(apps, None)
    assert AuditChainStart.objects.get().from_seq == 4
    new = _records(2, "new")
    assert new[0].prev_hash == old[-1].hash
    assert "intact" in _command("--verify")
    # Rewriting an old row and recomputing the old rows' SHA-256 up to the keyed start is found:
    # the start record anchors the last of them.
    old[1].refresh_from_db()
    _rewrite_from(attacker, old[1], _sha256, until=3)
    report = verify_chain()
    assert report.problem == "rewritten"
    assert report.seq == 3
