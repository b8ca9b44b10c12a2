"""Who may change a country's forms: an administrator, or the head of a directorate of that
country (the directorate's own forms are its country's)."""

from __future__ import annotations

from typing import Any

from ocrotire.accounts.models import RoleCode
from ocrotire.accounts.permissions import has_role


def form_countries(user: Any) -> frozenset[str] | None:
    """The countries whose forms the user may change; None for every country."""
    if has_role(user, RoleCode.ADMINISTRATOR):
        return None
    if not has_role(user, RoleCode.HEAD):
        return frozenset()
    return frozenset(user.units.values_list("country", flat=True))


def can_edit_forms(user: Any, country: str | None = None) -> bool:
    countries = form_countries(user)
    if countries is None:
        return True
    return bool(countries) if country is None else country.upper() in countries
