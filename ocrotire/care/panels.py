"""What care adds to a case's page and case file (`cases.panels`): the child's placements with
their decisions and reviews, and for those who may place the child the form to place them and, for
each active placement, the forms to record its decision, review it and end it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ocrotire.accounts.models import User
from ocrotire.care.forms import (
    PlacementStartForm,
    placement_decision_form,
    placement_end_form,
    placement_review_form,
)
from ocrotire.care.permissions import can_place
from ocrotire.care.selectors import case_placements, placement_facilities
from ocrotire.care.services import gatekeeper_of
from ocrotire.cases import panels
from ocrotire.cases.models import Case, Stage


def placement_panel(user: User, case: Case) -> Mapping[str, Any]:
    """What the case page shows of placements: the list, and for those who may place the child
    the form to place them and a form to end each active placement."""
    placements = list(case_placements(case))
    if not can_place(user, case.child, case):
        return {"placements": placements, "can_place": False}
    gatekeeper = gatekeeper_of(case.unit.country)
    active = [p for p in placements if p.ended_at is None]
    return {
        "placements": placements,
        "can_place": True,
        # A closed case takes no new placement; its active ones can still be ended.
        "place_form": (
            PlacementStartForm(facilities=placement_facilities(case), gatekeeper=gatekeeper)
            if case.stage != Stage.CLOSED
            else None
        ),
        # An emergency placement waits for the commission's or a court's decision.
        "decision_forms": [
            (p, placement_decision_form(p, gatekeeper)) for p in active if not p.decision_by
        ],
        "review_forms": [(p, placement_review_form(p)) for p in active],
        "end_forms": [(p, placement_end_form(p)) for p in active],
    }


def _file_placements(user: User, case: Case) -> Mapping[str, Any]:
    return {"placements": list(case_placements(case))}


def register_case_panels() -> None:
    panels.register(
        panels.Panel(
            "placements",
            10,
            placement_panel,
            "care/case_placements.html",
            pdf_template="care/case_file_placements.html",
            pdf_context=_file_placements,
        )
    )
