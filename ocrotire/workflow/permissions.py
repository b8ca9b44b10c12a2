"""Who may read notifications, change the deadline rules and cancel tasks: pure predicates."""

from __future__ import annotations

from typing import Any

from ocrotire.accounts.models import RoleCode
from ocrotire.accounts.permissions import has_role, is_member, scope_of


def can_view_notifications(user: Any) -> bool:
    return is_member(user)


def can_manage_rules(user: Any) -> bool:
    return has_role(user, RoleCode.ADMINISTRATOR)


def can_cancel_task(user: Any, task: Any) -> bool:
    """A supervisor or head whose area covers the task's unit, or an administrator, may cancel an
    open task that is no longer needed; the case worker may not cancel their own deadline."""
    if has_role(user, RoleCode.ADMINISTRATOR):
        return True
    return has_role(user, RoleCode.SUPERVISOR, RoleCode.HEAD) and scope_of(user).covers_path(
        task.unit.path
    )
