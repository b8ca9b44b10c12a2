"""What the provider endpoints share: the id bound, the version field, look-ups by code."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from ocrotire.geo.models import Unit
from ocrotire.providers.models import ServiceType

MAX_ID = 2**63 - 1


class _Version(serializers.IntegerField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", "The version you read; a newer one means a conflict (409)")
        super().__init__(min_value=0, max_value=2**31 - 1, **kwargs)


def _unit(code: str, field: str = "unit") -> Unit:
    found = Unit.objects.filter(code=code).first()
    if found is None:
        raise ValidationError({field: [_("There is no unit with this code.")]})
    return found


def _service_type(country: str, code: str) -> ServiceType:
    found = ServiceType.objects.filter(country=country, code=code).first()
    if found is None:
        raise ValidationError(
            {"service_type": [_("This service is not in the catalogue of the unit's country.")]}
        )
    return found


def _service_code(code: str) -> str:
    """A catalogue code known in some country ('' when none was asked for)."""
    if code and not ServiceType.objects.filter(code=code).exists():
        raise ValidationError({"service_type": [_("Unknown service.")]})
    return code
