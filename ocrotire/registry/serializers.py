"""The person input of the API, shared by the registry's endpoints and by those that name a new
person inside another record (a child in a report)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from ocrotire.core.bounds import validate_birth_date
from ocrotire.geo.models import Unit
from ocrotire.registry import services
from ocrotire.registry.models import BirthDatePrecision, Displacement, IdentifierScheme, Sex


def unit_by_code(code: str | None, field: str) -> Unit | None:
    """The unit of this code, or None when no code is given; an unknown code is refused on `field`."""
    if not code:
        return None
    unit = Unit.objects.filter(code=code).first()
    if unit is None:
        raise ValidationError({field: [_("There is no unit with this code.")]})
    return unit


class IdentifierSerializer(serializers.Serializer[Any]):
    scheme = serializers.ChoiceField(choices=IdentifierScheme.choices)
    value = serializers.CharField(max_length=40)


class PersonInputSerializer(serializers.Serializer[Any]):
    given_name = serializers.CharField(max_length=120, required=False, allow_blank=True)
    family_name = serializers.CharField(max_length=120, required=False, allow_blank=True)
    patronymic = serializers.CharField(max_length=120, required=False, allow_blank=True)
    other_names = serializers.CharField(max_length=300, required=False, allow_blank=True)
    sex = serializers.ChoiceField(choices=Sex.choices, required=False, allow_blank=True)
    birth_date = serializers.DateField(
        required=False, allow_null=True, validators=[validate_birth_date]
    )
    birth_date_precision = serializers.ChoiceField(
        choices=BirthDatePrecision.choices, required=False
    )
    birth_date_estimated = serializers.BooleanField(required=False)
    identifiers = serializers.ListField(child=IdentifierSerializer(), required=False, max_length=10)
    unit = serializers.CharField(
        max_length=40,
        required=False,
        allow_null=True,
        allow_blank=True,
        help_text="Code of the unit of the address",
    )
    scope_unit = serializers.CharField(
        max_length=40,
        required=False,
        allow_null=True,
        allow_blank=True,
        help_text="Code of the responsible unit (defaults to the address unit)",
    )
    vulnerabilities = serializers.ListField(
        child=serializers.CharField(max_length=60), required=False, max_length=50
    )
    citizenship = serializers.CharField(
        max_length=2, min_length=2, required=False, allow_blank=True
    )
    displacement = serializers.ChoiceField(choices=Displacement.choices, required=False)
    disability = serializers.BooleanField(required=False, allow_null=True)
    disability_notes = serializers.CharField(max_length=300, required=False, allow_blank=True)
    languages = serializers.ListField(
        child=serializers.CharField(max_length=8), required=False, max_length=10
    )
    address = serializers.CharField(max_length=300, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)


def person_input(data: dict[str, Any]) -> services.PersonInput:
    """What the registry's services take, from the validated `PersonInputSerializer` data."""
    values = dict(data)
    values["unit"] = unit_by_code(values.get("unit"), "unit")
    values["scope_unit"] = unit_by_code(values.get("scope_unit"), "scope_unit")
    values["identifiers"] = [(i["scheme"], i["value"]) for i in values.get("identifiers", [])]
    return services.PersonInput(**values)
