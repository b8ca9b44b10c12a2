"""A country's case workflow as data: the stages in order (with the country's names for them, the
legal reference and whether a lawyer verified it), and for every step the stages it may be taken
from, whether it is an approval, which roles may take it, the records it needs first and the stage
each of its outcomes leads to.

The pack holds it: `geo/packs/common/workflow.json` is the shape every country starts from (the
Moldovan intersectoral mechanism, HG 270), and `geo/packs/<cc>/workflow.json` replaces the list of
stages and any step by its code (`null` drops a step the country does not have). Loading the pack
adds a `WorkflowVersion` when the result changed; a case keeps the version it was opened with.

What the engine knows — the kinds of stage, the steps, the outcomes each step must lead somewhere
and the records a step may require — is registered by the app that does the work (`cases`), as
the event kinds are; a pack naming anything else is refused with the reason."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from ocrotire.accounts.models import RoleCode, User
from ocrotire.core.audit import audit_record
from ocrotire.core.errors import Invalid
from ocrotire.core.models import AuditAction
from ocrotire.geo.services import PACKS_DIR
from ocrotire.workflow.models import DeadlineRule, WorkflowVersion


class WorkflowInvalid(Invalid):
    """A pack's workflow names what the engine does not know, or leaves a step or a deadline
    with nowhere to go; nothing was loaded."""


@dataclass(frozen=True)
class Vocabulary:
    """What a workflow may name: stage codes, step codes with the outcomes each must map to a
    stage, the records a step may require, and the events each step fires (so that a workflow
    without a step can be refused when a deadline rule waits for that step's event)."""

    stages: frozenset[str] = frozenset()
    outcomes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    requirements: frozenset[str] = frozenset()
    step_events: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


_VOCABULARY: list[Vocabulary] = [Vocabulary()]


def vocabulary_register(vocabulary: Vocabulary) -> None:
    """Called once by the app whose steps the workflow orders (from its AppConfig.ready)."""
    _VOCABULARY[0] = vocabulary


def vocabulary() -> Vocabulary:
    return _VOCABULARY[0]


@dataclass(frozen=True)
class StageDef:
    code: str
    names: Mapping[str, str]
    legal_reference: str
    verified: bool
    side: bool  # stepped aside into and back from (an emergency); not on the main path
    final: bool  # the case is closed
    awaits_decision: bool  # waiting for a supervisor's decision: no work step meanwhile

    def name(self, language: str) -> str | None:
        """The country's name for the stage in the language (else English), or None."""
        value = self.names.get(language[:2]) or self.names.get("en")
        return str(value) if value else None


@dataclass(frozen=True)
class StepDef:
    code: str
    sources: frozenset[str]
    approval: bool
    roles: tuple[str, ...]  # empty: every case worker of the area (approvals: supervisors)
    requires: tuple[str, ...]
    to: Mapping[str, str]


@dataclass(frozen=True)
class Workflow:
    country: str
    version: int  # 0: read from the pack, not loaded yet
    source: str
    stages: tuple[StageDef, ...]
    steps: Mapping[str, StepDef]

    def stage(self, code: str) -> StageDef | None:
        return next((s for s in self.stages if s.code == code), None)

    @property
    def main(self) -> tuple[StageDef, ...]:
        return tuple(s for s in self.stages if not s.side)

    def target(self, step: str, outcome: str = "done") -> str:
        return self.steps[step].to[outcome]


def _read(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return data if isinstance(data, dict) else {"stages": data}


def definition_read(country: str, folder: Path = PACKS_DIR) -> dict[str, Any]:
    """The country's workflow: the common one with the country's stages and steps over it."""
    common = _read(folder / "common" / "workflow.json")
    own = _read(folder / country.lower() / "workflow.json")
    steps = dict(common.get("steps", {}))
    steps.update(own.get("steps", {}))
    return {
        "country": country.upper(),
        "source": own.get("source", common.get("source", "")),
        "stages": own.get("stages", common.get("stages", [])),
        "steps": {code: step for code, step in steps.items() if step is not None},
    }


def _digest(definition: Mapping[str, Any]) -> str:
    text = json.dumps(definition, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _stage(row: Any, known: frozenset[str], errors: list[str]) -> StageDef | None:
    if not isinstance(row, dict) or not isinstance(row.get("code"), str):
        errors.append(_("Each stage needs a “code”."))
        return None
    code = row["code"]
    if known and code not in known:
        errors.append(_("The stage “%(code)s” is not one the system knows.") % {"code": code})
    names = row.get("names", {})
    if not isinstance(names, dict):
        errors.append(_("The names of the stage “%(code)s” must be by language.") % {"code": code})
        names = {}
    return StageDef(
        code=code,
        names={str(k): str(v) for k, v in names.items()},
        legal_reference=str(row.get("legal_reference", "")),
        verified=bool(row.get("verified", False)),
        side=bool(row.get("side", False)),
        final=bool(row.get("final", False)),
        awaits_decision=bool(row.get("awaits_decision", False)),
    )


def _sources(value: Any, stages: tuple[StageDef, ...]) -> frozenset[str] | None:
    """`"open"` (every stage but the final ones), `"working"` (those less the stages waiting
    for a decision) or a list of stage codes."""
    open_ = [s for s in stages if not s.final]
    if value == "open":
        return frozenset(s.code for s in open_)
    if value == "working":
        return frozenset(s.code for s in open_ if not s.awaits_decision)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return frozenset(value)
    return None


def _step(code: str, row: Any, wf_stages: tuple[StageDef, ...], errors: list[str]) -> StepDef:
    known = vocabulary()
    say = {"step": code}
    stage_codes = {s.code for s in wf_stages}
    row = row if isinstance(row, dict) else {}
    if known.outcomes and code not in known.outcomes:
        errors.append(_("The step “%(step)s” is not one the system knows.") % say)
    sources = _sources(row.get("from"), wf_stages)
    if sources is None:
        errors.append(
            _("The step “%(step)s” needs “from”: “open”, “working” or a list of stages.") % say
        )
        sources = frozenset()
    for stage in sorted(sources - stage_codes):
        errors.append(
            _(
                "The step “%(step)s” starts from the stage “%(stage)s”, which the workflow does not have."
            )
            % {**say, "stage": stage}
        )
    roles = row.get("roles", [])
    if not isinstance(roles, list) or any(r not in RoleCode.values for r in roles):
        errors.append(_("The roles of the step “%(step)s” must be roles of the system.") % say)
        roles = []
    requires = row.get("requires", [])
    if not isinstance(requires, list) or any(r not in known.requirements for r in requires):
        errors.append(_("The step “%(step)s” requires a record the system does not know.") % say)
        requires = []
    to = row.get("to", {})
    if not isinstance(to, dict):
        to = {}
    for outcome in known.outcomes.get(code, ()):
        if outcome not in to:
            errors.append(
                _("The step “%(step)s” needs the stage its outcome “%(outcome)s” leads to.")
                % {**say, "outcome": outcome}
            )
    for stage in to.values():
        if stage not in stage_codes:
            errors.append(
                _(
                    "The step “%(step)s” leads to the stage “%(stage)s”, which the workflow does not have."
                )
                % {**say, "stage": stage}
            )
    return StepDef(
        code=code,
        sources=sources & stage_codes,
        approval=bool(row.get("approval", False)),
        roles=tuple(roles),
        requires=tuple(requires),
        to={str(k): str(v) for k, v in to.items()},
    )


def workflow_parse(definition: Mapping[str, Any], *, version: int = 0) -> Workflow:
    """The workflow a definition describes, or WorkflowInvalid listing every fault in it."""
    known = vocabulary()
    errors: list[str] = []
    rows = definition.get("stages")
    if not isinstance(rows, list) or not rows:
        raise WorkflowInvalid([_("The workflow needs its list of stages.")])
    parsed = [_stage(row, known.stages, errors) for row in rows]
    stages = tuple(s for s in parsed if s is not None)
    codes = [s.code for s in stages]
    if len(set(codes)) != len(codes):
        errors.append(_("A stage is listed twice."))
    if not any(s.final for s in stages):
        errors.append(_("The workflow needs a final stage (the case closed)."))
    steps_in = definition.get("steps")
    if not isinstance(steps_in, dict):
        raise WorkflowInvalid([_("The workflow needs its steps.")])
    steps = {code: _step(code, row, stages, errors) for code, row in steps_in.items()}
    main = [s for s in stages if not s.side]
    if not main:
        errors.append(_("The workflow needs a stage on its main path."))
    for stage in stages:
        leaving = any(
            stage.code in step.sources and set(step.to.values()) - {stage.code}
            for step in steps.values()
        )
        if not stage.final and not leaving:
            errors.append(
                _("No step leads out of the stage “%(stage)s”: a case there would stay for ever.")
                % {"stage": stage.code}
            )
    if errors:
        raise WorkflowInvalid(list(dict.fromkeys(errors)))
    return Workflow(
        country=str(definition.get("country", "")),
        version=version,
        source=str(definition.get("source", "")),
        stages=stages,
        steps=steps,
    )


def _deadlines_met(workflow: Workflow, rules: Iterable[DeadlineRule]) -> None:
    """Refuse a workflow without the step a deadline rule of its country waits for: a task of
    that rule could never be completed."""
    by_event: dict[str, set[str]] = {}
    for step, events in vocabulary().step_events.items():
        for event in events:
            by_event.setdefault(event, set()).add(step)
    errors = [
        _("The deadline “%(rule)s” waits for a step this workflow does not have.")
        % {"rule": rule.label()}
        for rule in rules
        if rule.completed_by in by_event and not by_event[rule.completed_by] & set(workflow.steps)
    ]
    if errors:
        raise WorkflowInvalid(list(dict.fromkeys(errors)))


@transaction.atomic
def workflow_load(*, country: str, actor: User | None = None, folder: Path = PACKS_DIR) -> int:
    """Load the country's workflow from its pack: a new version when it changed (1 row), else
    nothing (0). A workflow the engine cannot run is refused with every reason."""
    code = country.upper()
    definition = definition_read(code, folder)
    workflow = workflow_parse(definition)
    _deadlines_met(workflow, DeadlineRule.objects.filter(country=code, active=True))
    digest = _digest(definition)
    latest = WorkflowVersion.objects.select_for_update().filter(country=code).first()
    if latest is not None and latest.digest == digest:
        return 0
    row = WorkflowVersion.objects.create(
        country=code,
        version=(latest.version if latest else 0) + 1,
        definition=definition,
        digest=digest,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=row,
        changes={"version": row.version, "digest": digest},
    )
    return 1


@lru_cache(maxsize=64)
def workflow_version(pk: int) -> Workflow:
    """A loaded version (never changed, so kept once read)."""
    row = WorkflowVersion.objects.get(pk=pk)
    return workflow_parse(row.definition, version=row.version)


@lru_cache(maxsize=16)
def workflow_of_pack(country: str) -> Workflow:
    """The workflow the pack file describes, for a country whose pack is not loaded yet."""
    return workflow_parse(definition_read(country))


def workflow_latest_pk(country: str) -> int | None:
    """The primary key of the country's newest loaded version, if any."""
    return (
        WorkflowVersion.objects.filter(country=country.upper())
        .order_by("-version")
        .values_list("pk", flat=True)
        .first()
    )


def workflow_latest(country: str) -> tuple[int | None, Workflow]:
    """The country's newest loaded version (its primary key and workflow), else the pack's."""
    pk = workflow_latest_pk(country)
    if pk is None:
        return None, workflow_of_pack(country.upper())
    return pk, workflow_version(pk)
