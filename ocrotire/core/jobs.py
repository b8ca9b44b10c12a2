"""Heartbeats of background jobs and of the deadline watcher: a running job beats its row as it
progresses, so a job whose worker died is seen by the age of its last beat and marked failed."""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime, timedelta
from types import TracebackType
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, models
from django.db.models import Q
from django.utils import timezone

from ocrotire.core.models import ProcessBeat

logger = logging.getLogger(__name__)

QUEUED = "queued"
RUNNING = "running"
FAILED = "failed"


def heartbeat_timeout() -> timedelta:
    return timedelta(seconds=settings.OCROTIRE_JOB_HEARTBEAT_TIMEOUT_SECONDS)


def stale_q(*, now: datetime) -> Q:
    """Jobs whose worker is gone: running with no beat for the heartbeat timeout, or queued for
    longer than `OCROTIRE_JOB_QUEUED_TIMEOUT_MINUTES` (no worker took them)."""
    silent_since = now - heartbeat_timeout()
    # A running row that never beat (written before beats existed) counts from its creation.
    beat = Q(heartbeat_at__lt=silent_since) | Q(
        heartbeat_at__isnull=True, created_at__lt=silent_since
    )
    queued_since = now - timedelta(minutes=settings.OCROTIRE_JOB_QUEUED_TIMEOUT_MINUTES)
    return (Q(status=RUNNING) & beat) | Q(status=QUEUED, created_at__lt=queued_since)


def jobs_expire(
    model: type[models.Model], *, error: str, now: datetime | None = None, **where: Any
) -> int:
    """Mark failed the stale jobs of `model` (one conditional UPDATE: a job that beats again in
    the meantime is left alone); return how many."""
    now = now or timezone.now()
    count: int = (
        model._default_manager.filter(stale_q(now=now), **where)
        .filter(status__in=[QUEUED, RUNNING])
        .update(status=FAILED, error=error, finished_at=now)
    )
    if count:
        logger.warning("%s %s job(s) marked failed: %s", count, model._meta.label, error)
    return count


class JobBeat:
    """Beats a running job's row and records its progress.

    Run in autocommit (a worker), the writes go through a thread of its own with its own
    connection: the job may be reading a long list through an open cursor, and on SQLite a write
    on that reading connection fails at once ("database is locked") when someone else wrote
    since the read began. The thread writes each new progress at most every `gap` seconds and a
    bare beat every `OCROTIRE_JOB_HEARTBEAT_SECONDS`. Run inside a transaction (a job answered
    at once, the tests), another connection would not see the row, so the writes are inline."""

    def __init__(self, model: type[models.Model], pk: int, *, gap: float = 1.0) -> None:
        self.model = model
        self.pk = pk
        self.gap = gap
        self.interval = float(settings.OCROTIRE_JOB_HEARTBEAT_SECONDS)
        self._pending: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> JobBeat:
        if not connection.in_atomic_block:
            self._thread = threading.Thread(
                target=self._run, name=f"beat-{self.model._meta.label}-{self.pk}", daemon=True
            )
            self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._thread is not None:
            self._stop.set()
            self._wake.set()
            self._thread.join(timeout=30)

    def progress(self, **fields: Any) -> None:
        """Record the job's progress (with a beat)."""
        if self._thread is None:
            self._write(fields)
            return
        with self._lock:
            self._pending.update(fields)
        self._wake.set()

    def _write(self, fields: dict[str, Any]) -> None:
        self.model._default_manager.filter(pk=self.pk, status=RUNNING).update(
            heartbeat_at=timezone.now(), **fields
        )

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                woke = self._wake.wait(timeout=self.interval)
                self._wake.clear()
                if self._stop.is_set():
                    break
                self._flush()
                if woke:
                    self._stop.wait(self.gap)
            # The last progress given before the job ended is written, not dropped.
            self._flush(final=True)
        finally:
            connection.close()

    def _flush(self, *, final: bool = False) -> None:
        """One write of the progress given since the last one (or a bare beat). A write that
        fails (SQLite locked by another writer, a dropped connection) keeps its fields for the
        next beat, behind any newer value; the last write is tried once more."""
        with self._lock:
            fields, self._pending = self._pending, {}
        if final and not fields:
            return
        for _ in range(2 if final else 1):
            try:
                self._write(fields)
                return
            except DatabaseError:
                logger.warning("could not beat %s %s", self.model._meta.label, self.pk)
                connection.close()
                if final:
                    time.sleep(self.gap)
        with self._lock:
            self._pending = {**fields, **self._pending}


WATCHER = "deadlines_watch"


def process_beat(*, name: str, details: dict[str, Any] | None = None) -> None:
    """Record a good round of a long-running process."""
    ProcessBeat.objects.update_or_create(
        name=name, defaults={"at": timezone.now(), "details": details or {}}
    )


def process_beat_at(*, name: str) -> datetime | None:
    return ProcessBeat.objects.filter(name=name).values_list("at", flat=True).first()


def _age(at: datetime | None, now: datetime) -> int | None:
    return None if at is None else max(0, int((now - at).total_seconds()))


def health_report(*, now: datetime | None = None) -> dict[str, Any]:
    """What `/healthz` tells beside "the database answers": the deadline watcher's last good
    round and the oldest job waiting for a worker, each "degraded" past its threshold (a watcher
    that never finished a round too)."""
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    last_round = process_beat_at(name=WATCHER)
    oldest = (
        DBTaskResult.objects.ready()
        .order_by("enqueued_at")
        .values_list("enqueued_at", flat=True)
        .first()
    )
    watcher_age = _age(last_round, now)
    queue_age = _age(oldest, now)
    degraded = []
    if watcher_age is None or watcher_age > settings.OCROTIRE_HEALTH_WATCHER_MAX_AGE_SECONDS:
        degraded.append("watcher")
    if queue_age is not None and queue_age > settings.OCROTIRE_HEALTH_QUEUE_MAX_AGE_SECONDS:
        degraded.append("queue")
    return {
        "status": "degraded" if degraded else "ok",
        "degraded": degraded,
        "watcher": {
            "last_round": last_round.isoformat() if last_round else None,
            "age_seconds": watcher_age,
        },
        "queue": {"oldest_age_seconds": queue_age},
    }
