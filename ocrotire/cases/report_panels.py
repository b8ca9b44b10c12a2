"""What the cases app adds to a report's card (`intake.panels`): what triage decided, with the
cases of the report, and the triage form for those who may triage a new report."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.urls import reverse

from ocrotire.accounts.models import User
from ocrotire.cases.forms import TriageForm
from ocrotire.cases.models import RiskLevel
from ocrotire.intake import panels
from ocrotire.intake.models import Report, ReportStatus
from ocrotire.intake.permissions import can_triage


def _outcome(user: User, report: Report) -> Mapping[str, Any] | None:
    if not report.triage_decision:
        return None
    return {
        "cases": [
            {"case": c, "url": reverse("cases:detail", kwargs={"pk": c.pk})}
            for c in report.cases.all()
        ]
    }


def _triage_form(user: User, report: Report) -> Mapping[str, Any] | None:
    if not (can_triage(user, report) and report.status == ReportStatus.NEW):
        return None
    initial: dict[str, Any] = {"version": report.version}
    if report.immediate_danger:
        # The report's immediate danger makes a case it opens high risk (triage refuses less).
        initial["risk_level"] = RiskLevel.HIGH
    return {"form": TriageForm(country=report.unit.country, initial=initial)}


def register_report_panels() -> None:
    panels.register("cases", 10, _outcome, "cases/report_cases.html")
    panels.register("triage", 20, _triage_form, "cases/report_triage.html")
