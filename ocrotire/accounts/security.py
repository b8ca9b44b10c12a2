"""Writes about how a user signs in: second-factor devices, recovery codes, browser sessions, API
tokens and their revocation, password changes. Each is audited in its own transaction and, where
the owner should know, tells them (`accounts.notices`)."""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import secrets

from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django_otp.models import Device
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from ocrotire.accounts.models import ApiToken, SecurityNotice, SecurityNoticeKind, User, UserSession
from ocrotire.accounts.notices import notice_send
from ocrotire.core.audit import audit_record
from ocrotire.core.errors import NotAllowed
from ocrotire.core.models import AuditAction

RECOVERY_CODE_COUNT = 10
# 16 base32 letters (80 bits); only a digest is kept, so the codes cannot be read back.
_RECOVERY_CODE_BYTES = 10
_RECOVERY_DEVICE_NAME = "recovery codes"


def valid_ip(value: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address(value)) if value else None
    except ValueError:
        return None


def password_mark(user: User) -> str:
    """A keyed digest of the user's password hash, kept with each API token: a token stops
    counting as soon as the password changes, whichever way it was changed."""
    return salted_hmac("ocrotire.accounts.api-token", user.password, algorithm="sha256").hexdigest()


def _password_confirm(user: User, password: str | None, field: str = "password") -> None:
    if not password or not user.check_password(password):
        raise ValidationError({field: _("The password is not correct.")})


# --- sessions and tokens -------------------------------------------------------------------------


def session_touch(*, user: User, session_key: str, ip: str | None, user_agent: str) -> None:
    """Record a signed-in browser session, or note that it is still in use. Bookkeeping only (the
    sign-in itself is audited); a session ended meanwhile is simply not recorded."""
    now = timezone.now()
    try:
        with transaction.atomic():
            updated = UserSession.objects.filter(session_id=session_key, user=user).update(
                last_seen_at=now
            )
            if not updated and Session.objects.filter(session_key=session_key).exists():
                UserSession.objects.create(
                    session_id=session_key,
                    user=user,
                    created_at=now,
                    last_seen_at=now,
                    ip=valid_ip(ip),
                    user_agent=user_agent[:300],
                )
    except IntegrityError:
        return


def _credentials_end(*, user: User, keep_session_key: str | None = None) -> tuple[int, int]:
    """Delete the user's sessions (but the one kept) and API tokens; both count at once."""
    sessions = UserSession.objects.filter(user=user)
    if keep_session_key:
        sessions = sessions.exclude(session_id=keep_session_key)
    keys = list(sessions.values_list("session_id", flat=True))
    # Deleting the session rows takes their UserSession rows with them (cascade).
    ended = Session.objects.filter(session_key__in=keys).delete()[1].get("sessions.Session", 0)
    tokens = ApiToken.objects.filter(user=user).delete()[1].get("accounts.ApiToken", 0)
    return ended, tokens


@transaction.atomic
def user_credentials_end(
    *, actor: User | None, user: User, reason: str, keep_session_key: str | None = None
) -> tuple[int, int]:
    """End a user's other sessions and every API token (after a password, role, activity or
    policy change); audited when anything was ended. Returns (sessions, tokens) ended."""
    sessions, tokens = _credentials_end(user=user, keep_session_key=keep_session_key)
    if sessions or tokens:
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=user,
            changes={"credentials_ended": reason, "sessions": sessions, "tokens": tokens},
        )
    return sessions, tokens


@transaction.atomic
def api_token_revoke(*, actor: User, token: ApiToken) -> None:
    if token.user_id != actor.pk:
        raise NotAllowed
    pk = token.pk
    ApiToken.objects.filter(pk=pk).delete()
    audit_record(
        actor=actor,
        action=AuditAction.DELETE,
        object_type="accounts.apitoken",
        object_id=pk,
        object_repr=str(token),
        changes={"revoked": True},
    )


