"""Writes to cases: opening from a report, every stage step of the intersectoral mechanism, transfer,
reassignment and the team. Each step is allowed only from the stages in TRANSITIONS, checks the
version the user read, writes its audit row and a timeline event, and meets or creates tasks."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from ocrotire.accounts.models import Institution, User
from ocrotire.accounts.permissions import is_member, scope_of
from ocrotire.cases.models import (
    OPEN_STAGES,
    Assessment,
    AssessmentKind,
    Case,
    CaseMember,
    ClosureReason,
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
    Stage,
    Visit,
    VisitKind,
)
from ocrotire.cases.permissions import can_act, can_take_step, works_cases
from ocrotire.cases.referrals import ReferralTarget
from ocrotire.core.audit import audit_record
from ocrotire.core.bounds import validate_past_moment
from ocrotire.core.errors import Conflict, NotAllowed
from ocrotire.core.models import AuditAction
from ocrotire.geo.models import Unit
from ocrotire.intake.numbering import next_number, number_prefix
from ocrotire.registry.models import Person
from ocrotire.workflow.deadlines import event_fire, tasks_cancel, tasks_reassign
from ocrotire.workflow.notifications import notify

if TYPE_CHECKING:
    from ocrotire.intake.models import Report

ANY_OPEN = frozenset(OPEN_STAGES)
WORKING = ANY_OPEN - {Stage.CLOSURE_PROPOSED, Stage.PLAN_APPROVAL}

# The stage pipeline as a table: which step may be taken from which stages, and whether it is
# an approval (supervisors only). Every step not listed here is refused.
TRANSITIONS: dict[str, tuple[frozenset[str], bool]] = {
    "initial_assessment": (frozenset({Stage.INITIAL_ASSESSMENT}), False),
    "protective_action": (WORKING, False),
    "protective_step": (ANY_OPEN, False),
    "emergency_end": (frozenset({Stage.EMERGENCY_PROTECTION}), False),
    "complex_assessment": (frozenset({Stage.COMPLEX_ASSESSMENT}), False),
    "plan_submit": (frozenset({Stage.PLANNING}), False),
    "plan_decide": (frozenset({Stage.PLAN_APPROVAL}), True),
    "visit": (ANY_OPEN, False),
    "review": (frozenset({Stage.IMPLEMENTATION}), False),
    "referral": (WORKING, False),
    "meeting": (ANY_OPEN, False),
    "closure_propose": (WORKING, False),
    "closure_decide": (frozenset({Stage.CLOSURE_PROPOSED}), True),
    "reopen": (frozenset({Stage.CLOSED}), False),
    "transfer": (ANY_OPEN, False),
    "reassign": (ANY_OPEN, True),
    "team": (ANY_OPEN, False),
}


def allowed_steps(case: Case) -> list[str]:
    return [step for step, (sources, _approval) in TRANSITIONS.items() if case.stage in sources]


def step_permitted(actor: User, case: Case, step: str) -> bool:
    """Whether the actor's role and area allow the step, whatever the stage."""
    if step not in TRANSITIONS:
        return False
    return can_take_step(actor, case, step, approval=TRANSITIONS[step][1])


def steps_for(actor: User, case: Case) -> list[str]:
    """The steps the stage allows and this actor may take: the buttons of the case page."""
    return [step for step in allowed_steps(case) if step_permitted(actor, case, step)]


def _stage_label(stage: str) -> str:
    return str(Stage(stage).label) if stage in Stage.values else stage


def step_refusal(case: Case, step: str) -> str | None:
    """Why the case's stage does not allow the step, or None when it does."""
    sources, _approval = TRANSITIONS[step]
    if case.stage in sources:
        return None
    return _(
        "This step is not possible while the case is at the stage “%(stage)s”. "
        "Possible stages for it: %(allowed)s."
    ) % {
        "stage": _stage_label(case.stage),
        "allowed": ", ".join(_stage_label(s) for s in Stage.values if s in sources),
    }


