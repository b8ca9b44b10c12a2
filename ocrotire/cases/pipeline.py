"""The stage pipeline of a case: which step may be taken from which stages and by whom
(TRANSITIONS, the one table that refuses illegal moves), and what every step's write does first —
lock the case, check the version read and the stage, then save with a new version."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ocrotire.accounts.models import User
from ocrotire.accounts.permissions import scope_of
from ocrotire.cases.models import (
    OPEN_STAGES,
    AssessmentKind,
    Case,
    RiskLevel,
    Stage,
)
from ocrotire.cases.permissions import can_approve, can_take_step, works_cases
from ocrotire.core.bounds import validate_past_moment
from ocrotire.core.errors import Conflict, NotAllowed
from ocrotire.geo.models import Unit
from ocrotire.geo.stages import stage_term

ANY_OPEN = frozenset(OPEN_STAGES)
WORKING = ANY_OPEN - {Stage.CLOSURE_PROPOSED, Stage.PLAN_APPROVAL}

# The stage pipeline as a table: which step may be taken from which stages, and whether it is
# an approval (supervisors only). Every step not listed here is refused.
TRANSITIONS: dict[str, tuple[frozenset[str], bool]] = {
    # Before, during or after emergency protection, until it is recorded (`initial_pending`).
    "initial_assessment": (
        frozenset({Stage.INITIAL_ASSESSMENT, Stage.EMERGENCY_PROTECTION}),
        False,
    ),
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
    # Raising the risk level is any case worker's (the edit, a visit, a review); lowering it is
    # a decision of a supervisor or the head of the area, with its reason.
    "risk_lower": (ANY_OPEN, True),
}


def allowed_steps(case: Case) -> list[str]:
    steps = [step for step, (sources, _approval) in TRANSITIONS.items() if case.stage in sources]
    if "initial_assessment" in steps and not initial_pending(case):
        steps.remove("initial_assessment")
    return steps


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


# Stages a case steps aside into and comes back from; every other stage is on the main path, in
# the order of `Stage`. (Data of the country's workflow once the workflow is pack data.)
SIDE_STAGES = frozenset({Stage.EMERGENCY_PROTECTION})


def stage_name(stage: str, country: str = "") -> str:
    """The stage as the case's country calls it in the reader's language (its pack's
    stages.json), else its generic name."""
    term = stage_term(country, stage, get_language() or "ro") if country else None
    return term or _stage_label(stage)


def resume_stage(case: Case) -> str:
    """Where a case in emergency protection goes back to when the emergency ends: its initial
    assessment if that is still to be recorded, else the stage it left."""
    if initial_pending(case):
        return Stage.INITIAL_ASSESSMENT
    before = case.stage_before
    if before in ("", Stage.INITIAL_ASSESSMENT, Stage.EMERGENCY_PROTECTION):
        return Stage.COMPLEX_ASSESSMENT
    return before


@dataclass(frozen=True)
class PathStage:
    code: str
    name: str
    state: str  # "done", "current" or "todo"


@dataclass(frozen=True)
class StagePath:
    """The main path of the case's workflow with where the case stands, and the side state it
    is in, if any (then no stage of the main path is current: `resumes` is where it goes back)."""

    stages: tuple[PathStage, ...]
    side: PathStage | None
    resumes: PathStage | None


def stage_path(case: Case) -> StagePath:
    """The stages of the case's workflow in order, each done, current or still to come."""
    country = case.unit.country
    main = [s for s in Stage.values if s not in SIDE_STAGES]
    side = None
    position = case.stage
    if case.stage in SIDE_STAGES:
        side = PathStage(case.stage, stage_name(case.stage, country), "current")
        position = resume_stage(case)
    at = main.index(position) if position in main else 0
    stages = tuple(
        PathStage(
            code,
            stage_name(code, country),
            "done" if index < at else "current" if index == at and side is None else "todo",
        )
        for index, code in enumerate(main)
    )
    return StagePath(stages=stages, side=side, resumes=stages[at] if side is not None else None)


def step_refusal(case: Case, step: str) -> str | None:
    """Why the case's stage does not allow the step, or None when it does."""
    sources, _approval = TRANSITIONS[step]
    if case.stage in sources:
        return None
    return _(
        "This step is not possible while the case is at the stage “%(stage)s”. "
        "Possible stages for it: %(allowed)s."
    ) % {
        "stage": stage_name(case.stage, case.unit.country),
        "allowed": ", ".join(
            stage_name(s, case.unit.country) for s in Stage.values if s in sources
        ),
    }


def initial_pending(case: Case) -> bool:
    """The case's initial assessment is still to be recorded (whatever the emergency). Only an
    emergency that began before it can leave it pending: a case that went on past the initial
    assessment stage without one (possible before the assessment was kept recordable) is not sent
    back to it."""
    if case.stage == Stage.INITIAL_ASSESSMENT:
        return True
    if case.stage != Stage.EMERGENCY_PROTECTION or case.stage_before not in (
        "",
        Stage.INITIAL_ASSESSMENT,
    ):
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
