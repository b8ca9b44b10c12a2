"""The deadline rules, tasks, timeline events and notifications now belong to the workflow app
(workflow/0001): they leave cases' migration state, their tables stay where they are. The
content types follow, so that permissions and admin history keep pointing at the same models."""

import django.db.models.deletion
from django.db import migrations, models

MOVED = ("deadlinerule", "task", "timelineevent", "notification")


def _relabel(apps, schema_editor, source, target):
    content_type = apps.get_model("contenttypes", "ContentType")
    rows = content_type.objects.using(schema_editor.connection.alias)
    for model in MOVED:
        if not rows.filter(app_label=source, model=model).exists():
            continue  # a new database: the content types are made after the migrations
        # Made by a migrate that stopped between the two apps' migrations: the older row keeps
        # the permissions and history, the new one goes.
        rows.filter(app_label=target, model=model).delete()
        rows.filter(app_label=source, model=model).update(app_label=target)
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()


def forwards(apps, schema_editor):
    _relabel(apps, schema_editor, "cases", "workflow")


def backwards(apps, schema_editor):
    _relabel(apps, schema_editor, "workflow", "cases")


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0009_case_search_indexes"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("workflow", "0001_move_from_cases"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name="referral",
                    name="response_task",
                    field=models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="workflow.task",
                    ),
                ),
                migrations.DeleteModel(name="Notification"),
                migrations.DeleteModel(name="TimelineEvent"),
                migrations.DeleteModel(name="Task"),
                migrations.DeleteModel(name="DeadlineRule"),
            ],
        ),
        migrations.RunPython(forwards, backwards),
    ]
