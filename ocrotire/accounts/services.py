"""Writes about people who work in the system: sign-in with throttling, tokens, users, institutions."""

from __future__ import annotations

import hashlib
import math
import secrets
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.hashers import check_password, get_hasher, make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django_otp.models import Device

from ocrotire.accounts.models import ApiToken, Institution, Role, RoleCode, SignInThrottle, User
from ocrotire.accounts.permissions import can_create_institution, can_edit_institution, scope_of
from ocrotire.accounts.security import (
    password_mark,
    second_factor_match,
    user_credentials_end,
    valid_ip,
)
from ocrotire.core import context
from ocrotire.core.audit import audit_record, diff
from ocrotire.core.context import current as request_context
from ocrotire.core.errors import Conflict, NotAllowed
from ocrotire.core.models import AuditAction
from ocrotire.geo.models import Unit

# Roles that see case data: two-factor sign-in is mandatory for them unless an administrator says otherwise.
CASE_DATA_ROLES = {
    RoleCode.ADMINISTRATOR,
    RoleCode.SPECIALIST,
    RoleCode.SUPERVISOR,
    RoleCode.HEAD,
    RoleCode.AUDITOR,
    RoleCode.COMMUNITY_WORKER,
    RoleCode.PROVIDER,
}


class AuthenticationFailed(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class SignIn:
    user: User
    needs_otp: bool


def roles_ensure() -> None:
    """Make sure every role exists; existing policy is left as the administrator set it."""
    for code in RoleCode.values:
        Role.objects.get_or_create(
            code=code,
            defaults={
                "sees_case_data": code in CASE_DATA_ROLES,
                "mfa_required": code in CASE_DATA_ROLES,
            },
        )


@transaction.atomic
def role_policy_set(
    *, actor: User | None, role: Role, mfa_required: bool, keep_session_key: str | None = None
) -> Role:
    if role.mfa_required == mfa_required:
        return role
    before = {"mfa_required": role.mfa_required}
    role.mfa_required = mfa_required
    role.save(update_fields=["mfa_required"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=role,
        changes=diff(role, before, ["mfa_required"]),
    )
    if mfa_required:
        # Tokens and sessions got without the second factor must not outlive the new policy.
        for user in User.objects.filter(roles=role):
            user_credentials_end(
                actor=actor,
                user=user,
                reason="second_factor_required",
                keep_session_key=keep_session_key if actor and user.pk == actor.pk else None,
            )
    return role


def _locked(user: User) -> bool:
    # Set by an administrator in the admin: the account refuses sign-in, with the same answer as a
    # wrong password (a distinct answer would tell a stranger the account exists).
    return user.locked_until is not None and user.locked_until > timezone.now()


# Argon2 takes about 100 MB for each password it checks: with several threads per web worker
# signing people in at once, that is what set the peak memory of a worker (about 500 MB with four
# at once). One check at a time per process keeps a worker near 200 MB; the others wait their
# turn, a fraction of a second each.
_PASSWORD_CHECKS = threading.BoundedSemaphore(1)
_DUMMY_HASHES: dict[str, str] = {}


class SignInThrottled(AuthenticationFailed):
    """Too many failed sign-ins for this name from this address, or from this address at all."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            "too_many_attempts",
            _("There were too many failed sign-ins. Wait a few minutes and try again."),
        )
        self.retry_after = retry_after


def _dummy_hash() -> str:
    """A hash of a random password, made once per hasher: an unknown name costs the same
    password check as a known one, so the time taken does not tell which names exist."""
    algorithm = str(get_hasher().algorithm)
    if algorithm not in _DUMMY_HASHES:
        _DUMMY_HASHES[algorithm] = make_password(secrets.token_urlsafe(24))
    return _DUMMY_HASHES[algorithm]


def _throttle_keys(username: str) -> dict[str, str]:
    # The address is the one the request context holds (core.middleware.client_ip), as in audit rows.
    address = (context.current().ip or "unknown")[:64]
    name = username.strip().casefold()
    pair = hashlib.sha256(f"{name}\n{address}".encode()).hexdigest()
    return {
        SignInThrottle.Scope.ADDRESS: address,
        SignInThrottle.Scope.NAME_ADDRESS: pair,
        SignInThrottle.Scope.NAME: hashlib.sha256(name.encode()).hexdigest(),
        SignInThrottle.Scope.KNOWN_ADDRESS: pair,
    }


def signin_retry_after(*, username: str) -> int | None:
    """Seconds until this user name may be tried again from the current address, or None."""
    now = timezone.now()
    keys = _throttle_keys(username)
    wanted = Q()
    for scope, key in keys.items():
        wanted |= Q(scope=scope, key=key)
    rows = dict(
        SignInThrottle.objects.filter(wanted)
        .filter(Q(blocked_until__gt=now) | Q(scope=SignInThrottle.Scope.KNOWN_ADDRESS))
        .values_list("scope", "blocked_until")
    )
    if SignInThrottle.Scope.KNOWN_ADDRESS in rows:
        # The name signed in from here before: guesses from elsewhere do not shut it out, nor
        # other names' failures from this address (colleagues behind one office address); its
        # own count at this address still holds.
        rows.pop(SignInThrottle.Scope.NAME, None)
        rows.pop(SignInThrottle.Scope.ADDRESS, None)
    rows.pop(SignInThrottle.Scope.KNOWN_ADDRESS, None)
    until = max((u for u in rows.values() if u is not None), default=None)
    if until is None:
        return None
    return max(1, math.ceil((until - now).total_seconds()))


def credentials_check(*, username: str, password: str) -> SignIn:
    """Check a user name and password. Unknown names, wrong passwords and accounts that may not
    sign in get the same answer after the same password check; a name or address with too many
    recent failures is refused before any check (`SignInThrottled`)."""
    retry_after = signin_retry_after(username=username)
    if retry_after is not None:
        raise SignInThrottled(retry_after)
    user = User.objects.filter(username=username).first()
    with _PASSWORD_CHECKS:
        if user is None:
            check_password(password, _dummy_hash())
            authenticated = None
        else:
            authenticated = authenticate(username=username, password=password)
    if authenticated is None or user is None or _locked(user):
        login_failure_record(user=user, username=username)
        raise AuthenticationFailed(
            "invalid_credentials", _("The user name or password is not correct.")
        )
    from ocrotire.accounts.permissions import needs_second_factor

    assert isinstance(authenticated, User)
    return SignIn(user=authenticated, needs_otp=needs_second_factor(authenticated))


def _failure_count(
    *, scope: str, key: str, limit: int, now: datetime, window: timedelta
) -> SignInThrottle | None:
    """Count one failure for this key; the row if it has just reached its limit."""
    row, _created = SignInThrottle.objects.select_for_update().get_or_create(
        scope=scope, key=key, defaults={"window_started_at": now}
    )
    if row.window_started_at <= now - window:
        row.failures = 0
        row.window_started_at = now
    row.failures += 1
    reached = row.failures >= limit and not (row.blocked_until and row.blocked_until > now)
    if reached:
        row.blocked_until = now + window
    row.save(update_fields=["failures", "window_started_at", "blocked_until"])
    return row if reached else None


def login_failure_record(*, user: User | None, username: str = "") -> None:
    """A wrong password or second-factor code for `user` (None: a name no account has), from the
    current address: counted for the name at that address, for the address and for the name,
    audited, and throttled past the limits. The name's own limit never holds at an address it
    has signed in from, so a stranger cannot lock its owner out from elsewhere."""
    now = timezone.now()
    window = timedelta(minutes=settings.OCROTIRE_LOCKOUT_MINUTES)
    _failures_count(user=user, username=username, now=now, window=window)
    # Counts from long ago are of no use. Rows another sign-in holds are skipped, not waited for:
    # a delete that waited while holding its own row locks could deadlock with that sign-in.
    with transaction.atomic():
        old = (
            SignInThrottle.objects.filter(window_started_at__lt=now - 2 * window)
            .filter(Q(blocked_until__isnull=True) | Q(blocked_until__lt=now))
            .exclude(scope=SignInThrottle.Scope.KNOWN_ADDRESS)
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:500]
        )
        SignInThrottle.objects.filter(pk__in=list(old)).delete()


@transaction.atomic
def _failures_count(*, user: User | None, username: str, now: datetime, window: timedelta) -> None:
    # Rows are locked in one order (the scopes', then the user's), so two sign-ins never wait
    # for each other in a cycle.
    name = user.get_username() if user is not None else username
    keys = _throttle_keys(name)
    limits = {
        SignInThrottle.Scope.NAME_ADDRESS: settings.OCROTIRE_LOCKOUT_ATTEMPTS,
        SignInThrottle.Scope.ADDRESS: settings.OCROTIRE_SIGNIN_ADDRESS_LIMIT,
        SignInThrottle.Scope.NAME: settings.OCROTIRE_SIGNIN_NAME_LIMIT,
    }
    reached = {
        scope: _failure_count(scope=scope, key=keys[scope], limit=limit, now=now, window=window)
        for scope, limit in limits.items()
    }
    if user is None:
        audit_record(
            actor=None,
            actor_username=name[:150],
            action=AuditAction.LOGIN_FAILED,
            object_type="accounts.user",
            changes={"reason": "unknown_user"},
        )
    else:
        # Kept on the user for the administrator's information; it locks nothing.
        User.objects.filter(pk=user.pk, last_failed_login_at__lt=now - window).update(
            failed_logins=0
        )
        User.objects.filter(pk=user.pk).update(
            failed_logins=F("failed_logins") + 1, last_failed_login_at=now
        )
        user.refresh_from_db(fields=["failed_logins"])
        audit_record(
            actor=user,
            action=AuditAction.LOGIN_FAILED,
            obj=user,
            changes={"failed_logins": user.failed_logins},
        )
    for scope, row in reached.items():
        if row is None:
            continue
        # The row's address is the (last) throttled one; a throttled name is named too.
        named = scope != SignInThrottle.Scope.ADDRESS
        audit_record(
            actor=None,
            actor_username=name[:150] if named else "",
            action=AuditAction.THROTTLED,
            object_type="accounts.user" if named else "",
            object_id=user.pk if named and user is not None else "",
            changes={"scope": scope, "failures": row.failures, "until": row.blocked_until},
        )


@transaction.atomic
def login_success_record(*, user: User, channel: str) -> None:
    User.objects.filter(pk=user.pk).update(
        failed_logins=0, locked_until=None, last_login=timezone.now()
    )
    # The name's count at this address starts again, and the address becomes one the name is
    # known at; the address's own count and the name's count from anywhere stay.
    keys = _throttle_keys(user.get_username())
    SignInThrottle.objects.filter(
        scope=SignInThrottle.Scope.NAME_ADDRESS, key=keys[SignInThrottle.Scope.NAME_ADDRESS]
    ).delete()
    SignInThrottle.objects.update_or_create(
        scope=SignInThrottle.Scope.KNOWN_ADDRESS,
        key=keys[SignInThrottle.Scope.KNOWN_ADDRESS],
        defaults={"window_started_at": timezone.now()},
    )
    audit_record(actor=user, action=AuditAction.LOGIN, obj=user, changes={"channel": channel})


def otp_check(*, user: User, otp: str) -> Device | None:
    """The confirmed device that accepts this code, or None (a wrong code counts as a failure)."""
    if signin_retry_after(username=user.get_username()) is not None:
        return None  # throttled: no code is even tried
    device = second_factor_match(user=user, otp=otp)
    if device is None:
        login_failure_record(user=user)
    return device


@transaction.atomic
def api_token_issue(*, user: User, user_agent: str = "") -> str:
    key = secrets.token_urlsafe(32)
    ApiToken.objects.create(
        user=user,
        digest=hashlib.sha256(key.encode()).hexdigest(),
        expires_at=timezone.now() + timedelta(hours=settings.OCROTIRE_TOKEN_TTL_HOURS),
        ip=valid_ip(request_context().ip),
        user_agent=user_agent[:300],
        password_mark=password_mark(user),
    )
    login_success_record(user=user, channel="api")
    return key


def api_token_user(*, key: str) -> User | None:
    digest = hashlib.sha256(key.encode()).hexdigest()
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=digest, expires_at__gt=timezone.now())
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    if not constant_time_compare(token.password_mark, password_mark(token.user)):
        # The password changed since (by whatever path: a page, the admin, a command).
        return None
    # Noted at most once a minute, for the owner's list of tokens.
    now = timezone.now()
    if token.last_used_at is None or token.last_used_at < now - timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def api_token_of(*, key: str) -> ApiToken | None:
    digest = hashlib.sha256(key.encode()).hexdigest()
    return ApiToken.objects.filter(digest=digest).first()


@transaction.atomic
def user_language_set(*, actor: User, language: str) -> None:
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("This language is not available.")})
    if actor.language != language:
        before = {"language": actor.language}
        actor.language = language
        User.objects.filter(pk=actor.pk).update(language=language, version=F("version") + 1)
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=actor,
            changes=diff(actor, before, ["language"]),
        )


def _units_in_scope(*, actor: User, units: Iterable[Unit]) -> list[Unit]:
    units = list(units)
    scope = scope_of(actor)
    outside = [u.code for u in units if not scope.covers_path(u.path)]
    if outside:
        raise ValidationError(
            {
                "units": _("These units are outside your area: %(codes)s.")
                % {"codes": ", ".join(outside)}
            }
        )
    if not units:
        raise ValidationError({"units": _("Name at least one unit that the institution serves.")})
    return units


def _institution_insert(
    *, actor: User | None, institution: Institution, units: list[Unit]
) -> Institution:
    institution.full_clean()
    institution.save(force_insert=True)
    institution.units.set(units)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=institution,
        changes={
            "name": institution.name,
            "abbreviation": institution.abbreviation,
            "kind": institution.kind,
            "country": institution.country,
            "units": sorted(u.code for u in units),
            "parent": institution.parent_id,
            "name_verified": institution.name_verified,
        },
    )
    return institution


@transaction.atomic
def institution_create(
    *,
    actor: User,
    name: str,
    kind: str,
    units: Iterable[Unit],
    abbreviation: str = "",
    parent: Institution | None = None,
    name_verified: bool = True,
) -> Institution:
    if not can_create_institution(actor):
        raise NotAllowed
    unit_list = _units_in_scope(actor=actor, units=units)
    countries = {u.country for u in unit_list}
    if len(countries) != 1:
        raise ValidationError({"units": _("An institution serves units of one country only.")})
    institution = Institution(
        name=name.strip(),
        abbreviation=abbreviation.strip(),
        kind=kind,
        country=countries.pop(),
        parent=parent,
        name_verified=name_verified,
    )
    return _institution_insert(actor=actor, institution=institution, units=unit_list)


@transaction.atomic
def institution_update(
    *, actor: User, institution: Institution, version: int, **changes: Any
) -> Institution:
    """Apply `changes` if nobody else saved the institution since `version` was read."""
    if not can_edit_institution(actor, institution):
        raise NotAllowed
    locked = Institution.objects.select_for_update().get(pk=institution.pk)
    if locked.version != version:
        raise Conflict
    units = changes.pop("units", None)
    fields = [
        f for f in ("name", "abbreviation", "kind", "active", "name_verified") if f in changes
    ]
    before = {f: getattr(locked, f) for f in fields}
    for field in fields:
        value = changes[field]
        setattr(locked, field, value.strip() if isinstance(value, str) else value)
    changed = diff(locked, before, fields)
    if units is not None:
        unit_list = _units_in_scope(actor=actor, units=units)
        if {u.country for u in unit_list} != {locked.country}:
            raise ValidationError({"units": _("An institution serves units of one country only.")})
        old_codes = sorted(locked.units.values_list("code", flat=True))
        new_codes = sorted(u.code for u in unit_list)
        if old_codes != new_codes:
            locked.units.set(unit_list)
            changed["units"] = [old_codes, new_codes]
    if not changed:
        return locked
    locked.full_clean()
    locked.version = F("version") + 1
    locked.save(update_fields=[*[f for f in fields if f in changed], "version", "updated_at"])
    locked.refresh_from_db()
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=locked, changes=changed)
    return locked


@transaction.atomic
def user_upsert(
    *,
    actor: User | None,
    username: str,
    password: str | None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    roles: Iterable[str] = (),
    units: Iterable[Unit] = (),
    institution: Institution | None = None,
    language: str = "ro",
    is_staff: bool = False,
    is_superuser: bool = False,
) -> tuple[User, bool]:
    """Create or update a user by user name. A password is set only when the user is new."""
    user = User.objects.select_for_update().filter(username=username).first()
    created = user is None
    if user is None:
        user = User(username=username)
    fields = {
        "first_name": first_name,
        "last_name": last_name,
        "email": email,
        "institution_id": institution.pk if institution else None,
        "language": language,
        "is_staff": is_staff,
        "is_superuser": is_superuser,
    }
    before = {f: getattr(user, f) for f in fields}
    for field, value in fields.items():
        setattr(user, field, value)
    changed = diff(user, before, fields.keys())
    if created:
        user.set_password(password) if password else user.set_unusable_password()
        user.full_clean(exclude=["password"])
        user.save()
    elif changed:
        user.save(update_fields=list(changed))
    role_objs = list(Role.objects.filter(code__in=list(roles)))
    unit_list = list(units)
    old_roles = sorted(user.roles.values_list("code", flat=True))
    old_units = sorted(user.units.values_list("code", flat=True))
    if old_roles != sorted(r.code for r in role_objs):
        user.roles.set(role_objs)
        changed["roles"] = [old_roles, sorted(r.code for r in role_objs)]
        if not created:
            user_credentials_end(actor=actor, user=user, reason="roles_changed")
    if old_units != sorted(u.code for u in unit_list):
        user.units.set(unit_list)
        changed["units"] = [old_units, sorted(u.code for u in unit_list)]
    if created:
        audit_record(
            actor=actor, action=AuditAction.CREATE, obj=user, changes={**fields, **changed}
        )
    elif changed:
        audit_record(actor=actor, action=AuditAction.UPDATE, obj=user, changes=changed)
    return user, created


@transaction.atomic
def institution_upsert_reference(
    *,
    actor: User | None,
    country: str,
    abbreviation: str,
    name: str,
    kind: str,
    unit_codes: list[str],
    parent: Institution | None = None,
    name_verified: bool = True,
) -> tuple[Institution, str]:
    """Bring a reference institution (from a pack or the demo) in line with the data; keyed by
    country and abbreviation, or by name when there is none. Only real changes are audited."""
    units = list(Unit.objects.filter(code__in=unit_codes))
    missing = set(unit_codes) - {u.code for u in units}
    if missing:
        raise ValidationError({"units": f"Unknown unit codes: {sorted(missing)}"})
    lookup = {"abbreviation": abbreviation} if abbreviation else {"abbreviation": "", "name": name}
    institution = Institution.objects.select_for_update().filter(country=country, **lookup).first()
    values: dict[str, Any] = {
        "name": name,
        "kind": kind,
        "parent_id": parent.pk if parent else None,
        "name_verified": name_verified,
    }
    if institution is None:
        institution = Institution(country=country, abbreviation=abbreviation, **values)
        _institution_insert(actor=actor, institution=institution, units=units)
        return institution, "created"
    before = {k: getattr(institution, k) for k in values}
    for key, value in values.items():
        setattr(institution, key, value)
    changed = diff(institution, before, values.keys())
    old_codes = sorted(institution.units.values_list("code", flat=True))
    if old_codes != sorted(unit_codes):
        institution.units.set(units)
        changed["units"] = [old_codes, sorted(unit_codes)]
    if not changed:
        return institution, "unchanged"
    institution.full_clean()
    institution.version = F("version") + 1
    institution.save(update_fields=[*[k for k in values if k in changed], "version", "updated_at"])
    institution.refresh_from_db()
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=institution, changes=changed)
    return institution, "updated"
