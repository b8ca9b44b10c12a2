"""The demo reports and cases: loaded through the services, covering every channel, reporter and
stage, with overdue tasks escalated."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from ocrotire.cases.models import Case, ProtectiveAction, Stage
from ocrotire.core.tests.snapshot import demo_in_transaction
from ocrotire.intake.models import Channel, Report, ReporterKind, ReportStatus
from ocrotire.workflow.models import Notification, Task, TaskStatus, TimelineEvent

# The test reads the demo: loaded (or put back) once for the module, before the test's own
# transaction. That a second load adds nothing is core/tests/test_demo.py's.
pytestmark = pytest.mark.usefixtures("db")
MD = ZoneInfo("Europe/Chisinau")


@pytest.fixture(autouse=True)
def _world_then_db(request: Any, module_world: Any) -> None:
    module_world.use("demo", demo_in_transaction)
    request.getfixturevalue("db")


def test_demo_covers_every_channel_reporter_stage_and_outcome() -> None:
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
