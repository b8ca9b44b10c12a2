"""JobBeat in a worker (autocommit): the beats and the progress are written from a thread with
its own connection, while the job's own connection may be reading; inside a transaction they are
written inline."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.db import OperationalError, connection
from django.utils import timezone

from ocrotire.core.jobs import JobBeat
from ocrotire.registry.models import DedupRun


def _running(user) -> DedupRun:
    run = DedupRun.objects.create(started_by=user)
    long_ago = timezone.now() - timedelta(hours=1)
    DedupRun.objects.filter(pk=run.pk).update(status=DedupRun.Status.RUNNING, heartbeat_at=long_ago)
    return run


def _beat_since(pk: int, ago: timedelta) -> bool:
    at = DedupRun.objects.get(pk=pk).heartbeat_at
    return at is not None and at > timezone.now() - ago


def _wait_for(condition, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


@pytest.mark.django_db(transaction=True)
def test_a_worker_job_beats_from_its_own_thread_without_progress(personas, settings):
    settings.OCROTIRE_JOB_HEARTBEAT_SECONDS = 0.1
    run = _running(personas["supervisor"])
    assert not connection.in_atomic_block
    with JobBeat(DedupRun, run.pk) as beat:
        assert beat._thread is not None
        # No progress step: the thread beats on its own, as during a long silent stage.
        assert _wait_for(lambda: _beat_since(run.pk, timedelta(seconds=5)))
        beat.progress(progress=42, stage="predict")
        assert _wait_for(lambda: DedupRun.objects.get(pk=run.pk).progress == 42)
    assert not beat._thread.is_alive()
    assert DedupRun.objects.get(pk=run.pk).stage == "predict"


@pytest.mark.django_db(transaction=True)
def test_a_write_that_fails_keeps_its_progress_for_the_next_beat(personas, settings, monkeypatch):
    # SQLite answers "database is locked" to a writer while another one writes: the progress
    # given then must not be lost.
    settings.OCROTIRE_JOB_HEARTBEAT_SECONDS = 0.1
    run = _running(personas["supervisor"])
    real = JobBeat._write
    failures: list[dict[str, object]] = []

    def locked_once(self, fields):
        if fields and not failures:
            failures.append(fields)
            raise OperationalError("database is locked")
        real(self, fields)

    monkeypatch.setattr(JobBeat, "_write", locked_once)
    with JobBeat(DedupRun, run.pk, gap=0.1) as beat:
        beat.progress(progress=42, stage="predict")
        assert _wait_for(lambda: DedupRun.objects.get(pk=run.pk).progress == 42)
    assert failures == [{"progress": 42, "stage": "predict"}]
    assert DedupRun.objects.get(pk=run.pk).stage == "predict"


@pytest.mark.django_db(transaction=True)
def test_the_last_progress_before_the_end_is_written(personas, settings):
    settings.OCROTIRE_JOB_HEARTBEAT_SECONDS = 60
    run = _running(personas["supervisor"])
    with JobBeat(DedupRun, run.pk, gap=30) as beat:
        beat.progress(progress=10)
        assert _wait_for(lambda: DedupRun.objects.get(pk=run.pk).progress == 10)
        # The thread now waits out its gap; the job gives its last progress and ends.
        beat.progress(progress=100, stage="done")
    assert DedupRun.objects.get(pk=run.pk).progress == 100


@pytest.mark.django_db(transaction=True)
def test_a_job_marked_failed_is_no_longer_beaten(personas, settings):
    settings.OCROTIRE_JOB_HEARTBEAT_SECONDS = 0.1
    run = _running(personas["supervisor"])
    DedupRun.objects.filter(pk=run.pk).update(status=DedupRun.Status.FAILED)
    with JobBeat(DedupRun, run.pk) as beat:
        beat.progress(progress=50)
        time.sleep(0.5)
    run.refresh_from_db()
    assert (run.status, run.progress) == (DedupRun.Status.FAILED, 0)
    assert run.heartbeat_at is not None
    assert run.heartbeat_at < timezone.now() - timedelta(minutes=30)


@pytest.mark.django_db
def test_inside_a_transaction_the_progress_is_written_inline(personas):
    run = _running(personas["supervisor"])
    with JobBeat(DedupRun, run.pk) as beat:
        assert beat._thread is None
        beat.progress(progress=7)
        run.refresh_from_db()
        assert run.progress == 7
        assert _beat_since(run.pk, timedelta(seconds=30))