def _lock(actor: User, case: Case, version: int, step: str) -> Case:
    if not step_permitted(actor, case, step):
        raise NotAllowed
    locked = (
        Case.objects.select_for_update(of=("self",))
        .select_related("unit", "manager", "child")
        .get(pk=case.pk)
    )
    if locked.version != version:
        raise Conflict
    refusal = step_refusal(locked, step)
    if refusal is not None:
        raise ValidationError({"stage": refusal})
    return locked


def _save(case: Case, **values: Any) -> Case:
    Case.objects.filter(pk=case.pk).update(**values, version=F("version") + 1)
    case.refresh_from_db()
    return case


def _context(case: Case, **extra: Any) -> dict[str, Any]:
    return {"risk_level": case.risk_level, "immediate_danger": case.immediate_danger, **extra}


def _at(value: datetime | None, name: str) -> datetime:
    now = timezone.now()
    if value is None:
        return now
    try:
        validate_past_moment(value)
    except ValidationError as exc:
        raise ValidationError({name: exc.messages}) from exc
    return value


def _required(**values: str) -> None:
    missing = {
        name: _("This field is required.")
        for name, value in values.items()
        if not str(value).strip()
    }
    if missing:
        raise ValidationError(missing)


def _choice(value: str, choices: Iterable[str], name: str) -> None:
    if value not in choices:
        raise ValidationError({name: _("Choose one of the listed values.")})


def _check_manager(manager: User | None, unit: Unit) -> None:
    if manager is None:
        return
    if not works_cases(manager) or not scope_of(manager).covers_path(unit.path):
        raise ValidationError(
            {"manager": _("The case manager must be a case worker of the case's unit.")}
        )


def case_open(
    *,
    actor: User,
    report: Report,
    child: Person,
    risk_level: str,
    manager: User | None = None,
    registration_disposition: str = "",
    at: datetime | None = None,
) -> Case:
    """Called by triage inside its transaction; one case per child."""
    _choice(risk_level, RiskLevel.values, "risk_level")
    if manager is None and works_cases(actor) and scope_of(actor).covers_path(report.unit.path):
        manager = actor
    _check_manager(manager, report.unit)
    now = at or timezone.now()
    prefix, year, authority = number_prefix(report.unit, now)
    sequence = next_number(prefix=prefix, year=year, kind="case")
    case = Case(
        number=f"{prefix}-C-{year}-{sequence:06d}",
        child=child,
        unit=report.unit,
        lead_institution=authority,
        risk_level=risk_level,
        immediate_danger=report.immediate_danger,
        manager=manager,
        opened_at=now,
        opened_by=actor,
        registration_disposition=registration_disposition.strip()[:60],
    )
    try:
        with transaction.atomic():
            case.save(force_insert=True)
    except IntegrityError as exc:
        raise ValidationError(
            {"decision": _("This child already has an open case: link the report to it.")}
        ) from exc
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=case,
        changes={
            "number": case.number,
            "child": child.pk,
            "report": report.number,
            "risk_level": risk_level,
            "manager": manager.username if manager else None,
        },
    )
    event_fire(
        actor=actor,
        kind="case_opened",
        at=now,
        case=case,
        context=_context(case),
        data={"report": report.number, "report_id": report.pk, "risk_level": risk_level},
    )
    return case


