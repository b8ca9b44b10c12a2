"""Writes of the work recorded on a case along the intersectoral mechanism: assessments,
urgent protection measures and their prosecutor and court steps, the plan and its approval,
visits, reviews, referrals and meetings. Each is allowed only from the stages the case's workflow allows it,
checks the version the user read, writes its audit row and a timeline event."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ocrotire.accounts.models import Institution, User
from ocrotire.cases.models import (
    Assessment,
    AssessmentKind,
    Case,
    Confirmation,
    Meeting,
    MeetingKind,
    Plan,
    PlanStatus,
    ProtectiveAction,
    ProtectiveActionKind,
    Referral,
    Review,
    ReviewOutcome,
    RiskLevel,
    Visit,
    VisitKind,
)
from ocrotire.cases.pipeline import (
    _at,
    _choice,
    _context,
    _lock,
    _required,
    _save,
    check_risk,
    initial_pending,
    resume_stage,
    workflow_of,
)
from ocrotire.cases.referrals import ReferralTarget
from ocrotire.core.audit import audit_record
from ocrotire.core.models import AuditAction
from ocrotire.dataforms.answers import answers_fill
from ocrotire.workflow.deadlines import event_fire
from ocrotire.workflow.models import Task

# The steps recorded on a removal from the family, and the field of the removal each fills.
PROTECTIVE_STEPS = {
    "prosecutor_notified": "prosecutor_notified_at",
    "court_filed": "court_filed_at",
    "child_returned": "returned_at",
}


@dataclass
class AssessmentInput:
    findings: str
    risk_level: str
    confirmed: str
    protection_interview_done: bool = False
    recommendation: str = ""
    needs: list[str] | None = None
    completed_at: datetime | None = None
    emergency: bool = False
    answers: dict[str, Any] | None = None


@transaction.atomic
def case_assessment_record(
    *, actor: User, case: Case, version: int, kind: str, data: AssessmentInput
) -> Case:
    step = "initial_assessment" if kind == AssessmentKind.INITIAL else "complex_assessment"
    _choice(kind, AssessmentKind.values, "kind")
    locked = _lock(actor, case, version, step)
    if kind == AssessmentKind.INITIAL and not initial_pending(locked):
        raise ValidationError({"stage": _("The initial assessment of this case was recorded.")})
    _required(findings=data.findings)
    _choice(data.risk_level, RiskLevel.values, "risk_level")
    check_risk(actor, locked, data.risk_level, assessment=True)
    _choice(data.confirmed, Confirmation.values, "confirmed")
    at = _at(data.completed_at, "completed_at")
    form, answers = answers_fill(country=locked.unit.country, step=step, answers=data.answers)
    assessment = Assessment.objects.create(
        case=locked,
        kind=kind,
        completed_at=at,
        protection_interview_done=data.protection_interview_done,
        risk_level=data.risk_level,
        confirmed=data.confirmed,
        findings=data.findings.strip(),
        recommendation=data.recommendation.strip(),
        needs=list(data.needs or []),
        author=actor,
        form_version=form,
        answers=answers,
    )
    before = locked.stage
    workflow = workflow_of(locked)
    values: dict[str, Any] = {"risk_level": data.risk_level}
    if kind == AssessmentKind.INITIAL:
        # Recorded during emergency protection, the assessment leaves the case there: only
        # ending the emergency, a step of its own, takes it on (to the complex assessment).
        emergency_stage = workflow.target(step, "emergency")
        emergency = data.emergency or before == emergency_stage
        stage = emergency_stage if emergency else workflow.target(step)
        if before != emergency_stage:
            values["stage_before"] = before
        event = "initial_assessment_done"
    else:
        stage = workflow.target(step)
        values["stage_before"] = before
        event = "complex_assessment_done"
    locked = _save(locked, stage=stage, **values)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        changes={
            "stage": [before, stage],
            "assessment": assessment.pk,
            "risk_level": data.risk_level,
        },
    )
    event_fire(
        actor=actor,
        kind=event,
        at=at,
        case=locked,
        context=_context(locked),
        data={
            "risk_level": data.risk_level,
            "confirmed": data.confirmed,
            "protection_interview_done": data.protection_interview_done,
            "assessment": assessment.pk,
            "stage": stage,
        },
    )
    return locked


@transaction.atomic
def case_protective_action_record(
    *,
    actor: User,
    case: Case,
    version: int,
    kind: str,
    decided_at: datetime | None,
    description: str,
) -> Case:
    """An urgent measure moves the case into emergency protection; a removal from the family
    starts the prosecutor and court deadlines of the country's rules."""
    locked = _lock(actor, case, version, "protective_action")
    _choice(kind, ProtectiveActionKind.values, "kind")
    at = _at(decided_at, "decided_at")
    action = ProtectiveAction.objects.create(
        case=locked, kind=kind, decided_at=at, description=description.strip(), author=actor
    )
    before = locked.stage
    target = workflow_of(locked).target("protective_action", "emergency")
    values: dict[str, Any] = {"stage": target}
    if before != target:
        values["stage_before"] = before
    locked = _save(locked, **values)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        changes={"stage": [before, target], "protective_action": kind},
    )
    event_fire(
        actor=actor,
        kind="child_removed" if kind == ProtectiveActionKind.REMOVAL else "protective_action",
        at=at,
        case=locked,
        context=_context(locked),
        data={"kind": kind, "action": action.pk},
    )
    return locked


