"""Who records placements: the case workers of the child's area (pure predicates)."""

from __future__ import annotations

from typing import Any

from ocrotire.accounts.permissions import scope_of
from ocrotire.cases.permissions import can_act, works_cases
from ocrotire.providers.permissions import can_create_provider, can_edit_provider


def can_place(user: Any, child: Any, case: Any = None) -> bool:
    if not works_cases(user):
        return False
    if case is not None:
        return can_act(user, case)
    unit = getattr(child, "scope_unit", None)
    return unit is not None and scope_of(user).covers_path(unit.path)


def can_record_institution_change(user: Any, facility: Any) -> bool:
    """Reorganising or closing an institution is recorded by the register keepers of its area."""
    return can_create_provider(user) and can_edit_provider(user, facility.provider)
