"""Builders of the outreach tests' world: a community worker of Sîngera (MD-CU-BOT-SIN), a
household of their village with a child, a household of Botanica outside it, and the country's
sheets (the fixtures of conftest.py and the sync race's subprocess call them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from ocrotire.accounts.models import Institution, User
from ocrotire.accounts.tests.factories import user_make
from ocrotire.dataforms.services import forms_load
from ocrotire.geo.models import Unit
from ocrotire.registry.models import Household, Person
from ocrotire.registry.services import (
    PersonInput,
    household_create,
    household_member_add,
    person_create,
)


@dataclass
class Village:
    community: User
    home: Household  # in the community worker's village
    away: Household  # in Botanica, outside it
    child: Person  # a child of `home`


def village_build(
    *,
    specialist: User,
    institutions: dict[str, Institution],
    territory: dict[str, Unit],
    community: User | None = None,
) -> Village:
    """After the territory, the institutions and the roles; `specialist` works in Botanica."""
    forms_load(country="MD")
    community = community or user_make(
        "community", ("community_worker",), ("MD-CU-BOT-SIN",), institutions["DGPDC-BOT"]
    )
    sin, bot = territory["MD-CU-BOT-SIN"], territory["MD-CU-BOT"]
    home = household_create(
        actor=specialist, name="Popescu", unit=sin, address="str. Livezilor 3", scope_unit=sin
    )
    away = household_create(actor=specialist, name="Rusu", unit=bot, scope_unit=bot)
    child = person_create(
        actor=specialist,
        data=PersonInput(
            given_name="Ana", family_name="Popescu", birth_date=date(2016, 4, 2), scope_unit=sin
        ),
    )
    household_member_add(actor=specialist, household=home, person=child)
    return Village(community=community, home=home, away=away, child=child)


def as_worker(api: Any, user: User) -> Any:
    """An API client of `api` (the conftest's factory) signed in as `user`, in English."""
    client = api(user)
    client.credentials(HTTP_ACCEPT_LANGUAGE="en")
    return client
