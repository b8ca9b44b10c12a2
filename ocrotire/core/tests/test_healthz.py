"""/healthz: 200 with "ok" while the database answers, the deadline watcher's last good round is
recent and no job has waited too long for a worker; "degraded" (still 200, naming what) when the
watcher never finished a round or stopped, or the oldest queued job is too old."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from ocrotire.core.jobs import WATCHER
from ocrotire.core.models import ProcessBeat

pytestmark = pytest.mark.django_db


def _health(client: Any) -> dict[str, Any]:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    body: dict[str, Any] = response.json()
    return body


def test_ok_after_a_watcher_round(client):
    call_command("deadlines_watch")
    body = _health(client)
    assert (body["status"], body["degraded"]) == ("ok", [])
    assert body["watcher"]["age_seconds"] <= 5
    assert body["queue"]["oldest_age_seconds"] is None


def test_degraded_when_the_watcher_never_ran(client):
    body = _health(client)
    assert (body["status"], body["degraded"]) == ("degraded", ["watcher"])
    assert body["watcher"] == {"last_round": None, "age_seconds": None}


def test_degraded_when_the_watchers_last_good_round_is_old(client, settings):
    settings.OCROTIRE_HEALTH_WATCHER_MAX_AGE_SECONDS = 900
    call_command("deadlines_watch")
    ProcessBeat.objects.filter(name=WATCHER).update(at=timezone.now() - timedelta(seconds=1000))
    body = _health(client)
    assert (body["status"], body["degraded"]) == ("degraded", ["watcher"])
    assert body["watcher"]["age_seconds"] >= 1000
    ProcessBeat.objects.filter(name=WATCHER).update(at=timezone.now() - timedelta(seconds=800))
    assert _health(client)["status"] == "ok"


def test_degraded_when_a_job_waits_too_long_for_a_worker(client, settings):
    from ocrotire.workflow.tasks import overdue_scan_job

    settings.OCROTIRE_HEALTH_QUEUE_MAX_AGE_SECONDS = 600
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    call_command("deadlines_watch")
    result = overdue_scan_job.enqueue()
    body = _health(client)
    assert body["status"] == "ok"
    assert body["queue"]["oldest_age_seconds"] <= 5
    DBTaskResult.objects.filter(pk=result.id).update(
        enqueued_at=timezone.now() - timedelta(seconds=700)
    )
    body = _health(client)
    assert (body["status"], body["degraded"]) == ("degraded", ["queue"])
    assert body["queue"]["oldest_age_seconds"] >= 700
    # Taken by a worker, it no longer waits.
    DBTaskResult.objects.filter(pk=result.id).update(status="RUNNING")
    assert _health(client)["status"] == "ok"


def test_the_database_unavailable_is_a_503(client, monkeypatch):
    from ocrotire.core import views

    def broken() -> None:
        raise RuntimeError("no database")

    monkeypatch.setattr(views, "health_report", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "error"
