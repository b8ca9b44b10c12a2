"""The kinds of notifications and the sentence each shows, in the reader's language.

Every app registers the notices it sends, with their sentences, from its AppConfig.ready(); a
kind is registered once. The notifications page, the API and the e-mail ask `notification_text`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

from ocrotire.workflow.models import Notification


@dataclass(frozen=True)
class NoticeKind:
    code: str
    # The whole translated sentence, from the notification's data.
    text: Callable[[Mapping[str, Any]], str]


_KINDS: dict[str, NoticeKind] = {}


def register(*kinds: NoticeKind) -> None:
    """Register kinds; a kind registered again by other code is refused (two apps, one kind)."""
    for kind in kinds:
        code = str(kind.code)
        existing = _KINDS.get(code)
        if existing is not None and existing != kind:
            raise ImproperlyConfigured(f"The notice kind {code!r} is registered twice.")
        _KINDS[code] = kind


def kinds() -> dict[str, NoticeKind]:
    return dict(_KINDS)


def notification_text(notification: Notification) -> str:
    kind = _KINDS.get(notification.kind)
    if kind is None:
        return notification.kind
    return kind.text(notification.data or {})


class WorkflowNotice(StrEnum):
    TASK_OVERDUE = "task_overdue"
    TASK_ESCALATED = "task_escalated"


def _task_overdue(data: Mapping[str, Any]) -> str:
    return _("Overdue: %(task)s in %(subject)s (due %(due)s).") % {
        "task": data.get("task", ""),
        "subject": data.get("subject", ""),
        "due": data.get("due", ""),
    }


def _task_escalated(data: Mapping[str, Any]) -> str:
    return _("Escalated to you: %(task)s in %(subject)s is still not done (due %(due)s).") % {
        "task": data.get("task", ""),
        "subject": data.get("subject", ""),
        "due": data.get("due", ""),
    }


def register_notices() -> None:
    register(
        NoticeKind(WorkflowNotice.TASK_OVERDUE, _task_overdue),
        NoticeKind(WorkflowNotice.TASK_ESCALATED, _task_escalated),
    )