@transaction.atomic
def case_update(*, actor: User, case: Case, version: int, values: dict[str, Any]) -> Case:
    """Edit the case's own fields (risk level, registration disposition) outside a stage step."""
    if not can_act(actor, case):
        raise NotAllowed
    locked = Case.objects.select_for_update(of=("self",)).select_related("unit").get(pk=case.pk)
    if locked.version != version:
        raise Conflict
    if not locked.is_open:
        raise ValidationError({"stage": _("A closed case cannot be changed: reopen it first.")})
    changes: dict[str, Any] = {}
    if "risk_level" in values:
        _choice(values["risk_level"], RiskLevel.values, "risk_level")
        if values["risk_level"] != locked.risk_level:
            changes["risk_level"] = [locked.risk_level, values["risk_level"]]
    if "registration_disposition" in values:
        text = values["registration_disposition"].strip()[:60]
        if text != locked.registration_disposition:
            changes["registration_disposition"] = [locked.registration_disposition, text]
    if not changes:
        return locked
    locked = _save(locked, **{name: new for name, (_old, new) in changes.items()})
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=locked, changes=changes)
    event_fire(
        actor=actor,
        kind="case_updated",
        at=timezone.now(),
        case=locked,
        data={name: new for name, (_old, new) in changes.items()},
    )
    return locked


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


@transaction.atomic
def case_assessment_record(
    *, actor: User, case: Case, version: int, kind: str, data: AssessmentInput
) -> Case:
    step = "initial_assessment" if kind == AssessmentKind.INITIAL else "complex_assessment"
    _choice(kind, AssessmentKind.values, "kind")
    locked = _lock(actor, case, version, step)
    _required(findings=data.findings)
    _choice(data.risk_level, RiskLevel.values, "risk_level")
    _choice(data.confirmed, Confirmation.values, "confirmed")
    at = _at(data.completed_at, "completed_at")
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
    )
    if kind == AssessmentKind.INITIAL:
        stage = Stage.EMERGENCY_PROTECTION if data.emergency else Stage.COMPLEX_ASSESSMENT
        event = "initial_assessment_done"
    else:
        stage = Stage.PLANNING
        event = "complex_assessment_done"
    before = locked.stage
    locked = _save(locked, stage=stage, risk_level=data.risk_level, stage_before=before)
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
    values: dict[str, Any] = {"stage": Stage.EMERGENCY_PROTECTION}
    if before != Stage.EMERGENCY_PROTECTION:
        values["stage_before"] = before
    locked = _save(locked, **values)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        changes={"stage": [before, Stage.EMERGENCY_PROTECTION], "protective_action": kind},
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
    """The prosecutor was notified of a removal, or the court action was filed."""
    locked = _lock(actor, case, version, "protective_step")
    _choice(step, ("prosecutor_notified", "court_filed"), "step")
    action = ProtectiveAction.objects.filter(
        case=locked, pk=action_id, kind=ProtectiveActionKind.REMOVAL
    ).first()
    if action is None:
        raise ValidationError({"action": _("There is no removal with this number in the case.")})
    field = "prosecutor_notified_at" if step == "prosecutor_notified" else "court_filed_at"
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
    event_fire(actor=actor, kind=step, at=when, case=locked, data={"action": action.pk})
    return locked


