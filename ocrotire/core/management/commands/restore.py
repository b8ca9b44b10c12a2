"""Restore an encrypted backup into an empty database, after checking every file's checksum."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from ocrotire.core.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = "Restore a backup written by `manage.py backup` into an empty database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path, help="The backup file.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = backup_restore(archive=options["archive"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            _(
                "Backup of %(created)s restored: %(files)s files checked against their checksums. "
                "Run `manage.py migrate`, then `manage.py audit_chain --verify`."
            )
            % {"created": manifest.get("created_at"), "files": len(manifest["files"])}
        )
