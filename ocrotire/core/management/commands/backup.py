"""Write an encrypted backup: the database, the private files and a manifest of their checksums."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from ocrotire.core.backup import BackupError, backup_write


class Command(BaseCommand):
    help = "Back up the database and the private files into one encrypted file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            type=Path,
            help="The file to write (default: var/backups/ocrotire-<time>.backup).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        output = options["output"] or (
            Path(settings.BASE_DIR)
            / "var"
            / "backups"
            / f"ocrotire-{timezone.now():%Y%m%dT%H%M%SZ}.backup"
        )
        try:
            summary = backup_write(output=Path(output))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            _("Backup written to %(path)s: the database and %(files)s private files.")
            % {"path": summary.path, "files": summary.files}
        )
