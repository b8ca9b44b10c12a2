"""Builders of the test territory (tests and module-scoped test worlds call them)."""

from __future__ import annotations

from ocrotire.geo.models import Unit
from ocrotire.geo.services import UnitSpec, unit_upsert

TERRITORY = [
    UnitSpec("MD", "country", "Republica Moldova", iso_code="MD"),
    UnitSpec(
        "MD-CU",
        "municipality",
        "municipiul Chișinău",
        "MD",
        iso_code="MD-CU",
        is_urban=True,
        names={"ru": "муниципий Кишинёв"},
    ),
    UnitSpec("MD-CU-BOT", "sector", "Botanica", "MD-CU", is_urban=True, names={"ru": "Ботаника"}),
    UnitSpec("MD-CU-BOT-SIN", "town", "Sîngera", "MD-CU-BOT", is_urban=True),
    UnitSpec("MD-CU-CEN", "sector", "Centru", "MD-CU", is_urban=True),
    UnitSpec("UA", "country", "Україна", iso_code="UA"),
    UnitSpec("UA-74", "region", "Чернігівська область", "UA", iso_code="UA-74"),
]


def territory_build() -> dict[str, Unit]:
    """MD → Chișinău → Botanica (→ Sîngera), Centru; and UA → Chernihiv oblast."""
    return {spec.code: unit_upsert(actor=None, spec=spec)[0] for spec in TERRITORY}
