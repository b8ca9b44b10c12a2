"""Security notices: tell a user, in the app and by e-mail when configured, that something changed
in how their account signs in."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from ocrotire.accounts.models import SecurityNotice, SecurityNoticeKind, User


def _when(data: dict[str, Any]) -> str:
    try:
        at = datetime.fromisoformat(str(data.get("at", "")))
    except ValueError:
        return ""
    return formats.date_format(timezone.localtime(at), "DATETIME_FORMAT")


# One sentence per kind, registered beside the kinds (no chain of ifs elsewhere).
_SENTENCES: dict[str, Callable[[dict[str, Any]], str]] = {
    SecurityNoticeKind.DEVICE_ADDED: lambda d: (
        _(
            "A second-factor device named “%(device)s” was added to your account on %(at)s. "
            "If this was not you, tell an administrator at once."
        )
        % {"device": d.get("device", ""), "at": _when(d)}
    ),
    SecurityNoticeKind.DEVICE_REMOVED: lambda d: (
        _(
            "The second-factor device named “%(device)s” was removed from your account on %(at)s. "
            "If this was not you, tell an administrator at once."
        )
        % {"device": d.get("device", ""), "at": _when(d)}
    ),
    SecurityNoticeKind.DEVICES_RESET: lambda d: (
        _(
            "An administrator removed every second-factor device of your account on %(at)s and "
            "ended its sessions and API tokens; you will set up a new device at your next sign-in."
        )
        % {"at": _when(d)}
    ),
    SecurityNoticeKind.RECOVERY_CODES_MADE: lambda d: (
        _(
            "New recovery codes were made for your account on %(at)s; the earlier ones no longer work."
        )
        % {"at": _when(d)}
    ),
    SecurityNoticeKind.RECOVERY_CODE_USED: lambda d: (
        _(
            "A recovery code was used to sign in to your account on %(at)s; %(remaining)s unused "
            "codes are left. If this was not you, tell an administrator at once."
        )
        % {"at": _when(d), "remaining": d.get("remaining", 0)}
    ),
    SecurityNoticeKind.PASSWORD_CHANGED: lambda d: (
        _(
            "The password of your account was changed on %(at)s, and its other sessions and API "
            "tokens were ended. If this was not you, tell an administrator at once."
        )
        % {"at": _when(d)}
    ),
}


def notice_text(notice: SecurityNotice) -> str:
    sentence = _SENTENCES.get(notice.kind)
    return sentence(notice.data) if sentence else str(notice.get_kind_display())


def notice_send(
    *, user: User, kind: SecurityNoticeKind, data: dict[str, Any] | None = None
) -> None:
    """Write the notice in the caller's transaction; the e-mail goes after it commits."""
    notice = SecurityNotice.objects.create(
        user=user, kind=kind, data={"at": timezone.now().isoformat(), **(data or {})}
    )
    if settings.OCROTIRE_NOTIFY_EMAIL and user.email:
        transaction.on_commit(functools.partial(_mail, notice, user))


def _mail(notice: SecurityNotice, user: User) -> None:
    with translation.override(user.language or settings.LANGUAGE_CODE):
        text = notice_text(notice)
        send_mail(
            subject=_("Ocrotire: a change to how your account signs in"),
            message=text,
            from_email=None,
            recipient_list=[user.email],
            fail_silently=True,
        )
