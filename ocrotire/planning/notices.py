"""The notices the action plan sends and the sentence each shows."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from django.utils.translation import gettext as _

from ocrotire.workflow import notices
from ocrotire.workflow.notices import NoticeKind


class PlanningNotice(StrEnum):
    PLAN_DEADLINE = "plan_deadline"


def _plan_deadline(data: Mapping[str, Any]) -> str:
    return _(
        "Action plan: sub-action %(subject)s is due in %(year)s and not yet reported done "
        "(%(title)s)."
    ) % {
        "subject": data.get("subject", ""),
        "year": data.get("year", ""),
        "title": data.get("title", ""),
    }


def register_notices() -> None:
    notices.register(NoticeKind(PlanningNotice.PLAN_DEADLINE, _plan_deadline))
