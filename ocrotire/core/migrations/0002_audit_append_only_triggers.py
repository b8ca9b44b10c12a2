"""The database itself refuses UPDATE and DELETE on the audit log, whatever the application does.

TRUNCATE (PostgreSQL) is left to the table owner, who could drop these triggers anyway; the
application's database role should not own the table, and the hash chain shows any rewrite."""

from django.db import migrations

from ocrotire.core import db_triggers


def up(apps, schema_editor):
    db_triggers.install_v1(schema_editor.connection)


def down(apps, schema_editor):
    db_triggers.remove_v1(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_audit_event")]
    operations = [migrations.RunPython(up, down)]
