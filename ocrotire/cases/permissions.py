"""Who may see and act on cases: pure predicates over role, scope and team membership."""

from __future__ import annotations

from typing import Any

from ocrotire.accounts.models import RoleCode
from ocrotire.accounts.permissions import has_role, is_member, scope_of

CASE_ROLES = (RoleCode.ADMINISTRATOR, RoleCode.SPECIALIST, RoleCode.SUPERVISOR, RoleCode.HEAD)
APPROVER_ROLES = (RoleCode.ADMINISTRATOR, RoleCode.SUPERVISOR, RoleCode.HEAD)


def works_cases(user: Any) -> bool:
    """Case workers see every case of their area; anyone else sees only the cases whose team
    they are on."""
    return has_role(user, *CASE_ROLES)


def can_list_cases(user: Any) -> bool:
    return is_member(user)


def in_area(user: Any, case: Any) -> bool:
    return works_cases(user) and scope_of(user).covers_path(case.unit.path)


def can_act(user: Any, case: Any) -> bool:
    return in_area(user, case)


def can_approve(user: Any, case: Any) -> bool:
    return has_role(user, *APPROVER_ROLES) and scope_of(user).covers_path(case.unit.path)


def can_reassign(user: Any, case: Any) -> bool:
    return can_approve(user, case)


def can_take_step(user: Any, case: Any, step: str, *, approval: bool) -> bool:
    """Whether the user's role and area let them take a stage step (the stage is checked apart)."""
    if step == "reassign":
        return can_reassign(user, case)
    return can_approve(user, case) if approval else can_act(user, case)


def can_view_board(user: Any) -> bool:
    """The supervisor board shows every open report and case of the area."""
    return has_role(user, *APPROVER_ROLES)


def shows_case_work(user: Any) -> bool:
    """Case lists and "my work" in the navigation: for case workers; team members from other
    institutions reach their cases through notifications."""
    return works_cases(user)
