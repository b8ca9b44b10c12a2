"""Pure predicates about what a user may do; selectors, services and templates share them."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from django.db.models import Q

from ocrotire.accounts.models import RoleCode

if TYPE_CHECKING:
    from ocrotire.accounts.models import Institution, User

from ocrotire.geo.models import Unit

# Up to this many units a scope reaches queries as a list of unit ids; a wider one (a country's
# every settlement) as a join on the unit tree's materialised path.
SCOPE_ID_LIST_LIMIT = 2000


@dataclass(frozen=True)
class Scope:
    """Where a user may see and act: the units (each with its whole subtree), the ancestors of
    those units (for reference data that serves a wider area), and the institution."""

    is_global: bool
    unit_paths: tuple[str, ...]
    ancestor_codes: frozenset[str]
    institution_id: int | None
    countries: frozenset[str] = frozenset()  # of the units (none for a global scope)

    def covers_path(self, path: str) -> bool:
        return self.is_global or any(path.startswith(p) for p in self.unit_paths)

    @cached_property
    def unit_ids(self) -> list[int] | None:
        """The ids of every unit in the scope, read once (one small query); None when the
        scope is global or wider than SCOPE_ID_LIST_LIMIT units. Queries hand this list to the
        database rather than a join to the unit tree: the planner can then count and page a
        whole city's cases from an index alone (docs/PERFORMANCE.md, "Session 4")."""
        if self.is_global:
            return None
        if not self.unit_paths:
            return []
        under = Q(pk__in=[])
        for path in self.unit_paths:
            under |= Q(path__startswith=path)
        ids = list(
            Unit.objects.filter(under)
            .order_by()
            .values_list("pk", flat=True)[: SCOPE_ID_LIST_LIMIT + 1]
        )
        return ids if len(ids) <= SCOPE_ID_LIST_LIMIT else None


def role_codes(user: Any) -> frozenset[str]:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cached: frozenset[str] | None = getattr(user, "_ocrotire_roles", None)
    if cached is None:
        cached = frozenset(user.roles.values_list("code", flat=True))
        user._ocrotire_roles = cached
    return cached


def has_role(user: Any, *codes: str) -> bool:
    return bool(role_codes(user) & set(codes))


def is_member(user: Any) -> bool:
    """An active user with at least one role. Everybody else is denied everything."""
    return bool(role_codes(user))


def scope_of(user: User) -> Scope:
    cached: Scope | None = getattr(user, "_ocrotire_scope", None)
    if cached is not None:
        return cached
    if not is_member(user):
        scope = Scope(False, (), frozenset(), None)
    elif has_role(user, RoleCode.ADMINISTRATOR):
        scope = Scope(True, (), frozenset(), user.institution_id)
    else:
        units = list(user.units.all())
        if not units and user.institution_id is not None:
            units = list(Unit.objects.filter(institutions=user.institution_id))
        paths = tuple(u.path for u in units)
        ancestors = frozenset(code for u in units for code in u.ancestor_codes())
        countries = frozenset(u.country for u in units)
        scope = Scope(False, paths, ancestors, user.institution_id, countries)
    user._ocrotire_scope = scope  # type: ignore[attr-defined]
    return scope


def can_view_audit(user: Any) -> bool:
    return has_role(user, RoleCode.AUDITOR)


def can_create_institution(user: Any) -> bool:
    return has_role(user, RoleCode.ADMINISTRATOR, RoleCode.HEAD, RoleCode.SUPERVISOR)


def can_edit_institution(user: User, institution: Institution) -> bool:
    if not can_create_institution(user):
        return False
    scope = scope_of(user)
    if scope.is_global:
        return True
    return all(scope.covers_path(unit.path) for unit in institution.units.all())


def can_browse_territory(user: Any) -> bool:
    return is_member(user)


def needs_second_factor(user: Any) -> bool:
    """Whether this user must pass a TOTP check: always once they have a device, and when any
    of their roles makes it mandatory (unless enforcement is switched off system-wide)."""
    from django.conf import settings
    from django_otp import user_has_device

    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user_has_device(user, confirmed=True):
        return True
    if not settings.OCROTIRE_MFA_ENFORCED:
        return False
    return bool(user.roles.filter(mfa_required=True).exists())


def acting_user(request: Any) -> User:
    """The signed-in user of a request that a view or API has already authenticated."""
    from django.core.exceptions import PermissionDenied

    from ocrotire.accounts.models import User

    user = getattr(request, "user", None)
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def member_or_403(request: Any) -> User:
    """For pages: the signed-in member, or 403 for an account without a role."""
    from django.core.exceptions import PermissionDenied

    if not is_member(getattr(request, "user", None)):
        raise PermissionDenied
    return acting_user(request)
