"""Invented children for the demo's providers and placements: names of the country, units of
the area, ages in a range, refugees among them when asked; the same ones on every load."""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from ocrotire.accounts.models import User
from ocrotire.geo.models import Unit
from ocrotire.registry.models import Person
from ocrotire.registry.services import PersonInput, person_create

SECTORS = ("MD-CU-BOT", "MD-CU-BUI", "MD-CU-CEN", "MD-CU-CIO", "MD-CU-RIS")
GIVEN = {
    "F": ["Ana", "Maria", "Elena", "Cristina", "Daniela", "Victoria", "Alexandra", "Sofia"],
    "M": ["Ion", "Andrei", "Mihai", "Vasile", "Nicolae", "Alexandru", "Daniel", "Artiom"],
}
FAMILY = ["Rusu", "Ceban", "Munteanu", "Lungu", "Cojocaru", "Popa", "Ciobanu", "Botnaru"]
REFUGEE_GIVEN = {"F": ["Oleksandra", "Iryna"], "M": ["Bohdan", "Dmytro"]}
REFUGEE_FAMILY = ["Kovalenko", "Shevchenko", "Bondarenko"]


class DemoChildren:
    """Invented children of the demo, with names of the country and units of the area."""

    def __init__(
        self,
        actor: User,
        seed: int = 2024,
        *,
        units: tuple[str, ...] = SECTORS,
        given: dict[str, list[str]] = GIVEN,
        family: list[str] | dict[str, list[str]] = FAMILY,
        citizenship: str = "MD",
    ) -> None:
        self.actor = actor
        self.rng = random.Random(seed)  # noqa: S311 - invented demo names
        self.codes = units
        self.units = {u.code: u for u in Unit.objects.filter(code__in=units)}
        self.given = given
        self.family = family
        self.citizenship = citizenship

    def make(
        self, *, months: tuple[int, int], refugee: bool = False, unit: str | None = None
    ) -> Person:
        sex = self.rng.choice("FM")
        today = timezone.localdate()
        age_days = self.rng.randint(months[0] * 30 + 1, months[1] * 30)
        given = self.rng.choice((REFUGEE_GIVEN if refugee else self.given)[sex])
        names = self.family[sex] if isinstance(self.family, dict) else self.family
        family = self.rng.choice(REFUGEE_FAMILY if refugee else names)
        return person_create(
            actor=self.actor,
            data=PersonInput(
                given_name=given,
                family_name=family,
                sex=sex,
                birth_date=today - timedelta(days=age_days),
                unit=self.units[unit or self.rng.choice(self.codes)],
                citizenship="UA" if refugee else self.citizenship,
                displacement="refugee" if refugee else "none",
                vulnerabilities=["refugee"] if refugee else [],
            ),
        )