@transaction.atomic
def case_protective_step_record(
    *, actor: User, case: Case, version: int, action_id: int, step: str, at: datetime | None
) -> Case:
    """The prosecutor was notified of a removal, the court action was filed, or the child was
    returned to the family — which ends the wait for the court action (art. 71(3)), never the
    prosecutor's notice."""
    locked = _lock(actor, case, version, "protective_step")
    _choice(step, PROTECTIVE_STEPS, "step")
    action = ProtectiveAction.objects.filter(
        case=locked, pk=action_id, kind=ProtectiveActionKind.REMOVAL
    ).first()
    if action is None:
        raise ValidationError({"action": _("There is no removal with this number in the case.")})
    field = PROTECTIVE_STEPS[step]
    if getattr(action, field) is not None:
        raise ValidationError({"step": _("This step was already recorded.")})
    when = _at(at, "at")
    if when < action.decided_at:
        raise ValidationError({"at": _("This step cannot come before the removal.")})
    ProtectiveAction.objects.filter(pk=action.pk).update(**{field: when})
    locked = _save(locked)
    audit_record(
        actor=actor, action=AuditAction.UPDATE, obj=locked, changes={field: when.isoformat()}
    )
    if step == "child_returned":
        # The court filing of this removal is no longer awaited: met (late, if it is).
        court = list(
            Task.objects.filter(
                # The task the pack's rule makes for the court action, whatever its code.
                case=locked,
                rule__completed_by="court_filed",
                anchor_at=action.decided_at,
                status="open",
            )
        )
        event_fire(
            actor=actor,
            kind="child_returned",
            at=when,
            case=locked,
            data={"action": action.pk},
            tasks=court,
        )
    else:
        event_fire(
            actor=actor,
            kind="prosecutor_notified" if step == "prosecutor_notified" else "court_filed",
            at=when,
            case=locked,
            data={"action": action.pk},
        )
    return locked


@transaction.atomic
def case_emergency_end(*, actor: User, case: Case, version: int, note: str) -> Case:
    """The case goes back to where its work stands: the initial assessment if it is still to be
    recorded, else the stage it left for the emergency. The legal deadlines the emergency
    started (the prosecutor's notice, the court action) stay open until their own steps."""
    locked = _lock(actor, case, version, "emergency_end")
    _required(note=note)
    before = locked.stage
    target = resume_stage(locked)
    locked = _save(locked, stage=target)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        changes={"stage": [before, target], "note": note.strip()},
    )
    event_fire(
        actor=actor,
        kind="emergency_ended",
        at=timezone.now(),
        case=locked,
        data={"note": note.strip(), "stage": target},
    )
    return locked


