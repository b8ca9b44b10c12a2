"""Reading forms: the version a case step shows now, and the forms a user may change."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from ocrotire.core.errors import NotFound
from ocrotire.dataforms.models import FormDefinition, FormVersion
from ocrotire.dataforms.permissions import form_countries


def form_version_current(*, country: str, step: str) -> FormVersion | None:
    """The newest version of the country's form of a case step, if the country has one."""
    return (
        FormVersion.objects.select_related("definition")
        .filter(definition__country=country.upper(), definition__step=step)
        .order_by("-number")
        .first()
    )


def form_version_latest(definition: FormDefinition) -> FormVersion | None:
    return definition.versions.order_by("-number").first()


def form_list(*, user: Any) -> QuerySet[FormDefinition]:
    """The forms the user may change, by country."""
    countries = form_countries(user)
    forms = FormDefinition.objects.order_by("country", "step", "code")
    return forms if countries is None else forms.filter(country__in=countries)


def form_get(*, user: Any, pk: int) -> FormDefinition:
    """A form the user may change; NotFound when it is missing or not theirs."""
    found = form_list(user=user).filter(pk=pk).first()
    if found is None:
        raise NotFound
    return found
