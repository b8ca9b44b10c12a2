"""Builders of a benefit programme's world for the tests: the Chernihiv hromada with two villages
and a second hromada, its keepers and community workers, households with children, and the
50 × 15,000 UAH programme."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from ocrotire.accounts.models import User
from ocrotire.accounts.services import roles_ensure
from ocrotire.accounts.tests.factories import user_make
from ocrotire.dataforms.models import FormDefinition, FormVersion
from ocrotire.geo.models import Unit
from ocrotire.geo.services import UnitSpec, unit_upsert
from ocrotire.geo.tests.factories import territory_build
from ocrotire.outreach.models import Programme, Screening
from ocrotire.outreach.programmes import ProgrammeInput, programme_create
from ocrotire.registry.models import Household, HouseholdMember, Person

UNITS = [
    UnitSpec("UA-74-CHE", "district", "Чернігівський район", "UA-74"),
    UnitSpec("UA-74-CHE-CHEH", "commune", "Чернігівська міська громада", "UA-74-CHE"),
    UnitSpec("UA-74-CHE-CHEH-CHE", "city", "Чернігів", "UA-74-CHE-CHEH"),
    UnitSpec("UA-74-CHE-CHEH-V1", "village", "Село Перше", "UA-74-CHE-CHEH"),
    UnitSpec("UA-74-CHE-DESH", "commune", "Деснянська громада", "UA-74-CHE"),
    UnitSpec("UA-74-CHE-DESH-DES", "village", "Десна", "UA-74-CHE-DESH"),
]


def world_build() -> dict[str, Any]:
    """Units and people; each call in a fresh database (or a rolled-back test)."""
    territory_build()
    units = {spec.code: unit_upsert(actor=None, spec=spec)[0] for spec in UNITS}
    roles_ensure()
    people = {
        "supervisor": user_make("supervisor_ua", ("supervisor",), ("UA-74-CHE-CHEH",)),
        "supervisor2": user_make("supervisor2_ua", ("supervisor",), ("UA-74-CHE-CHEH",)),
        "community": user_make("community_ua", ("community_worker",), ("UA-74-CHE-CHEH-CHE",)),
        "community_other": user_make(
            "community_des", ("community_worker",), ("UA-74-CHE-DESH-DES",)
        ),
        "community_village": user_make(
            "community_v1", ("community_worker",), ("UA-74-CHE-CHEH-V1",)
        ),
        "planner": user_make("planner_ua", ("planner",), ("UA-74-CHE-CHEH",)),
        "outsider": user_make("outsider_ua"),
    }
    return {"units": units, "users": people}


def household_make(
    unit: Unit, name: str, *, children: int = 1, adults: int = 1, creator: User | None = None
) -> Household:
    """A household with `adults` grown-ups and `children` children under 18 (born 8 years ago)."""
    household = Household.objects.create(name=name, unit=unit, scope_unit=unit)
    today = timezone.localdate()
    births = [today - timedelta(days=40 * 365)] * adults + [today - timedelta(days=8 * 365)] * (
        children
    )
    for index, born in enumerate(births):
        person = Person.objects.create(
            given_name=f"{name}{index}",
            family_name=name,
            birth_date=born,
            unit=unit,
            scope_unit=unit,
            created_by=creator,
        )
        HouseholdMember.objects.create(household=household, person=person)
    return household


def screening_make(household: Household, flags: list[str], by: User) -> Screening:
    definition, _ = FormDefinition.objects.get_or_create(country="UA", code="test-screening")
    version, _ = FormVersion.objects.get_or_create(
        definition=definition, number=1, defaults={"created_by": by}
    )
    assert household.unit is not None
    return Screening.objects.create(
        household=household,
        unit=household.unit,
        form_version=version,
        flags=flags,
        screened_on=timezone.localdate(),
        screened_by=by,
    )


def programme_make(
    actor: User,
    *,
    code: str = "CHN-2025",
    amount: str = "15000",
    budget: str = "750000",
    eligibility: dict[str, Any] | None = None,
) -> Programme:
    return programme_create(
        actor=actor,
        data=ProgrammeInput(
            code=code,
            name="Сертифікати для сімей з дітьми у складних життєвих обставинах",
            unit=Unit.objects.get(code="UA-74-CHE-CHEH"),
            currency="UAH",
            amount=Decimal(amount),
            budget=Decimal(budget),
            opens_on=date(2025, 1, 1),
            eligibility={"children_min": 1} if eligibility is None else eligibility,
            valid_days=90,
            donor="UNICEF Ukraine",
        ),
    )
