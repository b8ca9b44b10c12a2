"""Builders of case work for tests: the packs' concern categories, deadline rules and service
catalogues (tests and module-scoped test worlds call them)."""

from __future__ import annotations


def casework_load() -> None:
    """The concern categories, deadline rules, service catalogues, gatekeepers and case workflows
    of the Moldovan and Ukrainian packs."""
    from ocrotire.care.services import gatekeeper_load
    from ocrotire.intake.services import concerns_load
    from ocrotire.providers.services import catalogue_load
    from ocrotire.workflow.deadlines import rules_load
    from ocrotire.workflow.definitions import workflow_load

    for country in ("MD", "UA"):
        concerns_load(country=country)
        rules_load(country=country)
        catalogue_load(country=country)
        gatekeeper_load(country=country)
        workflow_load(country=country)
