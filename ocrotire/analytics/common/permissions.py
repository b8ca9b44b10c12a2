"""Who may read figures, and who reads them exactly (pure predicates)."""

from __future__ import annotations

from typing import Any

from ocrotire.accounts.models import RoleCode
from ocrotire.accounts.permissions import has_role
from ocrotire.cases.permissions import works_cases

ANALYTICS_ROLES = (
    RoleCode.ADMINISTRATOR,
    RoleCode.HEAD,
    RoleCode.SUPERVISOR,
    RoleCode.SPECIALIST,
    RoleCode.PLANNER,
)


def can_view_analytics(user: Any) -> bool:
    """Dashboards and the HG 270 report: case workers and their heads for their area, and the
    planners who answer for the strategy."""
    return has_role(user, *ANALYTICS_ROLES)


def sees_records(user: Any) -> bool:
    """Whoever may open the records of their area reads figures exactly and drills down to the
    records behind them; everyone else (a planner) reads small counts as "<5"."""
    return works_cases(user)


def can_export_dhis2(user: Any) -> bool:
    return can_view_analytics(user)
