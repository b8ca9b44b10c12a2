"""Demo household screenings: Ludmila, the community worker of Sîngera, screened three
households (one flagged child reported to Botanica's register, one visit planned, one with
nothing flagged); a commune of Bacău county and Chernihiv have screenings with their own
sheets, so the counts per place show each country's groups."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from ocrotire.accounts.models import User
from ocrotire.dataforms.spec import fields_of
from ocrotire.geo.models import Unit
from ocrotire.outreach.models import Screening
from ocrotire.outreach.screening import (
    children_of,
    follow_up_report,
    follow_up_visit,
    screening_record,
    sheet_of,
)
from ocrotire.registry.models import Household, Sex
from ocrotire.registry.persons import PersonInput, person_create
from ocrotire.registry.services import household_create, household_member_add

# (place, worker, household, head, children (given name, sex, born), answers, follow-up)
HOUSEHOLDS = [
    (
        "MD-CU-BOT-SIN",
        "community",
        "Cojocari",
        ("Valentina", "Cojocari"),
        [("Dumitru", Sex.MALE, date(2013, 4, 2)), ("Irina", Sex.FEMALE, date(2017, 9, 21))],
        {
            "economic": {"poverty": True, "unemployed": True},
            "social": {"single_parent": True, "parents_away": False},
            "housing": {"overcrowded": True},
            "health": {"no_family_doctor": True},
        },
        "report",
    ),
    (
        "MD-CU-BOT-SIN",
        "community",
        "Graur",
        ("Tatiana", "Graur"),
        [("Mihai", Sex.MALE, date(2011, 1, 15))],
        {"social": {"parents_away": True}, "education": {"out_of_school": False}},
        "visit",
    ),
    (
        "MD-CU-BOT-SIN",
        "community",
        "Lupu",
        ("Elena", "Lupu"),
        [("Sofia", Sex.FEMALE, date(2019, 2, 11))],
        {"economic": {"poverty": False}, "social": {"single_parent": False}},
        "",
    ),
    (
        "RO-BC-LTV-HOLT",
        "specialist_ro",
        "Ionescu",
        ("Maria", "Ionescu"),
        [("Andrei", Sex.MALE, date(2012, 5, 3)), ("Ioana", Sex.FEMALE, date(2009, 8, 30))],
        {
            "social": {"minor_mother": False, "parents_away": True},
            "health": {"no_insurance": True},
        },
        "",
    ),
    (
        "UA-74-CHE-CHEH-CHE",
        "specialist_ua",
        "Коваленко",
        ("Оксана", "Коваленко"),
        [("Богдан", Sex.MALE, date(2014, 7, 7)), ("Марія", Sex.FEMALE, date(2018, 3, 3))],
        {
            "economic": {"poverty": True},
            "social": {"displaced": True, "single_parent": True},
            "housing": {"damaged": True},
        },
        "",
    ),
]


def _household(
    worker: User, unit: Unit, name: str, head: tuple[str, str], children: list[Any]
) -> Household:
    household = household_create(actor=worker, name=name, unit=unit, address="")
    mother = person_create(
        actor=worker,
        data=PersonInput(
            given_name=head[0],
            family_name=head[1],
            sex=Sex.FEMALE,
            birth_date=date(1988, 6, 1),
            unit=unit,
        ),
    )
    household_member_add(actor=worker, household=household, person=mother, role="head")
    for given, sex, born in children:
        child = person_create(
            actor=worker,
            data=PersonInput(
                given_name=given, family_name=head[1], sex=sex, birth_date=born, unit=unit
            ),
        )
        household_member_add(actor=worker, household=household, person=child)
    return household


def outreach_demo_load(users: dict[str, User]) -> dict[str, int]:
    """Runs once: an installation that holds any screening gets no invented one."""
    if Screening.objects.exists():
        return {"screenings_created": 0, "reports_created": 0}
    today = timezone.localdate()
    created = reported = 0
    for place, username, name, head, children, answers, follow_up in HOUSEHOLDS:
        unit = Unit.objects.filter(code=place).first()
        worker = users.get(username)
        if unit is None or worker is None:
            continue
        household = _household(worker, unit, name, head, children)
        screening = screening_record(
            actor=worker,
            household=household,
            answers=_known(unit.country, answers),
            screened_on=today - timedelta(days=3 + created),
        )
        created += 1
        first_child = children_of(screening)[0]
        if follow_up == "report":
            follow_up_report(
                actor=worker,
                screening=screening,
                child=first_child,
                narrative="Copiii rămân adesea singuri seara; mama lucrează în tura a doua.",
            )
            reported += 1
        elif follow_up == "visit":
            follow_up_visit(
                actor=worker,
                screening=screening,
                child=first_child,
                visit_on=today + timedelta(days=7),
                note="Verificăm cine are grijă de Mihai de când au plecat părinții.",
            )
    return {"screenings_created": created, "reports_created": reported}


def _known(country: str, answers: dict[str, Any]) -> dict[str, Any]:
    """The answers the country's sheet has questions for (the sheets differ by country)."""
    version = sheet_of(country)
    if version is None:
        return {}
    asked = {(s["key"], f["key"]) for s, f in fields_of(version.sections)}
    return {
        section: {k: v for k, v in values.items() if (section, k) in asked}
        for section, values in answers.items()
        if any((section, k) in asked for k in values)
    }
