"""Domain exceptions: what a service or a view raises when it refuses, and how each is answered.

A service raises one of these; `api.errors.exception_handler` answers it for the API and
`core.forms.service_call` for pages, each in one place:

| Exception    | code                | API | Page                                           |
|--------------|---------------------|-----|------------------------------------------------|
| `NotFound`   | `not_found`         | 404 | Django's 404 page                              |
| `NotAllowed` | `permission_denied` | 403 | Django's 403 page                              |
| `Conflict`   | `conflict`          | 409 | the page's conflict sentence above the form, 409 |
| `Invalid`    | `invalid`           | 400 | the messages beside the form's fields          |

The class's `code` is the API envelope's `error.code`. Each extends the Django exception that already
means the same (`Http404`, `PermissionDenied`, `ValidationError`), so every `except Http404` or
`except ValidationError` keeps working, and one left uncaught in a page view is Django's 404 or
403 page, never a 500. A plain Django `ValidationError`, `Http404` or `PermissionDenied` is
answered as the domain exception it resembles.

`AppendOnly` is not a refusal but a programming error (code that tries to change the audit log);
nothing answers it, so it stays a 500.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.functional import Promise


class DomainError(Exception):
    """A refusal of the domain, answered by its `code`. Raise a subclass."""

    code = "error"


class NotFound(DomainError, Http404):
    """Missing, or not the actor's to see (the two look the same from outside)."""

    code = "not_found"


class NotAllowed(DomainError, PermissionDenied):
    """The actor may not do this. `reason`, a translated sentence, replaces the API's default
    message when given; the 403 page stays the same."""

    code = "permission_denied"

    def __init__(self, reason: str | Promise | None = None) -> None:
        super().__init__(*(() if reason is None else (reason,)))
        self.reason = reason


class Conflict(DomainError):
    """Someone changed the record since the actor read it (a stale version), or a concurrent
    change took the same place first; nothing was saved."""

    code = "conflict"


class Invalid(DomainError, ValidationError):
    """The input is refused: messages by field (`{"field": [...]}`), or a list of messages
    for the whole input, exactly as Django's `ValidationError` takes them."""

    # Django's ValidationError sets `code` on the instance (the code of a message), so the
    # domain code of an Invalid is read from its class: `type(exc).code`.
    code = "invalid"


class AppendOnly(RuntimeError):
    """Code tried to change or delete an audit row. A programming error, not a refusal of a
    user: nothing maps it, so it is a 500 and a traceback."""