@transaction.atomic
def user_session_end(*, actor: User, session: UserSession) -> None:
    if session.user_id != actor.pk:
        raise NotAllowed
    pk = session.pk
    Session.objects.filter(session_key=session.session_id).delete()
    audit_record(
        actor=actor,
        action=AuditAction.DELETE,
        object_type="accounts.usersession",
        object_id=pk,
        object_repr=str(session),
        changes={"ended": True},
    )


# --- passwords -----------------------------------------------------------------------------------


@transaction.atomic
def user_password_change(
    *,
    actor: User,
    current_password: str,
    new_password: str,
    keep_session_key: str | None,
) -> None:
    """The user's own change: the current password again, the new one validated; every other
    session and every API token ends, the current session is kept."""
    _password_confirm(actor, current_password, field="current_password")
    try:
        validate_password(new_password, user=actor)
    except ValidationError as exc:
        raise ValidationError({"new_password": exc.messages}) from exc
    actor.set_password(new_password)
    actor.save(update_fields=["password"])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=actor, changes={"password": "changed"})
    user_credentials_end(
        actor=actor, user=actor, reason="password_changed", keep_session_key=keep_session_key
    )
    notice_send(user=actor, kind=SecurityNoticeKind.PASSWORD_CHANGED)


@transaction.atomic
def user_password_change_record(
    *, actor: User, user: User, keep_session_key: str | None = None
) -> None:
    """A password set by an administrator (in the admin): audited, the user's sessions (but the
    administrator's own current one) and tokens end, and the user is told."""
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=user,
        changes={"password": "changed by an administrator"},
    )
    user_credentials_end(
        actor=actor,
        user=user,
        reason="password_changed",
        keep_session_key=keep_session_key if actor.pk == user.pk else None,
    )
    notice_send(user=user, kind=SecurityNoticeKind.PASSWORD_CHANGED)


# --- second-factor devices -----------------------------------------------------------------------


def _has_confirmed_device(user: User) -> bool:
    found: bool = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    return found


@transaction.atomic
def totp_device_start(*, user: User) -> TOTPDevice:
    """An unconfirmed device for the set-up page; it counts only once a code from it is checked."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    device: TOTPDevice = TOTPDevice.objects.create(
        user=user, name=_("Authenticator app"), confirmed=False
    )
    return device


@transaction.atomic
def totp_device_confirm(
    *, user: User, device: TOTPDevice, otp: str, name: str = "", password: str | None = None
) -> list[str] | None:
    """Confirm a device with a code from it. A user who already has a device must give the
    password again (and the page asks for a verified session). Returns the recovery codes made
    with a first device ([] for a further device), None when the code is wrong."""
    locked = TOTPDevice.objects.select_for_update().filter(pk=device.pk).first()
    if locked is None or locked.user_id != user.pk or locked.confirmed:
        return None
    further = _has_confirmed_device(user)
    if further:
        _password_confirm(user, password)
    otp = (otp or "").strip().replace(" ", "")
    totp = TOTP(locked.bin_key, locked.step, locked.t0, locked.digits, locked.drift)
    if not otp.isdigit() or not totp.verify(int(otp), locked.tolerance):
        return None
    locked.confirmed = True
    locked.name = (name or "").strip()[:64] or locked.name
    locked.save(update_fields=["confirmed", "name"])
    audit_record(
        actor=user,
        action=AuditAction.MFA_ENROLLED,
        obj=user,
        changes={"device": locked.name, "device_id": locked.pk},
    )
    notice_send(user=user, kind=SecurityNoticeKind.DEVICE_ADDED, data={"device": locked.name})
    if further:
        return []
    return _recovery_codes_replace(user=user)


@transaction.atomic
def totp_device_remove(*, actor: User, device: TOTPDevice, password: str) -> None:
    """Remove one of one's devices (the page asks for a verified session). With the last one
    go the recovery codes."""
    if device.user_id != actor.pk:
        raise NotAllowed
    _password_confirm(actor, password)
    name, pk = device.name, device.pk
    TOTPDevice.objects.filter(pk=pk).delete()
    audit_record(
        actor=actor,
        action=AuditAction.DELETE,
        object_type="otp_totp.totpdevice",
        object_id=pk,
        object_repr=name[:200],
        changes={"user": actor.username, "device": name},
    )
    if not _has_confirmed_device(actor):
        StaticDevice.objects.filter(user=actor).delete()
    notice_send(user=actor, kind=SecurityNoticeKind.DEVICE_REMOVED, data={"device": name})


@transaction.atomic
def user_devices_reset(*, actor: User, user: User) -> None:
    """An administrator removes every second-factor device and recovery code of a user (who
    lost them), and ends that user's sessions and tokens."""
    names = sorted(
        TOTPDevice.objects.filter(user=user, confirmed=True).values_list("name", flat=True)
    )
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    sessions, tokens = _credentials_end(user=user, keep_session_key=None)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=user,
        changes={"mfa_devices_reset": names, "sessions": sessions, "tokens": tokens},
    )
    notice_send(user=user, kind=SecurityNoticeKind.DEVICES_RESET)


