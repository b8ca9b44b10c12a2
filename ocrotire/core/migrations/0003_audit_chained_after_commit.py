"""Audit rows are chained right after their transaction commits instead of under a lock held
for the length of it: a row is written without a hash, then `audit.chain_pending` gives it its
place (`seq`), `prev_hash` and `hash`. Rows written before this migration were chained in id
order, so their place is their id. The triggers are replaced by ones that allow that one step
(SQLite drops a table's triggers when it rebuilds the table for the altered columns)."""

from django.conf import settings
from django.db import migrations, models

from ocrotire.core import db_triggers


def old_triggers_off(apps, schema_editor):
    db_triggers.remove_v1(schema_editor.connection)


def old_triggers_on(apps, schema_editor):
    db_triggers.install_v1(schema_editor.connection)


def places_of_chained_rows(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET seq = id WHERE hash IS NOT NULL")


def new_triggers_on(apps, schema_editor):
    db_triggers.install_v2(schema_editor.connection)


def new_triggers_off(apps, schema_editor):
    db_triggers.remove_v2(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_audit_append_only_triggers"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(old_triggers_off, old_triggers_on),
        migrations.AddField(
            model_name="auditevent",
            name="seq",
            field=models.BigIntegerField(
                blank=True, null=True, unique=True, verbose_name="place in the chain"
            ),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(blank=True, max_length=64, null=True, unique=True),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="prev_hash",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(
                condition=models.Q(("seq__isnull", True)), fields=["id"], name="audit_unchained_idx"
            ),
        ),
        migrations.RunPython(places_of_chained_rows, migrations.RunPython.noop),
        migrations.RunPython(new_triggers_on, new_triggers_off),
    ]
