"""The deadline rules, tasks, timeline events and notifications move from the cases app to this
one in the migration state only: their tables (`cases_task`, …), indexes and constraints stay as
they are, so nothing is written to the database. cases/0010 then drops them from cases' state."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import ocrotire.core.labels


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("cases", "0009_case_search_indexes"),
        ("geo", "0001_units"),
        ("intake", "0002_figures_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="DeadlineRule",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("code", models.CharField(max_length=60, verbose_name="code")),
                        ("country", models.CharField(max_length=2, verbose_name="country")),
                        (
                            "version",
                            models.PositiveSmallIntegerField(default=1, verbose_name="version"),
                        ),
                        ("anchor", models.CharField(max_length=40, verbose_name="anchor event")),
                        (
                            "completed_by",
                            models.CharField(max_length=40, verbose_name="met by event"),
                        ),
                        ("offset", models.PositiveIntegerField(verbose_name="offset")),
                        (
                            "offset_unit",
                            models.CharField(
                                choices=[
                                    ("hours", "hours"),
                                    ("calendar_days", "calendar days"),
                                    ("working_days", "working days"),
                                ],
                                max_length=16,
                                verbose_name="unit",
                            ),
                        ),
                        (
                            "applies_when",
                            models.JSONField(blank=True, default=dict, verbose_name="applies when"),
                        ),
                        (
                            "assignee",
                            models.CharField(
                                default="manager", max_length=20, verbose_name="assignee"
                            ),
                        ),
                        ("names", models.JSONField(default=dict, verbose_name="task names")),
                        (
                            "legal_reference",
                            models.CharField(
                                blank=True, max_length=300, verbose_name="legal reference"
                            ),
                        ),
                        (
                            "verified",
                            models.BooleanField(default=False, verbose_name="verified by a lawyer"),
                        ),
                        ("note", models.TextField(blank=True, verbose_name="note")),
                        ("active", models.BooleanField(default=True, verbose_name="active")),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                    ],
                    options={
                        "verbose_name": "deadline rule",
                        "verbose_name_plural": "deadline rules",
                        "db_table": "cases_deadlinerule",
                        "ordering": ["country", "anchor", "code", "-version"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("country", "code", "version"),
                                name="cases_rule_version_once",
                            ),
                            models.UniqueConstraint(
                                condition=models.Q(("active", True)),
                                fields=("country", "code"),
                                name="cases_rule_one_active",
                            ),
                        ],
                    },
                    bases=(ocrotire.core.labels.NamedInLanguages, models.Model),
                ),
                migrations.CreateModel(
                    name="Task",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("kind", models.CharField(max_length=60, verbose_name="kind")),
                        ("anchor_at", models.DateTimeField()),
                        ("due_at", models.DateTimeField(verbose_name="due at")),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("open", "Open"),
                                    ("done", "Done"),
                                    ("cancelled", "No longer needed"),
                                ],
                                default="open",
                                max_length=10,
                            ),
                        ),
                        (
                            "done_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="done at"),
                        ),
                        ("overdue_notified_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "assignee",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="tasks",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "case",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="tasks",
                                to="cases.case",
                            ),
                        ),
                        (
                            "done_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "report",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="tasks",
                                to="intake.report",
                            ),
                        ),
                        (
                            "rule",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="tasks",
                                to="workflow.deadlinerule",
                            ),
                        ),
                        (
                            "unit",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="geo.unit",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "cases_task",
                        "ordering": ["due_at", "id"],
                        "indexes": [
                            models.Index(fields=["status", "due_at"], name="cases_task_open_due"),
                            models.Index(
                                fields=["assignee", "status", "due_at"],
                                name="cases_task_assignee",
                            ),
                            models.Index(
                                fields=["unit", "status", "due_at"], name="cases_task_unit"
                            ),
                            models.Index(
                                condition=models.Q(("status", "open")),
                                fields=["unit", "due_at"],
                                include=("id", "assignee", "case"),
                                name="cases_task_open_unit",
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="TimelineEvent",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("at", models.DateTimeField()),
                        ("kind", models.CharField(max_length=40)),
                        ("data", models.JSONField(blank=True, default=dict)),
                        (
                            "actor",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "case",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="events",
                                to="cases.case",
                            ),
                        ),
                        (
                            "report",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="events",
                                to="intake.report",
                            ),
                        ),
                        (
                            "task",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="workflow.task",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "cases_timelineevent",
                        "ordering": ["at", "id"],
                        "indexes": [
                            models.Index(fields=["case", "at"], name="cases_event_case"),
                            models.Index(fields=["report", "at"], name="cases_event_report"),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="Notification",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("kind", models.CharField(max_length=40)),
                        ("data", models.JSONField(blank=True, default=dict)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("read_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "case",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="cases.case",
                            ),
                        ),
                        (
                            "report",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="intake.report",
                            ),
                        ),
                        (
                            "task",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="workflow.task",
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="notifications",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "cases_notification",
                        "ordering": ["-created_at", "-id"],
                        "indexes": [
                            models.Index(
                                fields=["user", "read_at"], name="cases_notification_unread"
                            ),
                        ],
                        "constraints": [
                            models.UniqueConstraint(
                                condition=models.Q(("task__isnull", False)),
                                fields=("user", "task", "kind"),
                                name="cases_notification_once_per_task",
                            ),
                        ],
                    },
                ),
            ],
        ),
    ]
