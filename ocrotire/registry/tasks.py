"""Background jobs of the registry. Jobs take ids, are idempotent, and are enqueued on commit."""

from __future__ import annotations

import logging

from django.utils import timezone
from django_tasks import task

from ocrotire.core.jobs import JobBeat
from ocrotire.registry.models import DedupRun

logger = logging.getLogger(__name__)


@task()
def dedup_run_execute(run_id: int) -> None:
    """Run one registry-wide de-duplication; a run that already started or finished is left alone."""
    from ocrotire.registry.linkage import find_duplicates

    claimed = DedupRun.objects.filter(pk=run_id, status=DedupRun.Status.QUEUED).update(
        status=DedupRun.Status.RUNNING, progress=1, heartbeat_at=timezone.now()
    )
    if not claimed:
        return

    running = DedupRun.objects.filter(pk=run_id, status=DedupRun.Status.RUNNING)
    try:
        with JobBeat(DedupRun, run_id) as beat:
            result = find_duplicates(
                progress=lambda percent, stage: beat.progress(progress=percent, stage=stage[:40])
            )
    except Exception as exc:
        logger.exception("de-duplication run %s failed", run_id)
        running.update(
            status=DedupRun.Status.FAILED, error=str(exc)[:500], finished_at=timezone.now()
        )
        return
    # Only while the run is still this worker's: one marked failed meanwhile stays failed.
    running.update(
        status=DedupRun.Status.DONE,
        progress=100,
        records=result.records,
        pairs=result.pairs,
        proposed=result.proposed,
        seconds=result.seconds,
        heartbeat_at=timezone.now(),
        finished_at=timezone.now(),
        error="",
    )
