"""Re-encrypt every encrypted field under the newest of OCROTIRE_FIELD_KEYS, in resumable batches.

Rotate a key: put the new key first in OCROTIRE_FIELD_KEYS (the old ones after it), restart, run
this command (again after any interruption: it carries on where it stopped), then drop the old
keys."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from ocrotire.core.key_rotation import field_keys_rotate


class Command(BaseCommand):
    help = "Re-encrypt every encrypted field under the first key of OCROTIRE_FIELD_KEYS."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=500, help="Rows per transaction.")

    def handle(self, *args: Any, **options: Any) -> None:
        def progress(label: str, checked: int, rotated: int) -> None:
            self.stdout.write(
                _("%(model)s: %(checked)s rows read so far, %(rotated)s values re-encrypted.")
                % {"model": label, "checked": checked, "rotated": rotated}
            )

        result = field_keys_rotate(batch=max(1, options["batch"]), progress=progress)
        self.stdout.write(
            _(
                "Field keys rotated: %(rotated)s values re-encrypted under the newest key in "
                "%(checked)s rows."
            )
            % {"rotated": result.rotated, "checked": result.checked}
        )
