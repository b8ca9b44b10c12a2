"""What every page shows about the signed-in account: unread security notices."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from ocrotire.accounts.selectors import security_notices_unread


def security_notices(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"security_notices_unread": security_notices_unread(user=user)}
