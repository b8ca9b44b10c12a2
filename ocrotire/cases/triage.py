"""Triage: what a report becomes — a new case per child, a link to the child's open case, a
redirect to another authority, or closure. The report stays in intake; what triage opens is
the case's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from ocrotire.accounts.models import Institution, User
from ocrotire.cases.models import Case, RiskLevel, Stage
from ocrotire.cases.pipeline import _save
from ocrotire.cases.services import case_open
from ocrotire.core.audit import audit_record
from ocrotire.core.bounds import CLOCK_SKEW
from ocrotire.core.errors import Conflict, NotAllowed
from ocrotire.core.models import AuditAction
from ocrotire.intake.models import Report, ReportStatus, TriageDecision
from ocrotire.intake.permissions import can_triage
from ocrotire.registry.models import Person
from ocrotire.workflow.deadlines import event_fire, tasks_cancel
from ocrotire.workflow.models import CancelCause


def open_case_of(person: Person) -> Case | None:
    return Case.objects.filter(child=person).exclude(stage=Stage.CLOSED).first()


def _danger_raises(actor: User, case: Case, *, at: datetime) -> None:
    """A report of immediate danger linked to an open case makes that case high risk too."""
    if case.risk_level == RiskLevel.HIGH and case.immediate_danger:
        return
    before = case.risk_level
    _save(case, risk_level=RiskLevel.HIGH, immediate_danger=True)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=case,
        changes={"risk_level": [before, RiskLevel.HIGH], "immediate_danger": True},
    )
    if before != RiskLevel.HIGH:
        event_fire(
            actor=actor,
            kind="case_updated",
            at=at,
            case=case,
            data={"risk_level": RiskLevel.HIGH},
        )


@dataclass
class TriageInput:
    decision: str
    reason: str
    risk_level: str = ""
    manager: User | None = None
    redirect_to: Institution | None = None
    redirect_to_text: str = ""
    registration_disposition: str = ""
    # When the decision was taken, if it is recorded afterwards (a decision taken on paper).
    at: datetime | None = None


@transaction.atomic
def report_triage(*, actor: User, report: Report, version: int, data: TriageInput) -> Report:
    if not can_triage(actor, report):
        raise NotAllowed
    locked = Report.objects.select_for_update().get(pk=report.pk)
    if locked.version != version:
        raise Conflict
    if locked.status != ReportStatus.NEW:
        raise ValidationError(
            {
                "decision": _("This report was already triaged: %(status)s.")
                % {"status": locked.get_status_display()}
            }
        )
    if not data.reason.strip():
        raise ValidationError({"reason": _("Give the reason for the decision.")})
    now = timezone.now()
    if data.at is not None:
        if data.at > now + CLOCK_SKEW or data.at < locked.received_at:
            raise ValidationError(
                {"at": _("The decision time must lie between the receipt of the report and now.")}
            )
        now = data.at
    children = list(locked.children.all().order_by("pk"))
    open_cases = {child.pk: open_case_of(child) for child in children}
    linked: list[Case] = []
    opened: list[Case] = []
    # The decision comes first on the timeline (a failed check below rolls it back with the rest);
    # the cases it opens or joins follow it.
    event_fire(
        actor=actor,
        kind="report_triaged",
        at=now,
        report=locked,
        data={
            "decision": data.decision,
            "reason": data.reason.strip(),
            "redirect_to": (data.redirect_to.abbreviation or data.redirect_to.name)
            if data.redirect_to
            else data.redirect_to_text.strip(),
        },
    )
    if data.decision == TriageDecision.OPEN_CASE:
        if not data.risk_level:
            raise ValidationError({"risk_level": _("Choose the risk level of the case.")})
        if locked.immediate_danger and data.risk_level != RiskLevel.HIGH:
            # Refused rather than raised in silence: whoever triages sees that the report's
            # immediate danger decides the level, and a lower one is a supervisor's later step.
            raise ValidationError(
                {
                    "risk_level": _(
                        "The report says the child is in immediate danger: the case must be "
                        "opened as high risk."
                    )
                }
            )
        without_case = [c for c in children if open_cases[c.pk] is None]
        if not without_case:
            raise ValidationError(
                {
                    "decision": _(
                        "Every child of this report already has an open case (%(cases)s): link the report to it."
                    )
                    % {"cases": ", ".join(sorted({c.number for c in open_cases.values() if c}))}
                }
            )
        linked = [c for c in open_cases.values() if c is not None]
        for child in without_case:
            opened.append(
                case_open(
                    actor=actor,
                    report=locked,
                    child=child,
                    risk_level=data.risk_level,
                    manager=data.manager,
                    registration_disposition=data.registration_disposition,
                    at=now,
                )
            )
        status = ReportStatus.CASE_OPENED
    elif data.decision == TriageDecision.LINK_CASE:
        linked = [c for c in open_cases.values() if c is not None]
        if not linked:
            raise ValidationError(
                {
                    "decision": _(
                        "None of the children of this report has an open case: open one instead."
                    )
                }
            )
        status = ReportStatus.LINKED
    elif data.decision == TriageDecision.REDIRECT:
        if data.redirect_to is None and not data.redirect_to_text.strip():
            raise ValidationError({"redirect_to": _("Say which authority the report goes to.")})
        status = ReportStatus.REDIRECTED
    elif data.decision == TriageDecision.CLOSE:
        status = ReportStatus.CLOSED
    else:
        raise ValidationError({"decision": _("Unknown decision.")})
    Report.objects.filter(pk=locked.pk).update(
        status=status,
        triage_decision=data.decision,
        triage_reason=data.reason.strip(),
        triaged_at=now,
        triaged_by=actor,
        redirected_to=data.redirect_to,
        redirected_to_text=data.redirect_to_text.strip(),
        version=F("version") + 1,
    )
    locked.cases.add(*linked, *opened)
    if locked.immediate_danger:
        for case in linked:
            _danger_raises(actor, case, at=now)
    for case in linked:
        event_fire(
            actor=actor,
            kind="report_linked",
            at=now,
            case=case,
            data={"report": locked.number, "report_id": locked.pk},
        )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        changes={
            "status": [ReportStatus.NEW, status],
            "decision": data.decision,
            "reason": data.reason.strip(),
            "cases_opened": [c.number for c in opened],
            "cases_linked": [c.number for c in linked],
        },
    )
    if status in (ReportStatus.REDIRECTED, ReportStatus.CLOSED):
        tasks_cancel(report=locked, cause=CancelCause.REPORT_CLOSED)
    locked.refresh_from_db()
    return locked
