"""DRF permission classes built on the accounts predicates."""

from __future__ import annotations

from typing import Any

from rest_framework import permissions
from rest_framework.request import Request

from ocrotire.accounts.permissions import can_view_audit, is_member


class IsMember(permissions.BasePermission):
    """Signed in, active and holding at least one role: deny by default."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return is_member(request.user)


class IsAuditor(permissions.BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        return can_view_audit(request.user)
