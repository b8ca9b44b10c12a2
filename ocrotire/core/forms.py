"""What every app's pages share about forms."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.dateparse import parse_date


def add_service_errors(form: Any, exc: ValidationError) -> None:
    """Show a service's refusal beside the form's fields (the rest above the form), so that
    nothing the user typed is lost."""
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    for field, texts in errors.items():
        form.add_error(field if field in form.fields else None, texts)


def query_date(value: str) -> date | None:
    """A day written in a page's query string (YYYY-MM-DD); None when it is absent, malformed or
    impossible (2024-13-45), as a filter left empty."""
    try:
        return parse_date(value[:10]) if value else None
    except ValueError:
        return None
