"""Who may see and change persons, households and merges: pure predicates over role and scope."""

from __future__ import annotations

from typing import Any

from ocrotire.accounts.models import RoleCode
from ocrotire.accounts.permissions import has_role, scope_of

REGISTRY_ROLES = (
    RoleCode.ADMINISTRATOR,
    RoleCode.SPECIALIST,
    RoleCode.SUPERVISOR,
    RoleCode.HEAD,
    RoleCode.COMMUNITY_WORKER,
)
MERGE_ROLES = (RoleCode.ADMINISTRATOR, RoleCode.SPECIALIST, RoleCode.SUPERVISOR, RoleCode.HEAD)


def can_use_registry(user: Any) -> bool:
    return has_role(user, *REGISTRY_ROLES)


def can_review_duplicates(user: Any) -> bool:
    return has_role(user, *MERGE_ROLES)


def covers_unit(user: Any, unit: Any) -> bool:
    return unit is not None and scope_of(user).covers_path(unit.path)


def can_edit_record(user: Any, record: Any) -> bool:
    """Persons and households: the responsible unit must be inside the user's area."""
    return can_use_registry(user) and covers_unit(user, record.scope_unit)


def can_run_dedup(user: Any) -> bool:
    """A registry-wide run reads every record, so only supervisors and above start one."""
    return has_role(user, RoleCode.ADMINISTRATOR, RoleCode.SUPERVISOR, RoleCode.HEAD)
