"""Per-user language and time zone, the two-factor gate in front of every page, and the record of each
signed-in browser session."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone, translation

from ocrotire.accounts.permissions import is_member, needs_second_factor, scope_of
from ocrotire.accounts.security import session_touch
from ocrotire.core.context import current as request_context
from ocrotire.geo.calendars import calendar_of

# Paths a signed-in but not yet verified user may still reach.
_OPEN_PREFIXES = (
    "/accounts/login",
    "/accounts/two-factor/",
    "/accounts/logout/",
    "/accounts/language/",
    "/static/",
    "/healthz",
    "/api/",
    "/i18n/",
)


class UserLanguageMiddleware:
    """A signed-in user's saved language wins over the browser's; it follows them between devices.
    Times are shown, and typed times read, in the time zone of the user's country (its pack's
    calendar: a Kyrgyz worker's deadline ends at 23:59 in Bishkek, not in Chișinău); a user whose
    area spans countries, or none, keeps the server's."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        if user.language in dict(settings.LANGUAGES):
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        countries = scope_of(user).countries if is_member(user) else frozenset()
        if len(countries) != 1:
            return self.get_response(request)
        timezone.activate(calendar_of(next(iter(countries))).zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


class TwoFactorRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(_OPEN_PREFIXES)
            and not user.is_verified()
            and needs_second_factor(user)
        ):
            from django_otp import user_has_device

            name = (
                "accounts:otp-verify"
                if user_has_device(user, confirmed=True)
                else "accounts:otp-setup"
            )
            return HttpResponseRedirect(reverse(name))
        return self.get_response(request)


# The session remembers when it was last recorded, so that the record is written at most once a
# minute per session, not at every request.
_SEEN_KEY = "_ocrotire_seen"
_SEEN_EVERY_SECONDS = 60


class SessionRecordMiddleware:
    """Records each signed-in browser session (`UserSession`), so that its owner can list and end
    it and a password, role or policy change can end it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        if user is not None and user.is_authenticated and session is not None:
            key = session.session_key
            now = int(timezone.now().timestamp())
            seen = session.get(_SEEN_KEY)
            fresh = (
                isinstance(seen, list)
                and len(seen) == 2
                and seen[0] == key
                and now - int(seen[1]) < _SEEN_EVERY_SECONDS
            )
            if key and not fresh:
                session_touch(
                    user=user,
                    session_key=key,
                    ip=request_context().ip,
                    user_agent=request.META.get("HTTP_USER_AGENT", ""),
                )
                session[_SEEN_KEY] = [key, now]
        return self.get_response(request)
