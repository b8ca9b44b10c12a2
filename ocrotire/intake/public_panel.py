"""The public channel on a report's card (`intake.panels`): the messages exchanged with the
reporter who holds the tracking code, and the reply form, for staff who may triage the report.
The reporter never sees who replied; the card shows it to the staff."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ocrotire.accounts.models import User
from ocrotire.intake import panels
from ocrotire.intake.models import PublicAccess, Report
from ocrotire.intake.permissions import can_triage


def _conversation(user: User, report: Report) -> Mapping[str, Any] | None:
    if report.channel != "online" or not can_triage(user, report):
        return None
    if not PublicAccess.objects.filter(report=report).exists():
        return None
    return {"messages": list(report.public_messages.select_related("written_by"))}


def register_public_panel() -> None:
    panels.register("public", 30, _conversation, "intake/report_public_messages.html")
