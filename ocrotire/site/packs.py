"""Loading a country pack into every app that keeps part of it: the territory (geo), the concern
categories (intake), the deadline rules (workflow), the service catalogue (providers), the
official forms (dataforms), the gatekeeping body of planned placements (care) and the case workflow
(workflow; the cases opened before it was first loaded keep that version)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from ocrotire.care.services import gatekeeper_load
from ocrotire.cases.services import workflow_pin
from ocrotire.dataforms.services import forms_load
from ocrotire.geo.services import PackResult, pack_load
from ocrotire.intake.services import concerns_load
from ocrotire.providers.services import catalogue_load
from ocrotire.workflow.deadlines import rules_load
from ocrotire.workflow.definitions import workflow_load


@dataclass(frozen=True)
class PacksLoaded:
    units: PackResult | None
    concerns: int
    rules: int
    catalogue: int
    forms: int = 0
    gatekeeper: int = 0
    workflow: int = 0


@transaction.atomic
def packs_load(*, country: str, units: bool = True) -> PacksLoaded:
    """Load or refresh one country's pack; safe to repeat, all or nothing (a workflow the engine
    cannot run refuses the whole pack). Without `units` the territory is left as it is (tests
    that build their own)."""
    code = country.upper()
    result = pack_load(actor=None, country=code) if units else None
    # Reports and cases need the categories and rules of the units' country, so a territory is
    # never loaded without them. The workflow is checked against the rules just loaded.
    rules = rules_load(country=code)
    workflow = workflow_load(country=code)
    workflow_pin(country=code)
    return PacksLoaded(
        units=result,
        concerns=concerns_load(country=code),
        rules=rules,
        workflow=workflow,
        catalogue=catalogue_load(country=code),
        forms=forms_load(country=code),
        gatekeeper=gatekeeper_load(country=code),
    )