@transaction.atomic
def case_plan_submit(
    *,
    actor: User,
    case: Case,
    version: int,
    goals: str,
    actions: list[dict[str, Any]],
    next_review_due: date | None = None,
    answers: dict[str, Any] | None = None,
) -> Case:
    locked = _lock(actor, case, version, "plan_submit")
    _required(goals=goals)
    if next_review_due is not None and next_review_due < timezone.localdate():
        raise ValidationError({"next_review_due": _("The review date cannot be in the past.")})
    form, kept = answers_fill(country=locked.unit.country, step="plan_submit", answers=answers)
    number = (locked.plans.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    now = timezone.now()
    plan = Plan.objects.create(
        case=locked,
        number=number,
        goals=goals.strip(),
        actions=actions,
        next_review_due=next_review_due,
        submitted_by=actor,
        submitted_at=now,
        form_version=form,
        answers=kept,
    )
    before = locked.stage
    locked = _save(locked, stage=workflow_of(locked).target("plan_submit"))
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        changes={
            "stage": [before, locked.stage],
            "plan": plan.pk,
            "plan_version": number,
        },
    )
    event_fire(
        actor=actor,
        kind="plan_submitted",
        at=now,
        case=locked,
        context=_context(locked),
        data={"plan": number},
    )
    return locked


@transaction.atomic
def case_plan_decide(
    *, actor: User, case: Case, version: int, approve: bool, note: str = ""
) -> Case:
    locked = _lock(actor, case, version, "plan_decide")
    if not approve:
        _required(note=note)
    plan = locked.plans.filter(status=PlanStatus.SUBMITTED).order_by("-number").first()
    if plan is None:
        raise ValidationError({"plan": _("There is no plan awaiting approval.")})
    now = timezone.now()
    Plan.objects.filter(pk=plan.pk).update(
        status=PlanStatus.APPROVED if approve else PlanStatus.RETURNED,
        decided_by=actor,
        decided_at=now,
        decision_note=note.strip(),
    )
    before = locked.stage
    stage = workflow_of(locked).target("plan_decide", "approved" if approve else "returned")
    locked = _save(locked, stage=stage)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        changes={"stage": [before, stage], "plan": plan.pk, "approved": approve},
    )
    event_fire(
        actor=actor,
        kind="plan_approved" if approve else "plan_returned",
        meets=("plan_decided",),
        at=now,
        case=locked,
        context=_context(locked),
        data={"plan": plan.number, "note": note.strip()},
    )
    return locked


@transaction.atomic
def case_visit_record(
    *,
    actor: User,
    case: Case,
    version: int,
    kind: str,
    observations: str,
    visited_at: datetime | None = None,
    risk_level: str = "",
    answers: dict[str, Any] | None = None,
) -> Case:
    locked = _lock(actor, case, version, "visit")
    _choice(kind, VisitKind.values, "kind")
    _required(observations=observations)
    if risk_level:
        _choice(risk_level, RiskLevel.values, "risk_level")
        check_risk(actor, locked, risk_level)
    at = _at(visited_at, "visited_at")
    form, kept = answers_fill(country=locked.unit.country, step="visit", answers=answers)
    visit = Visit.objects.create(
        case=locked,
        kind=kind,
        visited_at=at,
        observations=observations.strip(),
        risk_level=risk_level,
        author=actor,
        form_version=form,
        answers=kept,
    )
    values: dict[str, Any] = {}
    if risk_level and risk_level != locked.risk_level:
        values["risk_level"] = risk_level
    old_risk = locked.risk_level
    locked = _save(locked, **values)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        changes={"visit": visit.pk, **({"risk_level": [old_risk, risk_level]} if values else {})},
    )
    event_fire(
        actor=actor,
        kind="visit_recorded",
        at=at,
        case=locked,
        context=_context(locked),
        data={"kind": kind, "risk_level": risk_level},
    )
    return locked