@transaction.atomic
def case_emergency_end(*, actor: User, case: Case, version: int, note: str) -> Case:
    locked = _lock(actor, case, version, "emergency_end")
    _required(note=note)
    target = (
        locked.stage_before
        if locked.stage_before not in ("", Stage.INITIAL_ASSESSMENT, Stage.EMERGENCY_PROTECTION)
        else Stage.COMPLEX_ASSESSMENT
    )
    locked = _save(locked, stage=target)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        changes={"stage": [Stage.EMERGENCY_PROTECTION, target], "note": note.strip()},
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
) -> Case:
    locked = _lock(actor, case, version, "plan_submit")
    _required(goals=goals)
    if next_review_due is not None and next_review_due < timezone.localdate():
        raise ValidationError({"next_review_due": _("The review date cannot be in the past.")})
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
    )
    locked = _save(locked, stage=Stage.PLAN_APPROVAL)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        changes={
            "stage": [Stage.PLANNING, Stage.PLAN_APPROVAL],
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
    stage = Stage.IMPLEMENTATION if approve else Stage.PLANNING
    locked = _save(locked, stage=stage)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        changes={"stage": [Stage.PLAN_APPROVAL, stage], "plan": plan.pk, "approved": approve},
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
) -> Case:
    locked = _lock(actor, case, version, "visit")
    _choice(kind, VisitKind.values, "kind")
    _required(observations=observations)
    if risk_level:
        _choice(risk_level, RiskLevel.values, "risk_level")
    at = _at(visited_at, "visited_at")
    visit = Visit.objects.create(
        case=locked,
        kind=kind,
        visited_at=at,
        observations=observations.strip(),
        risk_level=risk_level,
        author=actor,
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
    stage = Stage.PLANNING if outcome == ReviewOutcome.REPLAN else Stage.IMPLEMENTATION
    locked = _save(locked, stage=stage, risk_level=risk_level)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        changes={
            "review": review.pk,
            "stage": [Stage.IMPLEMENTATION, stage],
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


@transaction.atomic
def case_closure_propose(*, actor: User, case: Case, version: int, reason: str, note: str) -> Case:
    locked = _lock(actor, case, version, "closure_propose")
    _choice(reason, ClosureReason.values, "reason")
    if reason == ClosureReason.OTHER:
        _required(note=note)
    before = locked.stage
    locked = _save(
        locked,
        stage=Stage.CLOSURE_PROPOSED,
        stage_before=before,
        closure_reason=reason,
        closure_note=note.strip(),
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        changes={"stage": [before, Stage.CLOSURE_PROPOSED], "closure_reason": reason},
    )
    event_fire(
        actor=actor,
        kind="closure_proposed",
        at=timezone.now(),
        case=locked,
        context=_context(locked),
        data={"reason": reason, "note": note.strip()},
    )
    return locked


@transaction.atomic
def case_closure_decide(
    *, actor: User, case: Case, version: int, approve: bool, note: str = ""
) -> Case:
    locked = _lock(actor, case, version, "closure_decide")
    now = timezone.now()
    if approve:
        locked = _save(locked, stage=Stage.CLOSED, closed_at=now, closure_approved_by=actor)
        target = str(Stage.CLOSED)
    else:
        _required(note=note)
        target = str(locked.stage_before or Stage.IMPLEMENTATION)
        locked = _save(locked, stage=target, closure_reason="", closure_note="")
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        changes={
            "stage": [Stage.CLOSURE_PROPOSED, target],
            "approved": approve,
            "note": note.strip(),
        },
    )
    event_fire(
        actor=actor,
        kind="case_closed" if approve else "closure_refused",
        meets=("closure_decided",),
        at=now,
        case=locked,
        context=_context(locked),
        data={"reason": locked.closure_reason, "note": note.strip()},
    )
    if approve:
        tasks_cancel(case=locked)
    return locked


@transaction.atomic
def case_reopen(*, actor: User, case: Case, version: int, reason: str) -> Case:
    locked = _lock(actor, case, version, "reopen")
    _required(reason=reason)
    try:
        with transaction.atomic():
            locked = _save(
                locked,
                stage=Stage.COMPLEX_ASSESSMENT,
                stage_before="",
                closure_reason="",
                closure_note="",
                closed_at=None,
                closure_approved_by=None,
                times_reopened=F("times_reopened") + 1,
            )
    except IntegrityError as exc:
        raise ValidationError(
            {"stage": _("The child has another open case: work on that one instead.")}
        ) from exc
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        changes={"stage": [Stage.CLOSED, Stage.COMPLEX_ASSESSMENT], "reason": reason.strip()},
    )
    event_fire(
        actor=actor,
        kind="case_reopened",
        at=timezone.now(),
        case=locked,
        context=_context(locked),
        data={"reason": reason.strip()},
    )
    return locked


