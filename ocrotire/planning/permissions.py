"""Who may do what with the strategy's plan (pure predicates)."""

from __future__ import annotations

from typing import Any

from ocrotire.accounts.models import RoleCode
from ocrotire.accounts.permissions import has_role, is_member, scope_of

# Those who keep the plans of their area: import them, define indicators and targets, correct
# any row, record donor projects.
PLAN_KEEPERS = (RoleCode.PLANNER, RoleCode.HEAD, RoleCode.ADMINISTRATOR)


def can_view_plans(user: Any) -> bool:
    """The plan is a public document of the municipality: every member may read it."""
    return is_member(user)


def is_plan_keeper(user: Any) -> bool:
    return has_role(user, *PLAN_KEEPERS)


def can_manage_plans(user: Any, unit: Any) -> bool:
    """A keeper of the plans of `unit`'s territory (a Chernihiv planner never edits Chișinău's)."""
    return is_plan_keeper(user) and scope_of(user).covers_path(unit.path)


def can_report_on(user: Any, item: Any) -> bool:
    """Progress and indicator values of a sub-action are reported by its responsible
    institutions (and their branches, such as a directorate's sector sections), or by a keeper
    of the plan's territory; an institution never edits another's rows."""
    if can_manage_plans(user, item.strategy.unit):
        return True
    institution = getattr(user, "institution", None)
    if institution is None or not is_member(user):
        return False
    responsible = {i.pk for i in item.responsible.all()}
    return institution.pk in responsible or (
        institution.parent_id is not None and institution.parent_id in responsible
    )
