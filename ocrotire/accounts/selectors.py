"""Reads of users and institutions, always through the reader's scope; a user's own sessions,
tokens, devices and security notices."""

from __future__ import annotations

from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from ocrotire.accounts.models import ApiToken, Institution, SecurityNotice, User, UserSession
from ocrotire.accounts.permissions import is_member, scope_of
from ocrotire.geo.models import Unit


def institution_visible_q(user: User) -> Q | None:
    """None means everything; an empty scope sees nothing."""
    scope = scope_of(user)
    if scope.is_global:
        return None
    condition = Q(pk__in=[])
    for path in scope.unit_paths:
        condition |= Q(units__path__startswith=path)
    if scope.ancestor_codes:
        condition |= Q(units__code__in=sorted(scope.ancestor_codes))
    if scope.institution_id is not None:
        condition |= Q(pk=scope.institution_id)
    return condition


def units_from_codes(codes: list[str]) -> list[Unit]:
    """The units of these codes; an unknown code is refused, naming it, on the `units` field."""
    units = list(Unit.objects.filter(code__in=codes))
    missing = sorted(set(codes) - {u.code for u in units})
    if missing:
        raise ValidationError(
            {
                "units": [
                    _("There is no unit with this code: %(codes)s.") % {"codes": ", ".join(missing)}
                ]
            }
        )
    return units


def institution_list(
    *,
    user: User,
    search: str = "",
    kind: str = "",
    unit_code: str = "",
    include_inactive: bool = False,
) -> QuerySet[Institution]:
    if not is_member(user):
        return Institution.objects.none()
    qs = Institution.objects.all()
    condition = institution_visible_q(user)
    if condition is not None:
        qs = qs.filter(pk__in=Institution.objects.filter(condition).values("pk"))
    if not include_inactive:
        qs = qs.filter(active=True)
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(abbreviation__icontains=search))
    if kind:
        qs = qs.filter(kind=kind)
    if unit_code:
        qs = qs.filter(units__code=unit_code).distinct()
    return qs.prefetch_related("units").order_by("name", "id")


def institution_get(*, user: User, pk: int | str) -> Institution:
    """The institution, or 404 when it is missing or outside the user's scope."""
    try:
        return institution_list(user=user, include_inactive=True).get(pk=pk)
    except (Institution.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def user_profile(*, user: User) -> User:
    return (
        User.objects.prefetch_related("roles", "units__names")
        .select_related("institution")
        .get(pk=user.pk)
    )


def user_sessions(*, user: User) -> QuerySet[UserSession]:
    """The user's browser sessions that are still alive, the latest first."""
    alive = Session.objects.filter(expire_date__gt=timezone.now()).values("session_key")
    return UserSession.objects.filter(user=user, session_id__in=alive).order_by(
        "-last_seen_at", "-id"
    )


def user_session_get(*, user: User, pk: int | str) -> UserSession:
    try:
        return user_sessions(user=user).get(pk=pk)
    except (UserSession.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def user_tokens(*, user: User) -> QuerySet[ApiToken]:
    """The user's API tokens that have not expired, the latest first."""
    return ApiToken.objects.filter(user=user, expires_at__gt=timezone.now()).order_by(
        "-created_at", "-id"
    )


def user_token_get(*, user: User, pk: int | str) -> ApiToken:
    try:
        return user_tokens(user=user).get(pk=pk)
    except (ApiToken.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def user_devices(*, user: User) -> QuerySet[TOTPDevice]:
    devices: QuerySet[TOTPDevice] = TOTPDevice.objects.filter(user=user, confirmed=True)
    return devices.order_by("id")


def user_device_get(*, user: User, pk: int | str) -> TOTPDevice:
    try:
        return user_devices(user=user).get(pk=pk)
    except (TOTPDevice.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def recovery_codes_left(*, user: User) -> int:
    left: int = StaticToken.objects.filter(device__user=user, device__confirmed=True).count()
    return left


def security_notices(*, user: User, limit: int = 20) -> list[SecurityNotice]:
    return list(SecurityNotice.objects.filter(user=user)[:limit])


def security_notices_unread(*, user: User) -> int:
    return SecurityNotice.objects.filter(user=user, read_at__isnull=True).count()


def unit_choices(*, user: User) -> QuerySet[Unit]:
    """The units a user may pick in a form: all of them for a global scope, else the user's subtrees."""
    scope = scope_of(user)
    units = Unit.objects.filter(active=True).prefetch_related("names")
    return (
        units if scope.is_global else units.subtree(*Unit.objects.filter(path__in=scope.unit_paths))
    )
