"""Reminders to the institutions responsible for a sub-action, before the end of a year in
which it is due and not yet reported done: one in-app notice (and e-mail where configured) to
each active member of those institutions, once per sub-action and year. The deadline watcher
(`manage.py deadlines_watch --loop`) sends them; several watchers never send one twice."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from ocrotire.accounts.models import User
from ocrotire.planning.models import (
    DeadlineKind,
    Level,
    PlanItem,
    Progress,
    ProgressStatus,
    Reminder,
)
from ocrotire.planning.selectors import due_in
from ocrotire.workflow.notifications import notify

CLOSED = (ProgressStatus.DONE, ProgressStatus.CANCELLED)


def plan_reminders(today: date | None = None) -> int:
    """Send the reminders due today; returns how many notices were sent."""
    today = today or timezone.localdate()
    year = today.year
    if today < date(year, 12, 31) - timedelta(days=settings.OCROTIRE_PLAN_REMINDER_DAYS):
        return 0
    items = (
        PlanItem.objects.filter(
            level=Level.SUBACTION,
            strategy__period_start__lte=year,
            strategy__period_end__gte=year,
        )
        .exclude(deadline_kind=DeadlineKind.AS_NEEDED)
        # One subquery each: a multi-valued exclude() would match the year and the status on
        # different progress rows.
        .exclude(Exists(Progress.objects.filter(item=OuterRef("pk"), year=year, status__in=CLOSED)))
        .exclude(Exists(Reminder.objects.filter(item=OuterRef("pk"), year=year)))
        .prefetch_related("responsible")
    )
    sent = 0
    for item in items:
        if not due_in(item, year) or not item.responsible.all():
            continue
        try:
            with transaction.atomic():
                reminder = Reminder.objects.create(item=item, year=year)
                responsible = list(item.responsible.all())
                # The institutions and their sections (who report on the row) are reminded.
                users = User.objects.filter(
                    Q(institution__in=responsible) | Q(institution__parent__in=responsible),
                    is_active=True,
                )
                count = notify(
                    users=users,
                    kind="plan_deadline",
                    data={
                        "subject": item.code,
                        "title": item.title[:120],
                        "year": year,
                        "plan": item.strategy_id,
                        "item": item.pk,
                    },
                )
                Reminder.objects.filter(pk=reminder.pk).update(recipients=count)
                sent += count
        except IntegrityError:
            continue  # another watcher reminded them first
    return sent
