"""Demo persons: a few families per sector, with the spelling variants a real registry collects."""

from __future__ import annotations

from datetime import date

from ocrotire.accounts.models import User
from ocrotire.geo.models import Unit
from ocrotire.registry.models import Person, RelationshipKind
from ocrotire.registry.services import (
    PersonInput,
    household_create,
    household_member_add,
    person_create,
    relationship_add,
    vulnerabilities_load,
)

# (registering user, unit, given, family, sex, birth date, precision, estimated, identifiers, vulnerabilities)
PEOPLE = [
    (
        "specialist",
        "MD-CU-BOT",
        "Maria",
        "Țurcanu",
        "F",
        date(2015, 3, 12),
        "day",
        False,
        [("md_idnp", "2015003012349")],
        ["parents_abroad"],
    ),
    ("specialist", "MD-CU-BOT", "Мария", "Цуркану", "F", date(2015, 3, 12), "day", False, [], []),
    ("specialist", "MD-CU-BOT", "Elena", "Țurcanu", "F", date(1988, 9, 1), "day", False, [], []),
    (
        "specialist",
        "MD-CU-BOT",
        "Ion",
        "Ceban",
        "M",
        date(2012, 7, 1),
        "day",
        False,
        [],
        ["neglect"],
    ),
    ("specialist", "MD-CU-BOT", "Иван", "Чебан", "M", date(2012, 1, 1), "year", True, [], []),
    ("specialist", "MD-CU-BOT", "Andrei", "Ciobanu", "M", date(2016, 5, 20), "day", False, [], []),
    ("specialist", "MD-CU-BOT", "Ana", "Ciobanu", "F", date(2016, 5, 20), "day", False, [], []),
    (
        "specialist",
        "MD-CU-BOT-SIN",
        "Gheorghe",
        "Sîrbu",
        "M",
        date(2010, 11, 3),
        "day",
        False,
        [],
        ["vagrancy"],
    ),
    (
        "specialist",
        "MD-CU-BOT-SIN",
        "Георгий",
        "Сырбу",
        "M",
        date(2010, 11, 3),
        "day",
        False,
        [],
        [],
    ),
    ("specialist2", "MD-CU-CEN", "Elena", "Rusu", "F", date(2013, 2, 14), "day", False, [], []),
    (
        "specialist2",
        "MD-CU-CEN",
        "Vasile",
        "Munteanu",
        "M",
        date(2011, 8, 30),
        "day",
        False,
        [],
        [],
    ),
    (
        "specialist2",
        "MD-CU-CEN",
        "Василий",
        "Мунтяну",
        "M",
        date(2011, 8, 30),
        "day",
        False,
        [],
        [],
    ),
    (
        "specialist_ua",
        "UA-74-CHE-CHEH",
        "Олександр",
        "Шевченко",
        "M",
        date(2014, 4, 4),
        "day",
        False,
        [],
        [],
    ),
    (
        "specialist_ua",
        "UA-74-CHE-CHEH",
        "Oleksandr",
        "Shevchenko",
        "M",
        date(2014, 4, 4),
        "day",
        False,
        [],
        [],
    ),
]


def registry_demo_load(users: dict[str, User]) -> int:
    """Create the demo persons once; a second run finds them and does nothing."""
    for country in ("MD", "RO", "UA", "KG"):
        vulnerabilities_load(country=country)
    if Person.objects.exists():
        return 0
    created: list[Person] = []
    for (
        username,
        unit_code,
        given,
        family,
        sex,
        born,
        precision,
        estimated,
        identifiers,
        vulnerable,
    ) in PEOPLE:
        unit = Unit.objects.get(code=unit_code)
        created.append(
            person_create(
                actor=users[username],
                data=PersonInput(
                    given_name=given,
                    family_name=family,
                    sex=sex,
                    birth_date=born,
                    birth_date_precision=precision,
                    birth_date_estimated=estimated,
                    unit=unit,
                    identifiers=identifiers,
                    vulnerabilities=vulnerable,
                ),
            )
        )
    maria, _maria_cyr, elena = created[0], created[1], created[2]
    relationship_add(
        actor=users["specialist"],
        person=maria,
        related=elena,
        kind=RelationshipKind.MOTHER,
        legal_representative=True,
    )
    household = household_create(
        actor=users["specialist"], name="Țurcanu", unit=maria.unit, address="str. Demo 1"
    )
    household_member_add(actor=users["specialist"], household=household, person=elena, role="head")
    household_member_add(actor=users["specialist"], household=household, person=maria)
    return len(created)