@transaction.atomic
def case_review_record(
    *,
    actor: User,
    case: Case,
    version: int,
    outcome: str,
    summary: str,
    risk_level: str,
    reviewed_at: datetime | None = None,
) -> Case:
    locked = _lock(actor, case, version, "review")
    _choice(outcome, ReviewOutcome.values, "outcome")
    _choice(risk_level, RiskLevel.values, "risk_level")
    check_risk(actor, locked, risk_level)
    _required(summary=summary)
    at = _at(reviewed_at, "reviewed_at")
    review = Review.objects.create(
        case=locked,
        reviewed_at=at,
        outcome=outcome,
        summary=summary.strip(),
        risk_level=risk_level,
        author=actor,
    )
    before = locked.stage
    stage = workflow_of(locked).target(
        "review", "replan" if outcome == ReviewOutcome.REPLAN else "continue"
    )
    locked = _save(locked, stage=stage, risk_level=risk_level)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        changes={
            "review": review.pk,
            "stage": [before, stage],
            "risk_level": risk_level,
        },
    )
    event_fire(
        actor=actor,
        kind="review_done",
        at=at,
        case=locked,
        context=_context(locked, outcome=outcome),
        data={"outcome": outcome, "risk_level": risk_level},
    )
    return locked


@transaction.atomic
def case_referral_send(
    *,
    actor: User,
    case: Case,
    version: int,
    service: str,
    reason: str,
    to_institution: Institution | None = None,
    complex_case: bool = False,
    target: ReferralTarget | None = None,
) -> Referral:
    """A referral to a service: free text and an institution, or a target another app offers (a
    service point of the provider register, `cases.referrals`), which that provider answers
    (with a deadline from the `referral_response` rule)."""
    locked = _lock(actor, case, version, "referral")
    if target is not None:
        refusal = target.refusal(locked)
        if refusal is not None:
            raise ValidationError({target.field: refusal})
        to_institution = target.institution
        service = service or target.service_label
    _required(service=service, reason=reason)
    now = timezone.now()
    referral = Referral.objects.create(
        case=locked,
        to_institution=to_institution,
        service_point_id=target.service_point_id if target else None,
        service=service.strip(),
        reason=reason.strip(),
        complex_case=complex_case,
        sent_at=now,
        sent_by=actor,
    )
    locked = _save(locked)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        changes={
            "referral": referral.pk,
            "service": referral.service,
            "service_point": target.service_point_id if target else None,
        },
    )
    _event, tasks = event_fire(
        actor=actor,
        kind="referral_sent",
        at=now,
        case=locked,
        context=_context(locked, complex_case=complex_case, to_provider=target is not None),
        data={
            "service": referral.service,
            "to": (to_institution.abbreviation or to_institution.name) if to_institution else "",
            "referral": referral.pk,
        },
    )
    answer = next((t for t in tasks if t.kind == "referral_response"), None)
    if answer is not None:
        Referral.objects.filter(pk=referral.pk).update(
            response_task=answer, response_due_at=answer.due_at
        )
        referral.response_task, referral.response_due_at = answer, answer.due_at
    return referral


def case_referral_record(*, actor: User, case: Case, version: int, **fields: Any) -> Case:
    """The referral step of the case page: the same as `case_referral_send`, answering with the
    case."""
    referral = case_referral_send(actor=actor, case=case, version=version, **fields)
    return referral.case


@transaction.atomic
def case_meeting_record(
    *,
    actor: User,
    case: Case,
    version: int,
    kind: str,
    decision: str,
    held_at: datetime | None = None,
    participants: str = "",
    decision_number: str = "",
) -> Case:
    locked = _lock(actor, case, version, "meeting")
    _choice(kind, MeetingKind.values, "kind")
    _required(decision=decision)
    at = _at(held_at, "held_at")
    meeting = Meeting.objects.create(
        case=locked,
        kind=kind,
        held_at=at,
        participants=participants.strip(),
        decision=decision.strip(),
        decision_number=decision_number.strip()[:60],
        author=actor,
    )
    locked = _save(locked)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        changes={"meeting": meeting.pk, "kind": kind},
    )
    event_fire(
        actor=actor,
        kind="meeting_held",
        at=at,
        case=locked,
        data={"kind": kind, "decision_number": meeting.decision_number},
    )
    return locked
