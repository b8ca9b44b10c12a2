"""Idempotency-Key support: the same key and body give back the first result, never a second record."""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http.request import RawPostDataException
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from ocrotire.api.errors import error_body
from ocrotire.api.models import IdempotencyRecord

F = TypeVar("F", bound=Callable[..., Response])


def _user(request: Request) -> Any:
    """The signed-in user; the view's permission classes have already let them in."""
    user = request.user
    if user is None or not user.is_authenticated:
        raise PermissionDenied
    return user


def _replay(record: IdempotencyRecord, digest: str) -> Response:
    if record.body_digest != digest:
        return Response(
            error_body(
                "idempotency_key_reused",
                _("This Idempotency-Key was already used with a different request."),
            ),
            status=status.HTTP_422_UNPROCESSABLE_ENTITY,
        )
    response = Response(record.response, status=record.status_code)
    response["Idempotent-Replayed"] = "true"
    return response


def _body(request: Request) -> bytes:
    """The request's body, or for a multipart upload whose stream was already read, its fields
    and the digests of its files, in a fixed order."""
    try:
        return bytes(request.body)
    except RawPostDataException:
        pass
    parts = []
    data = request.data
    for key in sorted(data.keys()):
        values = data.getlist(key) if hasattr(data, "getlist") else [data[key]]
        for value in values:
            if hasattr(value, "chunks"):
                file_digest = hashlib.sha256()
                for chunk in value.chunks():
                    file_digest.update(chunk)
                value.seek(0)
                parts.append(f"{key}=file:{file_digest.hexdigest()}")
            else:
                parts.append(f"{key}={value}")
    return "\n".join(parts).encode()


def idempotent(handler: F) -> F:
    @functools.wraps(handler)
    def wrapper(view: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        key = request.headers.get("Idempotency-Key", "").strip()
        if not key:
            return handler(view, request, *args, **kwargs)
        if len(key) > 200:
            return Response(
                error_body(
                    "invalid",
                    _("The Idempotency-Key header is too long."),
                    {"Idempotency-Key": [_("At most 200 characters.")]},
                ),
                status=status.HTTP_400_BAD_REQUEST,
            )
        digest = hashlib.sha256(
            (request.method or "").encode() + b" " + request.path.encode() + b"\n" + _body(request)
        ).hexdigest()
        existing = IdempotencyRecord.objects.filter(user=_user(request), key=key).first()
        if existing is not None:
            return _replay(existing, digest)
        try:
            with transaction.atomic():
                response = handler(view, request, *args, **kwargs)
                if 200 <= response.status_code < 300:
                    IdempotencyRecord.objects.create(
                        user=_user(request),
                        key=key,
                        method=request.method or "",
                        path=request.path[:300],
                        body_digest=digest,
                        status_code=response.status_code,
                        # As the client received it (dates and decimals as JSON writes them).
                        response=json.loads(JSONRenderer().render(response.data)),
                    )
        except IntegrityError:
            # A concurrent request with the same key committed first: our work was rolled back.
            existing = IdempotencyRecord.objects.filter(user=_user(request), key=key).first()
            if existing is None:
                raise
            return _replay(existing, digest)
        return response

    return wrapper  # type: ignore[return-value]
