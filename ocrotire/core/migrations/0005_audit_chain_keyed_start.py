"""Audit rows are chained with HMAC-SHA256 under OCROTIRE_AUDIT_KEY from here on. Rows already
chained keep their plain SHA-256 (the triggers forbid rewriting them, and history is never
deleted): the keyed chain starts at the place after the current head, recorded with a MAC that
also anchors the hash of that head. A new database records its start at its first chaining."""

from django.db import migrations, models

from ocrotire.core import audit_anchor


def keyed_chain_starts_after_head(apps, schema_editor):
    AuditEvent = apps.get_model("core", "AuditEvent")
    AuditChainStart = apps.get_model("core", "AuditChainStart")
    head = (
        AuditEvent.objects.filter(seq__isnull=False)
        .order_by("-seq")
        .values_list("seq", "hash")
        .first()
    )
    if head is None:
        return
    audit_anchor.chain_start_create(from_seq=head[0] + 1, prev_hash=head[1], model=AuditChainStart)


class Migration(migrations.Migration):
    dependencies = [("core", "0004_audit_action_throttled")]

    operations = [
        migrations.CreateModel(
            name="AuditChainStart",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("chain_id", models.CharField(max_length=32, unique=True)),
                ("from_seq", models.BigIntegerField()),
                ("prev_hash", models.CharField(max_length=64)),
                ("at", models.DateTimeField()),
                ("mac", models.CharField(max_length=64)),
            ],
        ),
        # Backwards drops the table: rows chained with the key since then no longer verify under
        # the code of 0003, which knows only plain SHA-256.
        migrations.RunPython(keyed_chain_starts_after_head, migrations.RunPython.noop),
    ]
