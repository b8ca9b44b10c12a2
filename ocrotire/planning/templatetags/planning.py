"""Small filters of the plan's pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils.formats import number_format

from ocrotire.planning.models import ProgressStatus

register = template.Library()


@register.filter
def get(mapping: Any, key: Any) -> Any:
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def money(value: Any) -> str:
    """An amount with the reader's thousands separator and no needless decimals."""
    if value in (None, ""):
        return ""
    amount = Decimal(value)
    places = 0 if amount == amount.to_integral() else 2
    return number_format(amount, places, use_l10n=True, force_grouping=True)


@register.filter
def status_label(value: str) -> str:
    try:
        return str(ProgressStatus(value).label)
    except ValueError:
        return value
