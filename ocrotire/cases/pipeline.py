"""The stage pipeline of a case: which step may be taken from which stages, by whom, after which
records and to which stage it leads — all read from the workflow of the case's country, the
version the case was opened with (`workflow.definitions`) — and what every step's write does
first: lock the case, check the version read and the stage, then save with a new version."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from ocrotire.accounts.models import User
from ocrotire.accounts.permissions import has_role, scope_of
from ocrotire.cases.models import (
    AssessmentKind,
    Case,
    PlanStatus,
    RiskLevel,
    Stage,
)
from ocrotire.cases.permissions import can_approve, can_take_step, works_cases
from ocrotire.core.bounds import validate_past_moment
from ocrotire.core.errors import Conflict, NotAllowed
from ocrotire.geo.models import Unit
from ocrotire.workflow.definitions import (
    StageDef,
    StepDef,
    Workflow,
    workflow_latest,
    workflow_latest_pk,
    workflow_version,
)

# The outcomes of each step that lead to a stage: a country's workflow must name the stage of
# every one (`workflow.definitions` refuses a pack that does not). A step not listed changes no
# stage.
OUTCOMES: dict[str, tuple[str, ...]] = {
    "initial_assessment": ("done", "emergency"),
    "protective_action": ("emergency",),
    "emergency_end": ("pending", "done"),
    "complex_assessment": ("done",),
    "plan_submit": ("done",),
    "plan_decide": ("approved", "returned"),
    "review": ("continue", "replan"),
    "closure_propose": ("done",),
    "closure_decide": ("approved", "rejected"),
    "reopen": ("done",),
}


# The records a workflow may make a step wait for: a test of the case, and the words that finish
# the sentence "This step needs first: …". Their codes are what a pack's `requires` may name.
REQUIREMENTS: dict[str, tuple[Callable[[Case], bool], Promise]] = {
    "initial_assessment": (
        lambda case: case.assessments.filter(kind=AssessmentKind.INITIAL).exists(),
        gettext_lazy("the initial assessment"),
    ),
    "complex_assessment": (
        lambda case: case.assessments.filter(kind=AssessmentKind.COMPLEX).exists(),
        gettext_lazy("the complex assessment"),
    ),
    "approved_plan": (
        lambda case: case.plans.filter(status=PlanStatus.APPROVED).exists(),
        gettext_lazy("an approved plan"),
    ),
    "review": (lambda case: case.reviews.exists(), gettext_lazy("a review of the plan")),
}


def workflow_of(case: Case) -> Workflow:
    """The workflow the case follows: the version it was opened with, else its country's newest
    (kept on the case object: a page asks many times)."""
    cached = case.__dict__.get("_workflow")
    if cached is not None:
        return cast(Workflow, cached)
    if case.workflow_version_id is not None:
        workflow = workflow_version(case.workflow_version_id)
    else:
        _pk, workflow = workflow_latest(case.unit.country)
    case.__dict__["_workflow"] = workflow
    return workflow


def workflow_pin(*, country: str) -> int:
    """Cases of the country opened before its pack was loaded keep, from now on, the version
    loaded first (the one they were following). Returns how many were pinned."""
    pk = workflow_latest_pk(country)
    if pk is None:
        return 0
    return Case.objects.filter(unit__country=country.upper(), workflow_version__isnull=True).update(
        workflow_version_id=pk
    )


def _unmet(case: Case, step: StepDef) -> list[str]:
    """What the step waits for that the case does not have yet (its words)."""
    return [str(REQUIREMENTS[name][1]) for name in step.requires if not REQUIREMENTS[name][0](case)]


def allowed_steps(case: Case) -> list[str]:
    """The steps the case's stage allows, in the workflow's order, less those still waiting for
    a record the workflow requires first."""
    steps = [
        code
        for code, step in workflow_of(case).steps.items()
        if case.stage in step.sources and not _unmet(case, step)
    ]
    if "initial_assessment" in steps and not initial_pending(case):
        steps.remove("initial_assessment")
    return steps


def step_permitted(actor: User, case: Case, step: str) -> bool:
    """Whether the actor's role and area allow the step, whatever the stage: the workflow may
    name the roles that take it (else every case worker of the area; approvals: supervisors)."""
    rule = workflow_of(case).steps.get(step)
    if rule is None:
        return False
    if rule.roles and not has_role(actor, *rule.roles):
        return False
    return can_take_step(actor, case, step, approval=rule.approval)


def steps_for(actor: User, case: Case) -> list[str]:
    """The steps the stage allows and this actor may take: the buttons of the case page."""
    return [step for step in allowed_steps(case) if step_permitted(actor, case, step)]


def stage_name(case: Case, stage: str | None = None) -> str:
    """A stage of the case (its own by default) as the case's workflow calls it in the reader's
    language, else its generic name."""
    code = case.stage if stage is None else stage
    found = workflow_of(case).stage(code)
    name = found.name(get_language() or "ro") if found is not None else None
    return name or (str(Stage(code).label) if code in Stage.values else code)


def resume_stage(case: Case) -> str:
    """Where a case in emergency protection goes back to when the emergency ends: the stage it
    opened at if its initial assessment is still to be recorded, else the stage it left (the
    workflow's `emergency_end` outcomes)."""
    workflow = workflow_of(case)
    start = workflow.main[0].code
    if initial_pending(case):
        return workflow.steps["emergency_end"].to.get("pending", start)
    before = case.stage_before
    side = {s.code for s in workflow.stages if s.side}
    if before in ("", start) or before in side:
        return workflow.steps["emergency_end"].to.get("done", start)
    return before


@dataclass(frozen=True)
class PathStage:
    code: str
    name: str
    state: str  # "done", "current" or "todo"
    legal_reference: str = ""
    verified: bool = True


@dataclass(frozen=True)
class StagePath:
    """The main path of the case's workflow with where the case stands, and the side state it
    is in, if any (then no stage of the main path is current: `resumes` is where it goes back)."""

    stages: tuple[PathStage, ...]
    side: PathStage | None
    resumes: PathStage | None
    version: int = 0  # of the country's workflow the case follows (0: the pack's, not loaded)

    @property
    def current(self) -> PathStage | None:
        return self.side or next((s for s in self.stages if s.state == "current"), None)


def _path_stage(case: Case, stage: StageDef, state: str) -> PathStage:
    return PathStage(
        stage.code,
        stage_name(case, stage.code),
        state,
        legal_reference=stage.legal_reference,
        verified=stage.verified,
    )


def stage_path(case: Case) -> StagePath:
    """The stages of the case's workflow in order, each done, current or still to come."""
    workflow = workflow_of(case)
    main = [s.code for s in workflow.main]
    side = None
    position = case.stage
    current = workflow.stage(case.stage)
    if current is not None and current.side:
        side = _path_stage(case, current, "current")
        position = resume_stage(case)
    at = main.index(position) if position in main else 0
    stages = tuple(
        _path_stage(
            case,
            stage,
            "done" if index < at else "current" if index == at and side is None else "todo",
        )
        for index, stage in enumerate(workflow.main)
    )
    return StagePath(
        stages=stages,
        side=side,
        resumes=stages[at] if side is not None else None,
        version=workflow.version,
    )


def step_refusal(case: Case, step: str) -> str | None:
    """Why the case's workflow does not allow the step now, or None when it does."""
    rule = workflow_of(case).steps.get(step)
    if rule is None:
        return _("The workflow of this case's country has no such step.")
    if case.stage not in rule.sources:
        return _(
            "This step is not possible while the case is at the stage “%(stage)s”. "
            "Possible stages for it: %(allowed)s."
        ) % {
            "stage": stage_name(case),
            "allowed": ", ".join(
                stage_name(case, s.code) for s in workflow_of(case).stages if s.code in rule.sources
            ),
        }
    unmet = _unmet(case, rule)
    if unmet:
        return _("This step needs first: %(records)s.") % {"records": ", ".join(unmet)}
    return None


def initial_pending(case: Case) -> bool:
    """The case's initial assessment is still to be recorded (whatever the emergency): the case
    is at the stage it opened at, or stepped aside from it before the assessment. A case that
    went on past that stage without one (possible before the assessment was kept recordable) is
    not sent back to it."""
    workflow = workflow_of(case)
    start = workflow.main[0].code
    if case.stage == start:
        return True
    current = workflow.stage(case.stage)
    if current is None or not current.side or case.stage_before not in ("", start):
        return False
    return not case.assessments.filter(kind=AssessmentKind.INITIAL).exists()


RISK_ORDER: dict[str, int] = {RiskLevel.LOW: 0, RiskLevel.MEDIUM: 1, RiskLevel.HIGH: 2}


def risk_lowering_refusal(
    actor: User, case: Case, level: str, *, assessment: bool = False, reasoned: bool = True
) -> str | None:
    """Why `actor` may not set the case's risk level to `level` here, or None. Raising it is any
    case worker's; lowering it is for a supervisor or the head of the area, where the reason is
    written (`reasoned`: a visit's observations, a review's summary — not the bare edit of the
    case). An assessment, the professional finding the risk level comes from, may lower it,
    except where the report said the child was in immediate danger."""
    if RISK_ORDER.get(level, 0) >= RISK_ORDER.get(case.risk_level, 0):
        return None
    if reasoned and (can_approve(actor, case) or (assessment and not case.immediate_danger)):
        return None
    return _(
        "Only a supervisor or the head of the area may lower the risk level, with the reason, "
        "by the step “Lower the risk level”."
    )


def check_risk(actor: User, case: Case, level: str, **how: bool) -> None:
    refusal = risk_lowering_refusal(actor, case, level, **how)
    if refusal is not None:
        raise ValidationError({"risk_level": refusal})


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
