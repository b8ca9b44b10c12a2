"""Run the overdue scan now, or every OCROTIRE_DEADLINE_SCAN_SECONDS with --loop (the demo and each
worker machine run one; concurrent watchers never escalate a task twice). Each round also chains
audit rows a writer left unchained (it stopped between its commit and the chaining), writes the
audit chain's checkpoint when one is due, and sends the
action plan's year-end reminders to the institutions responsible for sub-actions not yet done,
expires the benefit certificates past their last valid day (each gives its place back),
and counts again the dashboards' day figures of the reports changed since the last round.
Between rounds, every OCROTIRE_JOB_SWEEP_SECONDS, it marks failed the background jobs whose
worker died (no heartbeat for OCROTIRE_JOB_HEARTBEAT_TIMEOUT_SECONDS).

A step that fails (a bad row) is logged and the round goes on with the next step; after a
database error of the connection's kind the connection is closed and a new one opened; when none
opens, the round is tried again after a back-off (1 s doubling up to
OCROTIRE_WATCH_BACKOFF_MAX_SECONDS). A round with no failure is recorded as the watcher's last
good round (`core.ProcessBeat`), which `/healthz` reports."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import InterfaceError, OperationalError, close_old_connections, connection

from ocrotire.analytics.common import figures
from ocrotire.analytics.exports.jobs import export_jobs_expire
from ocrotire.core.audit import chain_pending
from ocrotire.core.audit_anchor import checkpoint_if_due
from ocrotire.core.jobs import WATCHER, process_beat
from ocrotire.outreach.certificates import certificates_expire
from ocrotire.planning.reminders import plan_reminders
from ocrotire.registry.services import dedup_runs_expire
from ocrotire.workflow.tasks import overdue_scan

logger = logging.getLogger("ocrotire.watcher")


class ConnectionLost(Exception):
    """The database went away during a round."""


def _jobs_expire() -> int:
    return export_jobs_expire() + dedup_runs_expire()


def _chain() -> int:
    return chain_pending()


def _checkpoint() -> int:
    return 1 if checkpoint_if_due() is not None else 0


ROUND: tuple[tuple[str, Callable[[], int]], ...] = (
    ("overdue", overdue_scan),
    ("audit_chain", _chain),
    ("audit_checkpoint", _checkpoint),
    ("reminders", plan_reminders),
    ("certificates", certificates_expire),
    ("jobs", _jobs_expire),
    ("figures", figures.refresh),
)
SWEEP: tuple[tuple[str, Callable[[], int]], ...] = (("jobs", _jobs_expire),)


def _reconnect_if_lost(exc: Exception, step: str) -> None:
    """After a database error of the connection's kind (terminated, network, server restarted),
    drop the connection and open a new one: the round goes on with its next step. When no new
    one opens, the database is down: `ConnectionLost` ends the round for a back-off."""
    if not isinstance(exc, OperationalError | InterfaceError):
        return
    logger.warning("deadline watcher: database error in step %s (%s); reconnecting", step, exc)
    connection.close()
    try:
        connection.ensure_connection()
    except Exception as again:
        connection.close()
        raise ConnectionLost(str(again)) from again


def run_steps(steps: tuple[tuple[str, Callable[[], int]], ...]) -> tuple[dict[str, int], bool]:
    """Run each step on its own; the counts of those that ran, and whether none failed. A step
    that fails is logged and the next one runs (on a new connection after a connection error);
    when the database cannot be reached, `ConnectionLost` ends the round."""
    counts: dict[str, int] = {}
    good = True
    for name, step in steps:
        try:
            counts[name] = int(step() or 0)
        except Exception as exc:
            logger.exception("deadline watcher: step %s failed; the round goes on", name)
            good = False
            _reconnect_if_lost(exc, name)
    return counts, good


def watch_round() -> dict[str, int]:
    """One full round; a round with no failed step is recorded as the last good one."""
    counts, good = run_steps(ROUND)
    if good:
        try:
            process_beat(name=WATCHER, details=counts)
        except Exception as exc:
            _reconnect_if_lost(exc, "beat")
            raise
    return counts


class Command(BaseCommand):
    help = "Escalate the tasks that passed their due time."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", action="store_true", help="Keep scanning at an interval.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["loop"]:
            self._report(watch_round())
            return
        backoff = 1.0
        next_round = 0.0
        while True:
            try:
                # As between two requests: a connection past its age or broken is dropped, and
                # the next query checks the kept one before using it (CONN_HEALTH_CHECKS).
                close_old_connections()
                if time.monotonic() >= next_round:
                    self._report(watch_round())
                    next_round = time.monotonic() + settings.OCROTIRE_DEADLINE_SCAN_SECONDS
                else:
                    run_steps(SWEEP)
                backoff = 1.0
            except Exception as exc:
                # Whatever went wrong, the watcher stays up: it logs, waits and tries again.
                if isinstance(exc, ConnectionLost | OperationalError | InterfaceError):
                    connection.close()
                    logger.warning(
                        "deadline watcher: database unreachable (%s); again in %.0f s",
                        exc,
                        backoff,
                    )
                else:
                    logger.exception("deadline watcher: round failed; again in %.0f s", backoff)
                    connection.close()
                time.sleep(backoff)
                backoff = min(backoff * 2, settings.OCROTIRE_WATCH_BACKOFF_MAX_SECONDS)
                continue
            pause = min(
                settings.OCROTIRE_JOB_SWEEP_SECONDS, max(0.0, next_round - time.monotonic())
            )
            time.sleep(max(pause, 0.5))

    def _report(self, counts: dict[str, int]) -> None:
        if counts.get("overdue"):
            self.stdout.write(f"{counts['overdue']} overdue task(s) escalated")
        if counts.get("reminders"):
            self.stdout.write(f"{counts['reminders']} action-plan reminder(s) sent")
