"""A village of the test territory with households to screen: shared by the outreach tests."""

from __future__ import annotations

from datetime import date

from ocrotire.accounts.models import Institution, User
from ocrotire.accounts.tests.factories import user_make
from ocrotire.dataforms.services import forms_load
from ocrotire.geo.models import Unit
from ocrotire.registry.models import Household
from ocrotire.registry.persons import PersonInput, person_create
from ocrotire.registry.services import household_create, household_member_add


def community_worker(institution: Institution) -> User:
    """Ludmila, the community social worker of Sîngera (as in the demo)."""
    return user_make("community", ("community_worker",), ("MD-CU-BOT-SIN",), institution)


def sheets_load() -> None:
    for country in ("MD", "UA"):
        forms_load(country=country)


def household_with_children(
    actor: User, unit: Unit, name: str, births: tuple[date | None, ...] = (date(2014, 3, 1),)
) -> Household:
    """A household of `unit`: a mother born in 1990 and children born on `births`."""
    household = household_create(actor=actor, name=name, unit=unit, address="str. Școlii 4")
    mother = person_create(
        actor=actor,
        data=PersonInput(
            given_name="Ana", family_name=name, birth_date=date(1990, 1, 5), unit=unit
        ),
    )
    household_member_add(actor=actor, household=household, person=mother, role="head")
    for index, born in enumerate(births):
        child = person_create(
            actor=actor,
            data=PersonInput(
                given_name=f"Copil{index + 1}", family_name=name, birth_date=born, unit=unit
            ),
        )
        household_member_add(actor=actor, household=household, person=child)
    return household
