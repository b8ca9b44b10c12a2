"""The names of the service needs an assessment records, from the country's catalogue: registered
with the cases app (`cases.needs`) in ProvidersConfig.ready(), so case pages show no code."""

from __future__ import annotations

from collections.abc import Iterable

from ocrotire.cases import needs
from ocrotire.providers.models import ServiceType


def need_names(country: str, codes: Iterable[str]) -> dict[str, str]:
    found = ServiceType.objects.filter(country=country.upper(), code__in=list(codes))
    return {service.code: service.label() for service in found}


def register_need_names() -> None:
    needs.register_namer("catalogue", need_names)
