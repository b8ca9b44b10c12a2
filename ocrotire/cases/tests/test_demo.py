"""The demo reports and cases: loaded once through the services, covering every channel, reporter
and stage, with overdue tasks escalated; a second load adds nothing."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from ocrotire.cases.models import Case, ProtectiveAction, Stage
from ocrotire.core.audit import verify_chain
from ocrotire.core.models import AuditEvent
from ocrotire.demo.loader import demo_load
from ocrotire.intake.models import Channel, Report, ReporterKind, ReportStatus
from ocrotire.registry.models import Person
from ocrotire.workflow.models import Notification, Task, TaskStatus, TimelineEvent

pytestmark = pytest.mark.django_db
MD = ZoneInfo("Europe/Chisinau")


def _snapshot() -> tuple[int, ...]:
    return (
        Report.objects.count(),
        Case.objects.count(),
        Person.objects.count(),
        Task.objects.count(),
        TimelineEvent.objects.count(),
        Notification.objects.count(),
        AuditEvent.objects.count(),
    )


def test_demo_cases_load_once() -> None:
    first = demo_load()
    assert first["reports_created"] == Report.objects.count()
    # About thirty in Chișinău; Chernihiv, Bacău and Alamüdün have their own (test_demo_areas).
    assert 25 <= Report.objects.filter(unit__country="MD").count() <= 40
    assert first["cases_created"] == Case.objects.count() > 0
    before = _snapshot()
    second = demo_load()
    assert second["reports_created"] == second["cases_created"] == 0
    assert second["rules_written"] == second["concerns_created"] == 0
    assert _snapshot() == before
    assert verify_chain().ok


def test_demo_covers_every_channel_reporter_stage_and_outcome() -> None:
    demo_load()
    now = timezone.now()
    reports = Report.objects.all()
    assert set(reports.values_list("channel", flat=True)) == set(Channel.values)
    assert set(reports.values_list("reporter_kind", flat=True)) == set(ReporterKind.values)
    assert set(reports.values_list("status", flat=True)) == set(ReportStatus.values)
    assert set(Case.objects.values_list("stage", flat=True)) == set(Stage.values)
    # Reports and cases in the four demo countries.
    assert set(reports.values_list("unit__country", flat=True)) == {"MD", "UA", "RO", "KG"}
    # One report came in today (in Chișinău) and awaits triage.
    today = timezone.localtime(now, MD).date()
    assert any(
        timezone.localtime(r.received_at, MD).date() == today
        for r in reports.filter(status=ReportStatus.NEW)
    )

    # At least two reports still await triage past their deadline, and were escalated.
    overdue_triage = Task.objects.filter(
        kind="triage",
        status=TaskStatus.OPEN,
        report__status=ReportStatus.NEW,
        due_at__lt=now,
        overdue_notified_at__isnull=False,
    )
    assert overdue_triage.filter(report__unit__country="MD").count() >= 2
    assert Notification.objects.filter(kind="task_overdue", task__in=overdue_triage).exists()

    # A repeat report linked to the child's open case.
    linked = reports.filter(status=ReportStatus.LINKED)
    assert any(
        r.cases.filter(stage__in=[s for s in Stage.values if s != Stage.CLOSED]).exists()
        for r in linked
    )
    # One report about two siblings opened one case each.
    assert any(r.cases.count() == 2 for r in reports.filter(status=ReportStatus.CASE_OPENED))
    # A reopened case, open again.
    assert Case.objects.filter(times_reopened__gte=1).exclude(stage=Stage.CLOSED).exists()
    # An emergency removal: prosecutor told, court still pending and overdue.
    removal = ProtectiveAction.objects.get(kind="removal")
    assert removal.prosecutor_notified_at is not None
    assert removal.court_filed_at is None
    court = Task.objects.get(case=removal.case, kind="court_filing")
    assert court.status == TaskStatus.OPEN
    assert court.overdue_notified_at is not None
    # The implementation case has its visits, review, referral and meeting.
    case = Case.objects.get(stage=Stage.IMPLEMENTATION, unit__country="MD")
    assert case.visits.count() >= 2
    assert case.reviews.exists()
    assert case.referrals.exists()
    assert case.meetings.exists()
    # Every task past due was escalated: the watcher starts from a clean slate.
    assert not Task.objects.filter(
        status=TaskStatus.OPEN, due_at__lt=now, overdue_notified_at__isnull=True
    ).exists()
    assert TimelineEvent.objects.filter(kind="task_overdue").exists()
