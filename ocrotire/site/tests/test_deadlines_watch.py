"""The deadline watcher survives faults: a bad row (a report dated year 1 written straight into the
database, a task that cannot be escalated) is logged and skipped while the round does the
rest of its work; a terminated database connection is reconnected in the next round; each good
round is recorded where every process sees it."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.db import OperationalError, connection
from django.db.models import Q
from django.utils import timezone

from ocrotire.cases.tests.test_case_pages import REPORT
from ocrotire.core.jobs import WATCHER
from ocrotire.core.models import ProcessBeat
from ocrotire.intake.models import Report
from ocrotire.site.management.commands import deadlines_watch
from ocrotire.workflow.models import Task, TimelineEvent


def task_report(task: Task) -> Q:
    return Q(report_id=task.report_id)


def _file(client: Any, **extra: Any) -> int:
    response = client.post("/api/v1/reports/", {**REPORT, **extra}, format="json")
    assert response.status_code == 201, response.json()
    return int(response.json()["id"])


@pytest.mark.django_db
def test_a_round_with_bad_rows_logs_them_and_does_the_rest(api, personas, casework, caplog):
    client = api(personas["specialist"])
    call_command("deadlines_watch")  # the dashboards' day figures are built
    ProcessBeat.objects.all().delete()
    bad_report = _file(client)
    # Received on 1 January of year 1 in Chișinău (local mean time, +01:55:20): its day starts
    # before year 1 in UTC.
    Report.objects.filter(pk=bad_report).update(received_at=datetime(1, 1, 1, 0, 5, tzinfo=UTC))
    received = timezone.now() - timedelta(days=6)
    good_report = _file(client, received_at=received.isoformat(), channel="written")
    good_task = Task.objects.get(report_id=good_report, kind="triage")

    with caplog.at_level(logging.WARNING):
        call_command("deadlines_watch")
    good_task.refresh_from_db()
    assert good_task.overdue_notified_at is not None
    assert TimelineEvent.objects.filter(report_id=good_report, kind="task_overdue").exists()
    messages = [record.getMessage() for record in caplog.records]
    assert any("cannot be counted; skipped" in m for m in messages), messages
    assert ProcessBeat.objects.get(name=WATCHER).at > timezone.now() - timedelta(seconds=30)

    caplog.clear()
    call_command("deadlines_watch")  # the next round is clean
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.django_db
def test_a_task_that_cannot_be_escalated_is_skipped_and_the_others_are(
    api, personas, casework, monkeypatch, caplog
):
    from ocrotire.workflow import tasks

    client = api(personas["specialist"])
    received = (timezone.now() - timedelta(days=6)).isoformat()
    first = Task.objects.get(
        report_id=_file(client, received_at=received, channel="written"), kind="triage"
    )
    second = Task.objects.get(
        report_id=_file(client, received_at=received, channel="written"), kind="triage"
    )
    escalate = tasks._escalate

    def broken_for_the_first(item: Task, supervisors: Any) -> None:
        if item.pk == first.pk:
            raise ValueError("a row no calendar holds")
        escalate(item, supervisors)

    monkeypatch.setattr(tasks, "_escalate", broken_for_the_first)
    with caplog.at_level(logging.ERROR):
        call_command("deadlines_watch")
    assert f"overdue task {first.pk} could not be escalated" in caplog.text
    assert TimelineEvent.objects.filter(task_report(second), kind="task_overdue").exists()
    assert not TimelineEvent.objects.filter(task_report(first), kind="task_overdue").exists()
    # Marked, so that it does not stop every round after it.
    first.refresh_from_db()
    assert first.overdue_notified_at is not None
    assert ProcessBeat.objects.filter(name=WATCHER).exists()


@pytest.mark.django_db
def test_a_step_that_fails_does_not_stop_the_others(personas, monkeypatch, caplog):
    calls: list[str] = []

    def broken() -> int:
        raise ValueError("a bad row")

    def counted() -> int:
        calls.append("figures")
        return 0

    monkeypatch.setattr(
        deadlines_watch,
        "ROUND",
        (("overdue", broken), ("figures", counted)),
    )
    with caplog.at_level(logging.ERROR):
        call_command("deadlines_watch")
    assert calls == ["figures"]
    assert "step overdue failed" in caplog.text
    assert not ProcessBeat.objects.exists()  # not a good round


class _Stop(BaseException):
    """Ends the endless loop of the test (the watcher catches Exception, never this)."""


@pytest.mark.django_db(transaction=True)
def test_the_loop_reconnects_after_its_connection_is_terminated(settings, monkeypatch, caplog):
    if connection.vendor != "postgresql":
        pytest.skip("pg_terminate_backend is PostgreSQL's")
    import psycopg

    settings.OCROTIRE_DEADLINE_SCAN_SECONDS = 0  # every turn of the loop is a full round
    terminated: list[int] = []

    def terminate_own_connection() -> int:
        if terminated:
            return 0
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        params = connection.get_connection_params()
        params.pop("cursor_factory", None)
        params.pop("context", None)
        with psycopg.connect(**params, autocommit=True) as other:
            other.execute("SELECT pg_terminate_backend(%s)", [pid])
        terminated.append(pid)
        return 0

    monkeypatch.setattr(
        deadlines_watch,
        "ROUND",
        (("terminate", terminate_own_connection), *deadlines_watch.ROUND),
    )
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        if len(sleeps) == 2:
            raise _Stop

    monkeypatch.setattr(time, "sleep", sleep)
    with caplog.at_level(logging.WARNING), pytest.raises(_Stop):
        call_command("deadlines_watch", "--loop")
    assert terminated
    assert "database error in step overdue" in caplog.text
    assert "reconnecting" in caplog.text
    # The round went on with its other steps on a new connection, and the next round was a
    # good one.
    beat = ProcessBeat.objects.get(name=WATCHER)
    assert set(beat.details) == {name for name, _step in deadlines_watch.ROUND}
    assert len(sleeps) == 2
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != terminated[0]


@pytest.mark.django_db
def test_the_loop_waits_longer_while_the_database_is_unreachable(settings, monkeypatch, caplog):
    settings.OCROTIRE_DEADLINE_SCAN_SECONDS = 0
    settings.OCROTIRE_WATCH_BACKOFF_MAX_SECONDS = 4

    def unreachable() -> int:
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(deadlines_watch, "ROUND", (("overdue", unreachable),))
    monkeypatch.setattr(connection, "close", lambda: None)
    monkeypatch.setattr(connection, "ensure_connection", unreachable)
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        if len(sleeps) == 4:
            raise _Stop

    monkeypatch.setattr(time, "sleep", sleep)
    with caplog.at_level(logging.WARNING), pytest.raises(_Stop):
        call_command("deadlines_watch", "--loop")
    assert sleeps == [1.0, 2.0, 4.0, 4.0]
    assert "database unreachable" in caplog.text
