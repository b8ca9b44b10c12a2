"""Per-user language, and the two-factor gate in front of every page."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import translation

from ocrotire.accounts.permissions import needs_second_factor

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
    """A signed-in user's saved language wins over the browser's; it follows them between devices."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language in dict(settings.LANGUAGES):
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)


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
