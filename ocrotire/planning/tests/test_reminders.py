"""Year-end reminders to the institutions responsible for a sub-action due that year and not
reported done: once per sub-action and year, only to those institutions' members."""

from __future__ import annotations

from datetime import date

import pytest

from ocrotire.planning.models import PlanItem, Progress, Strategy
from ocrotire.planning.reminders import plan_reminders
from ocrotire.workflow.models import Notification

pytestmark = pytest.mark.django_db


def test_reminders_reach_the_responsible_institutions_once(people, imported, settings):
    settings.OCROTIRE_PLAN_REMINDER_DAYS = 45
    strategy = Strategy.objects.get(pk=imported["id"])
    assert plan_reminders(date(2023, 10, 1)) == 0  # too early in the year
    done = PlanItem.objects.get(strategy=strategy, code="1.1.3.2")  # DGETS, 2023-25
    Progress.objects.create(item=done, year=2023, status="done", updated_by=people["planner"])
    sent = plan_reminders(date(2023, 11, 20))
    assert sent > 0
    dgets = Notification.objects.filter(user=people["dgets"], kind="plan_deadline")
    codes = {n.data["subject"] for n in dgets}
    assert "1.2.2.2" not in codes  # the municipal council's (CMC) row
    assert "1.1.3.2" not in codes  # reported done
    assert "1.1.4.3" in codes  # DGETS, 2023-25, nothing reported
    assert "1.1.3.1" not in codes  # due in 2022, not 2023
    dgpdc = {n.data["subject"] for n in Notification.objects.filter(user=people["dgpdc"])}
    assert "1.1.1.3" in dgpdc  # DGPDC, 2023
    assert "1.2.2.4" not in dgpdc  # "as needed" has no deadline
    # A second round (another watcher, the next day) sends nothing again.
    assert plan_reminders(date(2023, 11, 21)) == 0
    assert not Notification.objects.filter(user=people["reporter"]).exists()
