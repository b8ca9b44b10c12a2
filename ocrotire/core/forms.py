"""What every app's pages share about forms."""

from __future__ import annotations

from datetime import date
from types import TracebackType
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.dateparse import parse_date
from django.utils.functional import Promise

from ocrotire.core.errors import Conflict


def add_service_errors(form: Any, exc: ValidationError) -> None:
    """Show a service's refusal beside the form's fields (the rest above the form), so that
    nothing the user typed is lost. A form whose fields are not named as the service's input
    says where each of those errors belongs in `service_fields` ({service name: field name})."""
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    aliases: dict[str, str] = getattr(form, "service_fields", {})
    for name, texts in errors.items():
        field = aliases.get(name, name)
        form.add_error(field if field in form.fields else None, texts)


def service_call(
    form: Any = None,
    *,
    request: HttpRequest | None = None,
    conflict: str | Promise | None = None,
) -> ServiceCall:
    """A page's call of a service, answered as every page answers it (see `ServiceCall`)."""
    return ServiceCall(form, request=request, conflict=conflict)


class ServiceCall:
    """A page's call of a service, answered as every page answers it:

    - `Invalid` (any `ValidationError`): the messages beside the form's fields (the rest above
      the form), or, with no form, one error message of them all;
    - `Conflict`: the page's `conflict` sentence above the form (or as an error message), and
      `call.status(...)` is 409; a page that gives no sentence lets the conflict through;
    - `NotAllowed`, `NotFound` and anything else pass through: Django's 403 and 404 pages.

    After the block, `call.ok` says whether the service succeeded::

        with service_call(form, conflict=CONFLICT) as call:
            services.thing_update(actor=user, ...)
        if call.ok:
            return redirect(...)
        return render(..., status=call.status(400))
    """

    def __init__(
        self,
        form: Any = None,
        *,
        request: HttpRequest | None = None,
        conflict: str | Promise | None = None,
    ) -> None:
        if form is None and request is None:
            raise TypeError("service_call needs a form or a request to show its errors on.")
        self.form = form
        self.request = request
        self.conflict_text = conflict
        self.error: Exception | None = None

    def __enter__(self) -> ServiceCall:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> bool:
        if isinstance(exc, Conflict) and self.conflict_text is not None:
            self.error = exc
            self._show(str(self.conflict_text))
            return True
        if isinstance(exc, ValidationError):
            self.error = exc
            if self.form is not None:
                add_service_errors(self.form, exc)
            else:
                self._show(" ".join(exc.messages))
            return True
        return False

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def conflict(self) -> bool:
        return isinstance(self.error, Conflict)

    def status(self, otherwise: int) -> int:
        """409 after a conflict, else the page's own status for the outcome."""
        return 409 if self.conflict else otherwise

    def _show(self, text: str) -> None:
        if self.form is not None:
            self.form.add_error(None, text)
        else:
            assert self.request is not None
            messages.error(self.request, text)


def query_date(value: str) -> date | None:
    """A day written in a page's query string (YYYY-MM-DD); None when it is absent, malformed or
    impossible (2024-13-45), as a filter left empty."""
    try:
        return parse_date(value[:10]) if value else None
    except ValueError:
        return None
