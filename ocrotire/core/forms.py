"""What every app's pages share about forms."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError


def add_service_errors(form: Any, exc: ValidationError) -> None:
    """Show a service's refusal beside the form's fields (the rest above the form), so that
    nothing the user typed is lost."""
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    for field, texts in errors.items():
        form.add_error(field if field in form.fields else None, texts)
