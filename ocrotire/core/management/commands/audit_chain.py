"""Chain the audit rows still waiting for their place, then (with --verify) check the whole chain.

Rows are chained right after their transaction commits; a row whose writer stopped between the
commit and the chaining waits for the next writer, the deadline watcher, or this command."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ocrotire.core.audit import chain_pending, verify_chain


class Command(BaseCommand):
    help = "Chain pending audit rows; --verify recomputes every hash of the chain."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--verify", action="store_true", help="Check every row's hash.")

    def handle(self, *args: Any, **options: Any) -> None:
        chained = chain_pending()
        self.stdout.write(f"{chained} audit row(s) chained")
        if not options["verify"]:
            return
        report = verify_chain()
        if not report.ok:
            raise CommandError(
                f"The audit chain is broken at row {report.first_bad_id} "
                f"({report.checked} rows before it are intact)."
            )
        self.stdout.write(
            f"The audit chain is intact: {report.checked} rows, {report.pending} waiting."
        )
