"""Chain the audit rows still waiting for their place, then (with --verify) check the whole chain.

Rows are chained right after their transaction commits; a row whose writer stopped between the
commit and the chaining waits for the next writer, the deadline watcher, or this command."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from ocrotire.core.audit import chain_pending, verify_chain


class Command(BaseCommand):
    help = "Chain pending audit rows; --verify recomputes every hash of the chain."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--verify", action="store_true", help="Check every row's hash.")

    def handle(self, *args: Any, **options: Any) -> None:
        chained = chain_pending()
        self.stdout.write(_("Audit rows chained now: %(count)s.") % {"count": chained})
        if not options["verify"]:
            return
        report = verify_chain()
        if not report.ok:
            raise CommandError(
                _(
                    "The audit chain is broken at row %(row)s (the %(checked)s rows before it are intact)."
                )
                % {"row": report.first_bad_id, "checked": report.checked}
            )
        self.stdout.write(
            _(
                "The audit chain is intact: %(checked)s rows checked, %(pending)s waiting to be chained."
            )
            % {"checked": report.checked, "pending": report.pending}
        )
