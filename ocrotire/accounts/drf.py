"""The API's authentication and permission classes: expiring hashed tokens, sessions that passed
the second factor, and the membership and audit predicates as DRF permissions."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions
from rest_framework.request import Request

from ocrotire.accounts.permissions import can_view_audit, is_member, needs_second_factor
from ocrotire.accounts.services import api_token_user


class ExpiringTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request: Request) -> tuple[Any, str] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() not in (b"token", b"bearer"):
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("The Authorization header is malformed."))
        try:
            key = header[1].decode()
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed(
                _("The Authorization header is malformed.")
            ) from exc
        user = api_token_user(key=key)
        if user is None:
            raise exceptions.AuthenticationFailed(_("The token is not valid or has expired."))
        return user, key

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class VerifiedSessionAuthentication(authentication.SessionAuthentication):
    """A browser session counts only after its second factor, when one is required."""

    def authenticate(self, request: Request) -> tuple[Any, None] | None:
        http_request: HttpRequest = request._request
        user = getattr(http_request, "user", None)
        if not user or not user.is_active or not user.is_authenticated:
            return None
        is_verified = getattr(user, "is_verified", None)
        if needs_second_factor(user) and not (is_verified and is_verified()):
            return None
        self.enforce_csrf(request)
        return user, None


class IsMember(permissions.BasePermission):
    """Signed in, active and holding at least one role: deny by default."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return is_member(request.user)


class IsAuditor(permissions.BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        return can_view_audit(request.user)


# -- how the schema describes the two authentication classes --------------------------------------


class TokenScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    target_class = ExpiringTokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'Send "Token <key>" from POST /api/v1/auth/token/.',
        }


class SessionScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    target_class = VerifiedSessionAuthentication
    name = "cookieAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}
