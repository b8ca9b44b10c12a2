"""Where the current request came from, so that audit rows can say it without services seeing requests."""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    ip: str | None = None
    request_id: str | None = None  # made by the server
    client_request_id: str | None = None  # what the client sent as X-Request-ID, if anything


_EMPTY = RequestContext()
_current: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar(
    "ocrotire_request_context", default=None
)


def current() -> RequestContext:
    return _current.get() or _EMPTY


@contextmanager
def bound(ctx: RequestContext) -> Iterator[None]:
    token = _current.set(ctx)
    try:
        yield
    finally:
        _current.reset(token)
