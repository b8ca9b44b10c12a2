"""In-app notifications, and e-mail when the deployment configures a mail server."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from ocrotire.accounts.models import User
from ocrotire.workflow.models import Notification, Task
from ocrotire.workflow.notices import notification_text
from ocrotire.workflow.subjects import CaseSubject


def notify(
    *,
    users: Iterable[User],
    kind: str,
    case: CaseSubject | None = None,
    task: Task | None = None,
    data: dict[str, Any] | None = None,
) -> int:
    """One notification per user (and per task for task notices); e-mail after commit."""
    created = 0
    payload = {"subject": case.number if case else "", **(data or {})}
    # The case instance of the app above, given to the rows as it is (typed by what is read).
    owner: dict[str, Any] = {"case": case}
    for user in {u.pk: u for u in users if u is not None and u.is_active}.values():
        try:
            with transaction.atomic():
                notification = Notification.objects.create(
                    user=user,
                    kind=kind,
                    **owner,
                    report=task.report if task is not None else None,
                    task=task,
                    data=payload,
                )
        except IntegrityError:
            continue  # this task's notice was already sent to this user
        created += 1
        if settings.OCROTIRE_NOTIFY_EMAIL and user.email:
            transaction.on_commit(functools.partial(_mail, notification, user))
    return created


def _mail(notification: Notification, user: User) -> None:
    with translation.override(user.language or settings.LANGUAGE_CODE):
        text = notification_text(notification)
        send_mail(
            subject=_("Ocrotire: %(text)s") % {"text": text[:120]},
            message=text,
            from_email=None,
            recipient_list=[user.email],
            fail_silently=True,
        )