@transaction.atomic
def case_transfer(
    *, actor: User, case: Case, version: int, unit: Unit, reason: str, manager: User | None = None
) -> Case:
    locked = _lock(actor, case, version, "transfer")
    _required(reason=reason)
    if unit.pk == locked.unit_id:
        raise ValidationError({"unit": _("The case is already in this unit.")})
    if unit.country != locked.unit.country:
        raise ValidationError(
            {"unit": _("A case can be transferred only within the same country.")}
        )
    _check_manager(manager, unit)
    old_unit, old_manager = locked.unit.code, locked.manager
    locked = _save(locked, unit=unit, manager=manager)
    tasks_reassign(case=locked)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        changes={
            "unit": [old_unit, unit.code],
            "manager": [
                old_manager.username if old_manager else None,
                manager.username if manager else None,
            ],
            "reason": reason.strip(),
        },
    )
    event_fire(
        actor=actor,
        kind="case_transferred",
        at=timezone.now(),
        case=locked,
        data={"from": old_unit, "to": unit.code, "reason": reason.strip()},
    )
    if manager is not None:
        notify(users=[manager], kind="case_assigned", case=locked)
    return locked


@transaction.atomic
def case_reassign(*, actor: User, case: Case, version: int, manager: User, reason: str) -> Case:
    locked = _lock(actor, case, version, "reassign")
    _required(reason=reason)
    _check_manager(manager, locked.unit)
    old = locked.manager
    locked = _save(locked, manager=manager)
    tasks_reassign(case=locked)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        changes={
            "manager": [old.username if old else None, manager.username],
            "reason": reason.strip(),
        },
    )
    event_fire(
        actor=actor,
        kind="case_reassigned",
        at=timezone.now(),
        case=locked,
        data={
            "from": old.get_full_name() or old.username if old else "",
            "to": manager.get_full_name() or manager.username,
            "reason": reason.strip(),
        },
    )
    notify(users=[manager], kind="case_assigned", case=locked)
    return locked


@transaction.atomic
def case_member_add(*, actor: User, case: Case, version: int, user: User, role: str) -> Case:
    locked = _lock(actor, case, version, "team")
    if not is_member(user):
        raise ValidationError({"user": _("This account cannot be added to a team.")})
    if CaseMember.objects.filter(case=locked, user=user, active=True).exists():
        raise ValidationError({"user": _("This person is already on the team.")})
    member = CaseMember.objects.create(
        case=locked, user=user, role=role.strip()[:120], added_by=actor
    )
    locked = _save(locked)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        changes={"member_added": user.username, "member": member.pk},
    )
    event_fire(
        actor=actor,
        kind="member_added",
        at=timezone.now(),
        case=locked,
        data={"name": user.get_full_name() or user.username, "role": member.role},
    )
    notify(users=[user], kind="team_added", case=locked)
    return locked


@transaction.atomic
def case_member_remove(*, actor: User, case: Case, version: int, user: User) -> Case:
    locked = _lock(actor, case, version, "team")
    updated = CaseMember.objects.filter(case=locked, user=user, active=True).update(active=False)
    if not updated:
        raise ValidationError({"user": _("This person is not on the team.")})
    locked = _save(locked)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        changes={"member_removed": user.username},
    )
    event_fire(
        actor=actor,
        kind="member_removed",
        at=timezone.now(),
        case=locked,
        data={"name": user.get_full_name() or user.username},
    )
    return locked


def case_view_record(*, actor: User, case: Case) -> None:
    """Opening a case file is audited, as reading a child's record is."""
    audit_record(actor=actor, action=AuditAction.VIEW, obj=case)


@transaction.atomic
def case_file_print_record(*, actor: User, case: Case) -> None:
    """Printing the case file is an export of the child's record: audited, and written on the
    case's timeline so the team sees who took a copy out of the system. The case's version is
    left alone, as printing changes nothing a colleague might be editing."""
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        obj=case,
        changes={"document": "case_file", "format": "pdf"},
    )
    event_fire(actor=actor, kind="case_file_printed", at=timezone.now(), case=case)
