"""The audit log: written with the change, append-only, hash-chained, readable by auditors only."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from ocrotire.accounts.models import Institution
from ocrotire.accounts.services import institution_create
from ocrotire.core.audit import GENESIS, audit_record, chain_pending, verify_chain
from ocrotire.core.errors import AppendOnly
from ocrotire.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_rows_chain_and_verify(personas):
    chain_pending()
    first = audit_record(actor=personas["admin"], action="view", object_type="x.y", object_id="1")
    second = audit_record(actor=None, action="view", object_type="x.y", object_id="2")
    # Written with the change, chained after its commit (the test's transaction never commits).
    assert first.hash is None
    assert second.hash is None
    assert verify_chain().pending == 2
    assert chain_pending() == 2
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.seq is not None
    assert second.seq == first.seq + 1
    assert second.prev_hash == first.hash
    assert AuditEvent.objects.order_by("seq").values_list("prev_hash", flat=True)[0] == GENESIS
    report = verify_chain()
    assert report.ok
    assert report.pending == 0
    assert report.checked == AuditEvent.objects.count()
    assert chain_pending() == 0


@pytest.mark.django_db(transaction=True)
def test_rows_are_chained_when_their_transaction_commits(personas):
    chained = AuditEvent.objects.filter(seq__isnull=False).count()
    with transaction.atomic():
        first = audit_record(actor=personas["admin"], action="view", object_type="x.y")
        second = audit_record(actor=None, action="view", object_type="x.y")
        assert AuditEvent.objects.filter(seq__isnull=False).count() == chained
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.hash
    assert second.prev_hash == first.hash
    # Outside a transaction the row is chained at once.
    third = audit_record(actor=None, action="view", object_type="x.y")
    third.refresh_from_db()
    assert third.prev_hash == second.hash
    assert verify_chain().ok
    assert verify_chain().pending == 0


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_row_leaves_no_gap_in_the_chain(personas):
    audit_record(actor=None, action="view", object_type="x.y", object_id="kept-1")
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(actor=None, action="view", object_type="x.y", object_id="lost")
        raise RuntimeError
    audit_record(actor=None, action="view", object_type="x.y", object_id="kept-2")
    seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))
    assert verify_chain().ok


def test_orm_refuses_update_and_delete(personas):
    event = audit_record(actor=personas["admin"], action="view", object_type="x.y")
    with pytest.raises(AppendOnly):
        event.save()
    with pytest.raises(AppendOnly):
        event.delete()
    with pytest.raises(AppendOnly):
        AuditEvent.objects.filter(pk=event.pk).update(action="delete")
    with pytest.raises(AppendOnly):
        AuditEvent.objects.all().delete()


def test_database_refuses_update_and_delete(personas):
    event = audit_record(actor=personas["admin"], action="view", object_type="x.y")
    refused = (
        "UPDATE core_auditevent SET action = 'delete' WHERE id = %s",
        "DELETE FROM core_auditevent WHERE id = %s",
        # The chaining step may not carry another change with it...
        "UPDATE core_auditevent SET seq = 99, hash = 'x', object_id = '7' WHERE id = %s",
    )
    for statement in refused:
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [event.pk])
    chain_pending()
    # ...and a chained row cannot be chained again.
    for statement in (
        "UPDATE core_auditevent SET seq = 99, hash = 'x' WHERE id = %s",
        "UPDATE core_auditevent SET action = 'delete' WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk, action="view", seq__isnull=False).exists()


def test_tampering_is_detected(personas):
    audit_record(actor=personas["admin"], action="view", object_type="x.y", object_id="1")
    victim = audit_record(
        actor=personas["admin"],
        action="update",
        object_type="x.y",
        object_id="2",
        changes={"name": ["a", "b"]},
    )
    audit_record(actor=personas["admin"], action="view", object_type="x.y", object_id="3")
    chain_pending()
    # Someone with database superuser rights disables the trigger and rewrites history.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
            cursor.execute(
                "UPDATE core_auditevent SET object_id = '999' WHERE id = %s", [victim.pk]
            )
            cursor.execute("SET session_replication_role = DEFAULT")
        else:
            cursor.execute("DROP TRIGGER core_auditevent_no_update")
            cursor.execute(
                "UPDATE core_auditevent SET object_id = '999' WHERE id = %s", [victim.pk]
            )
    report = verify_chain()
    assert not report.ok
    assert report.first_bad_id == victim.pk


def test_change_and_audit_row_commit_or_roll_back_together(personas, territory):
    before = AuditEvent.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        institution_create(
            actor=personas["admin"],
            name="Rolled back",
            kind="school",
            units=[territory["MD-CU-BOT"]],
        )
        assert AuditEvent.objects.count() == before + 1
        raise RuntimeError
    assert AuditEvent.objects.count() == before
    assert not Institution.objects.filter(name="Rolled back").exists()


def test_audit_api_is_for_auditors_and_shows_what_just_happened(api, personas, institutions):
    supervisor = api(personas["supervisor"])
    created = supervisor.post(
        "/api/v1/institutions/",
        {"name": "Centrul X", "kind": "ngo", "units": ["MD-CU"]},
        format="json",
        REMOTE_ADDR="10.1.2.3",
    )
    assert created.status_code == 201
    for persona in ["specialist", "supervisor", "admin", "reporter"]:
        assert api(personas[persona]).get("/api/v1/audit/").status_code == 403, persona
    response = api(personas["auditor"]).get(
        "/api/v1/audit/", {"object_type": "accounts.institution", "object_id": created.json()["id"]}
    )
    assert response.status_code == 200
    rows = response.json()["results"]
    assert len(rows) == 1
    assert rows[0]["actor"] == "supervisor"
    assert rows[0]["action"] == "create"
    assert rows[0]["ip"] == "10.1.2.3"
    assert {"at", "actor", "action", "object_type", "object_id", "ip"} <= set(rows[0])
    by_actor = (
        api(personas["auditor"]).get("/api/v1/audit/", {"actor": "supervisor"}).json()["results"]
    )
    assert by_actor
    assert all(row["actor"] == "supervisor" for row in by_actor)
    # The auditor's own reading is audited as well.
    assert AuditEvent.objects.filter(
        actor=personas["auditor"], action="view", object_type="core.auditevent"
    ).exists()


def test_audit_api_rejects_bad_filters(api, personas):
    response = api(personas["auditor"]).get(
        "/api/v1/audit/", {"action": "explode", "since": "yesterday"}
    )
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"action", "since"}


def test_audit_chain_command_chains_and_verifies(personas):
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError
    from django.utils import translation

    audit_record(actor=None, action="view", object_type="x.y", object_id="1")
    out = StringIO()
    with translation.override("en"):
        call_command("audit_chain", "--verify", stdout=out)
    assert "intact" in out.getvalue()
    assert verify_chain().pending == 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
            cursor.execute("UPDATE core_auditevent SET object_id = '2' WHERE object_id = '1'")
            cursor.execute("SET session_replication_role = DEFAULT")
        else:
            cursor.execute("DROP TRIGGER core_auditevent_no_update")
            cursor.execute("UPDATE core_auditevent SET object_id = '2' WHERE object_id = '1'")
    with translation.override("en"), pytest.raises(CommandError, match="broken"):
        call_command("audit_chain", "--verify", stdout=StringIO())
