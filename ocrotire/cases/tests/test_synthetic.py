"""The synthetic-data generator: deterministic, to scale, consistent, and readable by the app."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from ocrotire.accounts.models import User
from ocrotire.cases.models import OPEN_STAGES, Case, Review, Stage
from ocrotire.cases.selectors import case_list
from ocrotire.core.models import AuditEvent
from ocrotire.demo.synthetic.generation import Scale, generate
from ocrotire.intake.models import RegistrationCounter, Report
from ocrotire.intake.services import ChildInput, ReportInput, report_create
from ocrotire.registry.models import Person
from ocrotire.workflow.events import event_text
from ocrotire.workflow.models import Task, TaskStatus, TimelineEvent
from ocrotire.workflow.timeline import rule_names

UNTIL = date(2026, 6, 1)


class _Rollback(Exception):
    pass


@pytest.fixture
def packs(db: Any) -> None:
    call_command("load_packs", "MD", stdout=io.StringIO())


def _scale(**values: Any) -> Scale:
    return Scale.default(values.pop("persons", 400), years=2, until=UNTIL, batch=500, **values)


def _snapshot() -> dict[str, Any]:
    people = {
        p.pk: (p.given_name, p.family_name, p.birth_date)
        for p in Person.objects.all().only("given_name", "family_name", "birth_date")
    }
    reports = [
        (
            r.number,
            r.received_at,
            r.channel,
            r.reporter_kind,
            r.status,
            r.unit_id,
            r.narrative,
            sorted(people[c] for c in r.children.values_list("pk", flat=True)),
            sorted(r.concerns.values_list("code", flat=True)),
            sorted(r.cases.values_list("number", flat=True)),
        )
        for r in Report.objects.order_by("number")
    ]
    cases = list(
        Case.objects.order_by("number").values_list(
            "number", "stage", "risk_level", "opened_at", "closed_at", "times_reopened"
        )
    )
    events = sorted(
        (e.case.number if e.case else e.report.number, e.kind, e.at)  # type: ignore[union-attr]
        for e in TimelineEvent.objects.select_related("case", "report")
    )
    tasks = sorted(Task.objects.values_list("kind", "status", "due_at", "done_at").order_by())
    return {"reports": reports, "cases": cases, "events": events, "tasks": tasks}


def test_same_seed_same_rows(packs: None) -> None:
    scale = _scale(persons=200)
    try:
        with transaction.atomic():
            generate(scale, progress=False)
            first = _snapshot()
            raise _Rollback
    except _Rollback:
        pass
    assert not Report.objects.exists()
    generate(scale, progress=False)
    assert _snapshot() == first
    assert first["reports"]


def test_counts_stages_and_one_open_case_per_child(packs: None) -> None:
    scale = Scale.default(1000, years=1, until=UNTIL, batch=500)
    generation = generate(scale, progress=False, fast=False)
    connection.check_constraints()
    assert Person.objects.count() == 1000
    assert Report.objects.count() == 2000
    cases = Case.objects.count()
    assert 0.9 * 1000 <= cases <= 1000
    events = TimelineEvent.objects.count()
    assert 0.8 * 10000 <= events <= 1.4 * 10000
    assert generation.tables["cases_timelineevent"].written == events
    stages = set(Case.objects.values_list("stage", flat=True))
    assert stages == set(Stage.values), set(Stage.values) - stages
    assert Case.objects.filter(times_reopened__gt=0).exists()
    # Cases in implementation for months are reviewed, and the review is on their timeline.
    assert Review.objects.count() == TimelineEvent.objects.filter(kind="review_done").count() > 0
    assert not Review.objects.filter(case__closed_at__lt=F("reviewed_at")).exists()
    open_children = list(Case.objects.filter(stage__in=OPEN_STAGES).values_list("child", flat=True))
    assert len(open_children) == len(set(open_children))
    statuses = set(Task.objects.values_list("status", flat=True))
    # A task is superseded only when a rule fires again for an open task of its own (none of
    # the simulated paths does): every other status occurs.
    assert statuses == set(TaskStatus.values) - {TaskStatus.SUPERSEDED}
    assert Task.objects.filter(status=TaskStatus.OPEN, due_at__lt=timezone.now()).exists()
    done = Task.objects.filter(status=TaskStatus.DONE)
    assert done.count() > Task.objects.exclude(status=TaskStatus.DONE).count()
    channels = set(Report.objects.values_list("channel", flat=True))
    assert {"hotline", "notification_form", "phone", "online"} <= channels
    assert Report.objects.filter(reporter_anonymous=True).exists()
    assert Report.objects.filter(immediate_danger=True).exists()


def test_numbers_unique_and_counter_continues(packs: None) -> None:
    until = timezone.localdate()
    generate(Scale.default(300, years=1, until=until, batch=500), progress=False)
    numbers = list(Report.objects.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers))
    latest = Report.objects.order_by("-received_at").first()
    assert latest is not None
    prefix, year, sequence = latest.number.rsplit("-", 2)
    counter = RegistrationCounter.objects.get(prefix=prefix, year=int(year), kind="report")
    in_sequence = Report.objects.filter(number__startswith=f"{prefix}-{year}-").count()
    assert counter.last == in_sequence >= int(sequence)
    actor = User.objects.get(username=f"gen-{latest.unit.code.lower()}-s1")
    child = Person.objects.filter(birth_date__gt=until - timedelta(days=3000)).first()
    assert child is not None
    report = report_create(
        actor=actor,
        data=ReportInput(
            channel="phone",
            reporter_kind="citizen",
            unit=latest.unit,
            narrative="A real report after the synthetic ones.",
            concerns=["neglect"],
            children=[ChildInput(person=child)],
            received_at=timezone.now() - timedelta(minutes=1),
        ),
    )
    now_year = timezone.localtime().year
    before = RegistrationCounter.objects.get(prefix=prefix, year=now_year, kind="report").last
    assert report.number == f"{prefix}-{now_year}-{before:06d}"
    assert Report.objects.filter(number__startswith=f"{prefix}-{now_year}-").count() == before


def test_generated_data_reads_through_the_app(packs: None, api: Any) -> None:
    generate(_scale(persons=300), progress=False)
    user = User.objects.filter(username__endswith="-s1").order_by("username").first()
    assert user is not None
    listed = list(case_list(user=user)[:50])
    assert listed
    response = api(user).get("/api/v1/cases/")
    assert response.status_code == 200, response.content
    assert response.json()["count"] > 0
    case = Case.objects.filter(unit__in=user.units.all()).order_by("-opened_at").first()
    assert case is not None
    detail = api(user).get(f"/api/v1/cases/{case.pk}/")
    assert detail.status_code == 200, detail.content
    names = rule_names("MD")
    for event in TimelineEvent.objects.select_related("case__unit", "report__unit")[:2000]:
        text = event_text(event, names)
        assert text, event.kind
        assert text != event.kind, event.kind


def test_command_summary_and_refusal_in_production(packs: None, settings: Any) -> None:
    out = io.StringIO()
    call_command("generate", persons=100, years=1, until=UNTIL, stdout=out, stderr=io.StringIO())
    assert "intake_report" in out.getvalue()
    assert "cases_timelineevent" in out.getvalue()
    run = AuditEvent.objects.get(object_type="core.synthetic")
    assert run.actor_username == "manage.py generate"
    assert run.changes["seed"] == 1
    assert run.changes["rows"]["intake_report"] == Report.objects.count()
    settings.PRODUCTION = True
    with pytest.raises(CommandError):
        call_command("generate", persons=100, stdout=io.StringIO(), stderr=io.StringIO())


def _index_definitions() -> set[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename, indexdef FROM pg_indexes WHERE schemaname = current_schema()"
        )
        return set(cursor.fetchall())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="indexes deferred on PostgreSQL")
def test_the_indexes_dropped_for_the_load_are_built_again_as_they_were(packs: None) -> None:
    from ocrotire.core.bulk import indexes_defer

    before = _index_definitions()
    with transaction.atomic():
        # Inside the load they are gone (the tables were empty); the unique ones stay.
        dropped = indexes_defer(["cases_task", "registry_person", "geo_unit"])
        during = _index_definitions()
        assert any("cases_task_open_due" in d for d in dropped)
        assert any("gin_trgm_ops" in d for d in dropped)  # the names' trigram indexes
        assert not any("geo_unit" in d for d in dropped)  # a table with rows keeps its own
        assert not any("UNIQUE" in d for d in dropped)
        assert {d for _t, d in before - during} == set(dropped)
        transaction.set_rollback(True)
    generation = generate(_scale(persons=300), progress=False)
    assert _index_definitions() == before
    assert generation.extra_counts["indexes built after the load"][0] > 20


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="COPY in the background on PostgreSQL"
)
def test_a_batch_refused_in_the_background_fails_the_caller_and_writes_nothing(
    packs: None,
) -> None:
    from django.db import DatabaseError

    from ocrotire.core.bulk import BulkTable, CopyWriter

    given = ("prefix", "year", "kind", "last")
    writer = CopyWriter()
    with pytest.raises(DatabaseError), transaction.atomic():
        try:
            table = BulkTable(RegistrationCounter, given, size=2, writer=writer)
            table.add("BG", 2026, "report", 1)
            table.add("BG", 2027, "report", 1)  # a full batch: sent in the background
            table.add("BG", "not a year", "report", 1)
            table.close()
        except BaseException:
            writer.stop(discard=True)
            raise
    assert not writer.thread.is_alive()
    assert not RegistrationCounter.objects.filter(prefix="BG").exists()
    # The connection is usable again.
    good = CopyWriter()
    table = BulkTable(RegistrationCounter, given, size=2, writer=good)
    for year in (2026, 2027, 2028):
        table.add("OK", year, "report", 1)
    table.close()
    good.stop()
    assert RegistrationCounter.objects.filter(prefix="OK").count() == 3 == table.written
