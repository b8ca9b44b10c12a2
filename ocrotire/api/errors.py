"""Every API error has one shape: {"error": {"code", "message", "fields"}}."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from ocrotire.core.errors import Conflict, DomainError, Invalid, NotAllowed, NotFound


class ConflictException(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = (
        "The record was changed by someone else since you read it. Reload it and try again."
    )


def _flatten(detail: Any) -> Any:
    if isinstance(detail, list):
        return [_flatten(item) for item in detail]
    if isinstance(detail, dict):
        return {key: _flatten(value) for key, value in detail.items()}
    return str(detail)


def error_body(code: str, message: str, fields: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def _invalid(exc: Exception) -> exceptions.APIException:
    if not isinstance(exc, DjangoValidationError):
        return exceptions.ValidationError(detail={"non_field_errors": [str(exc)]})
    detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
    return exceptions.ValidationError(detail=detail)


def _not_found(exc: Exception) -> exceptions.APIException:
    return exceptions.NotFound(_("Not found."))


def _not_allowed(exc: Exception) -> exceptions.APIException:
    reason = getattr(exc, "reason", None)
    return exceptions.PermissionDenied(None if reason is None else str(reason))


def _conflict(exc: Exception) -> exceptions.APIException:
    return ConflictException(
        _("The record was changed by someone else since you read it. Reload it and try again.")
    )


# A domain error's code → DRF's exception of its status (400, 404, 403, 409).
BY_CODE: dict[str, Callable[[Exception], exceptions.APIException]] = {
    Invalid.code: _invalid,
    NotFound.code: _not_found,
    NotAllowed.code: _not_allowed,
    Conflict.code: _conflict,
}


def domain_code(exc: Exception) -> str | None:
    """The code of a domain error; Django's own ValidationError, Http404 and PermissionDenied
    count as the domain errors that extend them. None for anything else."""
    if isinstance(exc, DomainError):
        return type(exc).code  # Invalid's instance `code` is Django's code of its message
    if isinstance(exc, DjangoValidationError):
        return Invalid.code
    if isinstance(exc, Http404):
        return NotFound.code
    if isinstance(exc, PermissionDenied):
        return NotAllowed.code
    return None


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    code = domain_code(exc)
    if code in BY_CODE:
        exc = BY_CODE[code](exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    assert isinstance(exc, exceptions.APIException)
    if isinstance(exc, exceptions.ValidationError):
        fields = (
            _flatten(exc.detail)
            if isinstance(exc.detail, dict)
            else {"non_field_errors": _flatten(exc.detail)}
        )
        response.data = error_body("invalid", _("The request has invalid fields."), fields)
    else:
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else exc.default_code
        response.data = error_body(str(code), str(exc.detail))
    return response
