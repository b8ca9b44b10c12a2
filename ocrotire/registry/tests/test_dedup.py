"""Batch de-duplication: a background job with progress that proposes pairs for review."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from ocrotire.registry.linkage import MODEL_PATH
from ocrotire.registry.linkage import settings as linkage_settings
from ocrotire.registry.models import DedupRun, DuplicateCandidate, NotDuplicate
from ocrotire.registry.services import PersonInput, person_create

pytestmark = pytest.mark.django_db


def test_the_stored_model_ships_with_the_code():
    assert MODEL_PATH.is_file()


def test_the_stored_model_blocks_as_the_code_says():
    """A run takes its blocking rules from the stored model, not from `settings()`: the two must
    not drift apart (the rules decide how many pairs a run scores, hence its time at 1 M)."""
    stored = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    code = linkage_settings().create_settings_dict(sql_dialect_str="duckdb")
    assert [r["blocking_rule"] for r in stored["blocking_rules_to_generate_predictions"]] == [
        r["blocking_rule"] for r in code["blocking_rules_to_generate_predictions"]
    ]


@pytest.fixture
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def _person(actor, unit, given, family, born, sex="F"):
    return person_create(
        actor=actor,
        data=PersonInput(given_name=given, family_name=family, sex=sex, birth_date=born, unit=unit),
    )


@pytest.fixture
def registry_people(personas, territory):
    actor, unit = personas["specialist"], territory["MD-CU-BOT"]
    people = {
        "maria": _person(actor, unit, "Maria", "Țurcanu", date(2015, 3, 12)),
        "maria_cyr": _person(actor, unit, "Мария", "Цуркану", date(2015, 3, 12)),
        "ion": _person(actor, unit, "Ion", "Ceban", date(2012, 7, 1), "M"),
        "ion_ru": _person(actor, unit, "Иван", "Чебан", date(2012, 7, 1), "M"),
        "andrei": _person(actor, unit, "Andrei", "Ciobanu", date(2016, 5, 20), "M"),
        "ana": _person(actor, unit, "Ana", "Ciobanu", date(2016, 5, 20), "F"),
    }
    for index in range(30):
        _person(
            actor,
            unit,
            f"Nume{index}",
            f"Familie{index}",
            date(2000 + index % 20, 1 + index % 12, 1),
        )
    return people


def _pairs():
    return {(c.person_low_id, c.person_high_id) for c in DuplicateCandidate.objects.all()}


def test_run_proposes_the_duplicates_and_not_the_twins(
    api, personas, registry_people, immediate_tasks, django_capture_on_commit_callbacks
):
    client = api(personas["supervisor"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/dedup-runs/")
    assert response.status_code == 202
    run = DedupRun.objects.get()
    assert run.status == "done", run.error
    assert run.progress == 100
    status = client.get(f"/api/v1/dedup-runs/{run.pk}/").json()
    assert status["status"] == "done"
    p = registry_people
    pairs = _pairs()
    assert tuple(sorted((p["maria"].pk, p["maria_cyr"].pk))) in pairs
    assert tuple(sorted((p["ion"].pk, p["ion_ru"].pk))) in pairs
    twins = tuple(sorted((p["andrei"].pk, p["ana"].pk)))
    assert twins not in {
        pair
        for pair in pairs
        if DuplicateCandidate.objects.get(person_low_id=pair[0], person_high_id=pair[1]).score
        >= 0.5
    }
    queue = client.get("/api/v1/duplicates/").json()
    assert queue["count"] == DuplicateCandidate.objects.filter(status="open").count()


def test_rerun_does_not_propose_decided_pairs_again(
    api, personas, registry_people, immediate_tasks, django_capture_on_commit_callbacks
):
    p = registry_people
    low, high = sorted((p["maria"], p["maria_cyr"]), key=lambda person: person.pk)
    NotDuplicate.objects.create(person_low=low, person_high=high, decided_by=personas["supervisor"])
    with django_capture_on_commit_callbacks(execute=True):
        api(personas["supervisor"]).post("/api/v1/dedup-runs/")
    assert (low.pk, high.pk) not in _pairs()


@pytest.mark.parametrize("persona", ["specialist", "reporter", "outsider"])
def test_only_supervisors_start_a_run(api, personas, persona):
    response = api(personas[persona]).post("/api/v1/dedup-runs/")
    assert response.status_code == 403
    assert not DedupRun.objects.exists()


# --- a run whose worker died --------------------------------------------------------------------


def _run_killed_at_5_percent(actor, *, silent_for):
    """A run as a killed worker leaves it: running at 5 %, its last beat `silent_for` ago."""
    run = DedupRun.objects.create(started_by=actor)
    DedupRun.objects.filter(pk=run.pk).update(
        status=DedupRun.Status.RUNNING,
        progress=5,
        stage="export",
        heartbeat_at=timezone.now() - silent_for,
    )
    return run


def test_a_new_request_fails_the_silent_run_and_starts_a_new_one(
    api, personas, registry_people, immediate_tasks, django_capture_on_commit_callbacks, settings
):
    settings.OCROTIRE_JOB_HEARTBEAT_TIMEOUT_SECONDS = 120
    stuck = _run_killed_at_5_percent(personas["supervisor"], silent_for=timedelta(seconds=121))
    client = api(personas["supervisor"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/dedup-runs/")
    assert response.status_code == 202
    assert response.json()["id"] != stuck.pk
    stuck.refresh_from_db()
    assert stuck.status == DedupRun.Status.FAILED
    assert stuck.finished_at is not None
    assert "worker stopped" in stuck.error
    new = DedupRun.objects.get(pk=response.json()["id"])
    assert (new.status, new.progress) == (DedupRun.Status.DONE, 100), new.error
    assert new.heartbeat_at is not None


def test_a_run_that_still_beats_is_returned_to_a_new_request(api, personas, settings):
    settings.OCROTIRE_JOB_HEARTBEAT_TIMEOUT_SECONDS = 120
    alive = _run_killed_at_5_percent(personas["supervisor"], silent_for=timedelta(seconds=60))
    response = api(personas["supervisor"]).post("/api/v1/dedup-runs/")
    assert response.json()["id"] == alive.pk
    assert DedupRun.objects.get().status == DedupRun.Status.RUNNING


def test_the_watcher_fails_the_silent_run_within_the_timeout(personas, settings):
    settings.OCROTIRE_JOB_HEARTBEAT_TIMEOUT_SECONDS = 120
    stuck = _run_killed_at_5_percent(personas["supervisor"], silent_for=timedelta(seconds=121))
    alive = _run_killed_at_5_percent(personas["supervisor"], silent_for=timedelta(seconds=30))
    call_command("deadlines_watch")
    statuses = dict(DedupRun.objects.values_list("pk", "status"))
    assert statuses == {stuck.pk: DedupRun.Status.FAILED, alive.pk: DedupRun.Status.RUNNING}


def test_a_worker_that_comes_back_does_not_undo_the_failure(
    personas, registry_people, settings, monkeypatch
):
    """The run was marked failed while its worker hung; when that worker ends it leaves the
    failure as it is (the next run is already under way)."""
    from ocrotire.registry import linkage
    from ocrotire.registry.tasks import dedup_run_execute

    run = DedupRun.objects.create(started_by=personas["supervisor"])
    real = linkage.find_duplicates

    def hung_then_finished(**kwargs):
        DedupRun.objects.filter(pk=run.pk).update(status=DedupRun.Status.FAILED)
        return real(**kwargs)

    monkeypatch.setattr(linkage, "find_duplicates", hung_then_finished)
    dedup_run_execute.call(run.pk)
    run.refresh_from_db()
    assert run.status == DedupRun.Status.FAILED
