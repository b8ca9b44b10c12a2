"""Writes to cases: opening from a report, editing, the case's lifecycle (closure, reopening,
transfer, reassignment, the team), and the records of reading and printing. The stage pipeline
is in pipeline.py and the work recorded at each stage in records.py; their writes are offered
here too, so that `services` stays the one door to every write of a case."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from ocrotire.accounts.models import User
from ocrotire.accounts.permissions import is_member, scope_of
from ocrotire.cases.models import (
    Case,
    CaseMember,
    ClosureReason,
    RiskLevel,
)
from ocrotire.cases.permissions import can_act, works_cases
from ocrotire.cases.pipeline import (
    RISK_ORDER,
    _check_manager,
    _choice,
    _context,
    _lock,
    _required,
    _save,
    check_risk,
)
from ocrotire.cases.pipeline import allowed_steps as allowed_steps
from ocrotire.cases.pipeline import step_permitted as step_permitted
from ocrotire.cases.pipeline import step_refusal as step_refusal
from ocrotire.cases.pipeline import steps_for as steps_for
from ocrotire.cases.pipeline import workflow_of as workflow_of
from ocrotire.cases.pipeline import workflow_pin as workflow_pin
from ocrotire.cases.records import AssessmentInput as AssessmentInput
from ocrotire.cases.records import case_assessment_record as case_assessment_record
from ocrotire.cases.records import case_emergency_end as case_emergency_end
from ocrotire.cases.records import case_meeting_record as case_meeting_record
from ocrotire.cases.records import case_plan_decide as case_plan_decide
from ocrotire.cases.records import case_plan_submit as case_plan_submit
from ocrotire.cases.records import case_protective_action_record as case_protective_action_record
from ocrotire.cases.records import case_protective_step_record as case_protective_step_record
from ocrotire.cases.records import case_referral_record as case_referral_record
from ocrotire.cases.records import case_referral_send as case_referral_send
from ocrotire.cases.records import case_review_record as case_review_record
from ocrotire.cases.records import case_visit_record as case_visit_record
from ocrotire.core.audit import audit_record
from ocrotire.core.errors import Conflict, NotAllowed
from ocrotire.core.models import AuditAction
from ocrotire.geo.models import Unit
from ocrotire.intake.numbering import next_number, number_prefix
from ocrotire.registry.models import Person
from ocrotire.workflow.deadlines import event_fire, tasks_cancel, tasks_reassign
from ocrotire.workflow.definitions import workflow_latest
from ocrotire.workflow.models import CancelCause
from ocrotire.workflow.notifications import notify

if TYPE_CHECKING:
    from ocrotire.intake.models import Report


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
    # The case keeps the workflow version of its country it is opened with, and starts at the
    # first stage of that workflow.
    workflow_pk, workflow = workflow_latest(report.unit.country)
    case = Case(
        number=f"{prefix}-C-{year}-{sequence:06d}",
        child=child,
        unit=report.unit,
        workflow_version_id=workflow_pk,
        stage=workflow.main[0].code,
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
        # The clocks the law starts at the report (the initial assessment) run from its receipt.
        received_at=report.received_at,
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
        # Raised here by any case worker; lowered only by the supervisor's step, with a reason.
        check_risk(actor, locked, values["risk_level"], reasoned=False)
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


@transaction.atomic
def case_risk_lower(*, actor: User, case: Case, version: int, risk_level: str, reason: str) -> Case:
    """A supervisor or the head of the area lowers the case's risk level, with the reason. The
    open tasks keep their due times: those set by the higher level (an initial assessment due in
    24 hours) stay as strict as they were, none is moved later."""
    locked = _lock(actor, case, version, "risk_lower")
    _choice(risk_level, RiskLevel.values, "risk_level")
    if RISK_ORDER[risk_level] >= RISK_ORDER.get(locked.risk_level, 0):
        raise ValidationError(
            {
                "risk_level": _("Choose a level lower than the current one (%(current)s).")
                % {"current": locked.get_risk_level_display()}
            }
        )
    _required(reason=reason)
    before = locked.risk_level
    locked = _save(locked, risk_level=risk_level)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        changes={"risk_level": [before, risk_level], "reason": reason.strip()},
    )
    event_fire(
        actor=actor,
        kind="risk_lowered",
        at=timezone.now(),
        case=locked,
        data={"from": before, "to": risk_level, "reason": reason.strip()},
    )
    return locked


@transaction.atomic
def case_closure_propose(*, actor: User, case: Case, version: int, reason: str, note: str) -> Case:
    locked = _lock(actor, case, version, "closure_propose")
    _choice(reason, ClosureReason.values, "reason")
    if reason == ClosureReason.OTHER:
        _required(note=note)
    before = locked.stage
    target = workflow_of(locked).target("closure_propose")
    locked = _save(
        locked,
        stage=target,
        stage_before=before,
        closure_reason=reason,
        closure_note=note.strip(),
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        changes={"stage": [before, target], "closure_reason": reason},
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
    before = locked.stage
    workflow = workflow_of(locked)
    if approve:
        target = workflow.target("closure_decide", "approved")
        locked = _save(locked, stage=target, closed_at=now, closure_approved_by=actor)
    else:
        _required(note=note)
        target = str(locked.stage_before or workflow.target("closure_decide", "rejected"))
        locked = _save(locked, stage=target, closure_reason="", closure_note="")
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        changes={
            "stage": [before, target],
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
        tasks_cancel(case=locked, cause=CancelCause.CASE_CLOSED)
    return locked


@transaction.atomic
def case_reopen(*, actor: User, case: Case, version: int, reason: str) -> Case:
    locked = _lock(actor, case, version, "reopen")
    _required(reason=reason)
    before = locked.stage
    try:
        with transaction.atomic():
            locked = _save(
                locked,
                stage=workflow_of(locked).target("reopen"),
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
        changes={"stage": [before, locked.stage], "reason": reason.strip()},
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
