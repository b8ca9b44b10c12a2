"""Who may do what in the provider register (pure predicates)."""

from __future__ import annotations

from typing import Any

from ocrotire.accounts.models import RoleCode
from ocrotire.accounts.permissions import has_role, is_member, scope_of
from ocrotire.cases.permissions import works_cases
from ocrotire.providers.models import Provider

# Those who keep the register: they add providers of their area and edit any of them.
REGISTER_KEEPERS = (RoleCode.ADMINISTRATOR, RoleCode.HEAD, RoleCode.SUPERVISOR)


def can_browse_providers(user: Any) -> bool:
    return is_member(user)


def can_create_provider(user: Any) -> bool:
    return has_role(user, *REGISTER_KEEPERS)


def is_provider_staff(user: Any, provider: Provider) -> bool:
    """Staff of the provider itself keep its contacts and service points up to date."""
    return (
        has_role(user, RoleCode.PROVIDER)
        and getattr(user, "institution_id", None) == provider.institution_id
    )


def can_edit_provider(user: Any, provider: Provider) -> bool:
    if is_provider_staff(user, provider):
        return True
    if not can_create_provider(user):
        return False
    scope = scope_of(user)
    if scope.is_global:
        return True
    units = list(provider.institution.units.all())
    return bool(units) and all(scope.covers_path(unit.path) for unit in units)


def can_edit_register_fields(user: Any) -> bool:
    """Registration and licence are the register keepers' to record, not the provider's own."""
    return can_create_provider(user)


def can_answer_referral(user: Any, referral: Any) -> bool:
    """The provider a referral is addressed to answers it (accept, decline, enrol, end)."""
    point = referral.service_point
    return point is not None and is_provider_staff(user, point.provider)


def can_enrol(user: Any, referral: Any) -> bool:
    point = referral.service_point
    return point is not None and (
        is_provider_staff(user, point.provider) or can_edit_provider(user, point.provider)
    )


def can_override_capacity(user: Any, provider: Provider) -> bool:
    """Enrolling beyond the places is the directorate's decision, not the provider's alone."""
    return can_create_provider(user) and can_edit_provider(user, provider)


def can_see_enrolments(user: Any, point: Any) -> bool:
    """Who was enrolled when, by name: the provider's staff, the register keepers of its area,
    and the case workers whose area the service point is in."""
    if is_provider_staff(user, point.provider) or can_edit_provider(user, point.provider):
        return True
    return works_cases(user) and scope_of(user).covers_path(point.unit.path)
