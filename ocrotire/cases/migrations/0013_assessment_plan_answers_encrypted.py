"""The answers to the official forms are stored encrypted, like the findings they stand beside;
answers written before are encrypted in place."""

from typing import Any

from django.db import migrations

import ocrotire.core.crypto


def encrypt_written(apps: Any, schema_editor: Any) -> None:
    for name in ("Assessment", "Plan"):
        model = apps.get_model("cases", name)
        for pk, answers in model.objects.values_list("pk", "answers").iterator():
            # Read through the field (plain JSON text is still read), written back encrypted.
            model.objects.filter(pk=pk).update(answers=answers)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0012_removal_returned_at"),
    ]

    operations = [
        migrations.AlterField(
            model_name="assessment",
            name="answers",
            field=ocrotire.core.crypto.EncryptedJSONField(
                blank=True, default=dict, verbose_name="answers"
            ),
        ),
        migrations.AlterField(
            model_name="plan",
            name="answers",
            field=ocrotire.core.crypto.EncryptedJSONField(
                blank=True, default=dict, verbose_name="answers"
            ),
        ),
        migrations.RunPython(encrypt_written, migrations.RunPython.noop),
    ]
