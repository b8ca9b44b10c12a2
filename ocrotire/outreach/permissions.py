"""Who may screen households, follow up flagged children, run benefit programmes and sync a
device: pure predicates over role and scope.

A community worker works in their villages: they screen the households there, follow up the
children they flagged and apply for certificates for those households; they do not see the cases
that follow a report (those are the register's). The register keepers of the area (specialist,
supervisor, head) see the screenings and what was flagged. Programmes are run by supervisors and
heads of the programme's area, who decide applications; the planner reads them for the donor."""

from __future__ import annotations

from typing import Any

from ocrotire.accounts.models import RoleCode
from ocrotire.accounts.permissions import has_role, scope_of

SCREENING_ROLES = (
    RoleCode.ADMINISTRATOR,
    RoleCode.COMMUNITY_WORKER,
    RoleCode.SPECIALIST,
    RoleCode.SUPERVISOR,
    RoleCode.HEAD,
)
PROGRAMME_KEEPERS = (RoleCode.ADMINISTRATOR, RoleCode.SUPERVISOR, RoleCode.HEAD)
PROGRAMME_READERS = (*PROGRAMME_KEEPERS, RoleCode.PLANNER, RoleCode.SPECIALIST)
APPLICANTS = (
    RoleCode.ADMINISTRATOR,
    RoleCode.COMMUNITY_WORKER,
    RoleCode.SPECIALIST,
    RoleCode.SUPERVISOR,
    RoleCode.HEAD,
)


def _covers(user: Any, unit: Any) -> bool:
    return unit is not None and scope_of(user).covers_path(unit.path)


def can_screen(user: Any) -> bool:
    return has_role(user, *SCREENING_ROLES)


def covers_household(user: Any, household: Any) -> bool:
    """The household's responsible unit or its address is in the user's area."""
    return _covers(user, household.scope_unit) or _covers(user, household.unit)


def can_screen_household(user: Any, household: Any) -> bool:
    return can_screen(user) and covers_household(user, household)


def can_read_programmes(user: Any) -> bool:
    return has_role(user, *PROGRAMME_READERS, RoleCode.COMMUNITY_WORKER)


def can_keep_programme(user: Any, unit: Any) -> bool:
    """Create a programme, decide its applications, record a redemption."""
    return has_role(user, *PROGRAMME_KEEPERS) and _covers(user, unit)


def can_apply(user: Any, programme: Any, household: Any) -> bool:
    """For a household of the user's area that lives in the programme's area."""
    return (
        has_role(user, *APPLICANTS)
        and covers_household(user, household)
        and household_in_programme_area(programme, household)
    )


def household_in_programme_area(programme: Any, household: Any) -> bool:
    unit = household.unit or household.scope_unit
    return unit is not None and unit.path.startswith(programme.unit.path)


def can_sync(user: Any) -> bool:
    return can_screen(user)