# --- recovery codes ------------------------------------------------------------------------------


def _recovery_digest(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()[:16]


def recovery_code_normalise(value: str) -> str:
    return "".join(ch for ch in (value or "").lower() if ch.isalnum())


def _recovery_codes_replace(*, user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=_RECOVERY_DEVICE_NAME, confirmed=True)
    codes = []
    for _i in range(RECOVERY_CODE_COUNT):
        code = base64.b32encode(secrets.token_bytes(_RECOVERY_CODE_BYTES)).decode().lower()
        StaticToken.objects.create(device=device, token=_recovery_digest(code))
        codes.append("-".join(code[i : i + 4] for i in range(0, len(code), 4)))
    audit_record(
        actor=user,
        action=AuditAction.UPDATE,
        obj=user,
        changes={"recovery_codes": "made", "count": RECOVERY_CODE_COUNT},
    )
    return codes


@transaction.atomic
def recovery_codes_make(*, actor: User, password: str) -> list[str]:
    """New single-use recovery codes for a user with a device (the earlier ones stop working);
    shown once, only their digests are kept."""
    _password_confirm(actor, password)
    if not _has_confirmed_device(actor):
        raise ValidationError(_("Set up an authenticator app first; recovery codes go with it."))
    codes = _recovery_codes_replace(user=actor)
    notice_send(user=actor, kind=SecurityNoticeKind.RECOVERY_CODES_MADE)
    return codes


def second_factor_match(*, user: User, otp: str) -> Device | None:
    """The device that accepts this code: a TOTP code of a confirmed authenticator, or an unused
    recovery code (used up here, audited, and the user told)."""
    digits = (otp or "").strip().replace(" ", "")
    if digits.isdigit():
        for device in TOTPDevice.objects.devices_for_user(user, confirmed=True):
            if device.verify_token(digits):
                return device
        return None
    code = recovery_code_normalise(otp)
    if len(code) != 16:
        return None
    with transaction.atomic():
        for static in StaticDevice.objects.devices_for_user(user, confirmed=True):
            allowed, _why = static.verify_is_allowed()
            if not allowed:
                continue
            # A conditional delete: of two requests with the same code, only one gets it.
            used = StaticToken.objects.filter(device=static, token=_recovery_digest(code)).delete()
            if not used[0]:
                static.throttle_increment()
                continue
            static.throttle_reset()
            remaining = StaticToken.objects.filter(device=static).count()
            audit_record(
                actor=user,
                action=AuditAction.UPDATE,
                obj=user,
                changes={"recovery_code": "used", "remaining": remaining},
            )
            notice_send(
                user=user,
                kind=SecurityNoticeKind.RECOVERY_CODE_USED,
                data={"remaining": remaining},
            )
            return static
    return None


# --- notices -------------------------------------------------------------------------------------


@transaction.atomic
def security_notices_read(*, actor: User) -> int:
    return SecurityNotice.objects.filter(user=actor, read_at__isnull=True).update(
        read_at=timezone.now()
    )
