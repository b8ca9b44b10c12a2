"""Who may read notifications and change the deadline rules: pure predicates."""

from __future__ import annotations

from typing import Any

from ocrotire.accounts.models import RoleCode
from ocrotire.accounts.permissions import has_role, is_member


def can_view_notifications(user: Any) -> bool:
    return is_member(user)


def can_manage_rules(user: Any) -> bool:
    return has_role(user, RoleCode.ADMINISTRATOR)
