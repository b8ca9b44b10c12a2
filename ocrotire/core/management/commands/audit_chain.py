"""Chain the audit rows still waiting for their place; --checkpoint writes the chain's head, signed,
to the checkpoint file outside the database; --verify checks the whole chain against its key, its
start record and every checkpoint.

Rows are chained right after their transaction commits; a row whose writer stopped between the
commit and the chaining waits for the next writer, the deadline watcher, or this command."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from ocrotire.core.audit import ChainReport, chain_pending, verify_chain
from ocrotire.core.audit_anchor import checkpoint_path, checkpoint_write


class Command(BaseCommand):
    help = (
        "Chain pending audit rows; --checkpoint records the chain's head outside the database; "
        "--verify recomputes every hash of the chain and holds it to the checkpoints."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--verify", action="store_true", help="Check every row's hash.")
        parser.add_argument(
            "--checkpoint", action="store_true", help="Append a signed checkpoint of the head."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        chained = chain_pending()
        self.stdout.write(_("Audit rows chained now: %(count)s.") % {"count": chained})
        if options["verify"]:
            report = verify_chain()
            if not report.ok:
                raise CommandError(self._failure(report))
            self.stdout.write(
                _(
                    "The audit chain is intact: %(checked)s rows checked, %(pending)s waiting to be chained."
                )
                % {"checked": report.checked, "pending": report.pending}
            )
            self.stdout.write(
                _("It matches all %(count)s checkpoints kept outside the database.")
                % {"count": report.checkpoints}
            )
        if options["checkpoint"]:
            try:
                checkpoint = checkpoint_write()
            except OSError as exc:
                raise CommandError(
                    _("The audit checkpoint could not be written to %(file)s.")
                    % {"file": checkpoint_path()}
                ) from exc
            if checkpoint is None:
                self.stdout.write(_("The audit chain is empty: there is nothing to checkpoint."))
            else:
                self.stdout.write(
                    _("Audit checkpoint written at place %(seq)s to %(file)s.")
                    % {"seq": checkpoint.seq, "file": checkpoint_path()}
                )

    def _failure(self, report: ChainReport) -> str:
        if report.first_bad_id is not None:
            return _(
                "The audit chain is broken at row %(row)s (the %(checked)s rows before it are intact)."
            ) % {"row": report.first_bad_id, "checked": report.checked}
        values = {
            "seq": report.seq,
            "last": report.last_seq,
            "at": report.checkpoint_at,
            "file": checkpoint_path(),
        }
        messages = {
            "deleted": _(
                "Audit rows were deleted: the chain ends at place %(last)s, but the checkpoint of "
                "%(at)s recorded place %(seq)s."
            ),
            "rewritten": _(
                "Audit history was rewritten: the row at place %(seq)s differs from the checkpoint "
                "of %(at)s."
            ),
            "start_missing": _(
                "The record of where the keyed audit chain starts was removed from the database."
            ),
            "start_invalid": _(
                "The record of where the keyed audit chain starts was altered, or the audit key "
                "is not the one it was made with."
            ),
            "checkpoint_invalid": _(
                "Line %(seq)s of the checkpoint file %(file)s is not a checkpoint signed with the "
                "audit key."
            ),
            "checkpoint_foreign": _(
                "The checkpoint file %(file)s holds %(seq)s checkpoints of another audit chain: "
                "another database's, or this chain's start was replaced."
            ),
        }
        return messages[report.problem] % values
