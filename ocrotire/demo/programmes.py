"""Demo benefit programme: Chernihiv's certificates for households with children in difficult
circumstances (50 certificates of 15,000 UAH, seed 003, with UNICEF Ukraine), kept by the
hromada's supervisor, with a few households of the city, their applications and some
certificates issued and one redeemed."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ocrotire.accounts.models import User
from ocrotire.geo.models import Unit
from ocrotire.outreach.certificates import (
    certificate_apply,
    certificate_decide,
    certificate_redeem,
)
from ocrotire.outreach.models import Programme
from ocrotire.outreach.programmes import ProgrammeInput, programme_create
from ocrotire.registry.models import Household
from ocrotire.registry.services import (
    PersonInput,
    household_create,
    household_member_add,
    person_create,
)

CODE = "CHN-SERT-2025"
HROMADA = "UA-74-CHE-CHEH"
CITY = "UA-74-CHE-CHEH-CHE"

# (family name, address, adults' given names, children: (given name, birth date))
HOUSEHOLDS = [
    ("Коваленко", "вул. Шевченка, 12", ["Оксана"], [("Марія", date(2015, 4, 2))]),
    (
        "Бондаренко",
        "просп. Миру, 40, кв. 7",
        ["Ірина", "Петро"],
        [("Андрій", date(2012, 9, 1)), ("Софія", date(2018, 1, 20))],
    ),
    ("Ткаченко", "вул. Київська, 3", ["Галина"], [("Денис", date(2010, 6, 15))]),
    ("Мельник", "вул. Гетьмана Полуботка, 21", ["Наталія"], [("Олег", date(2016, 11, 5))]),
    ("Кравчук", "вул. Рокосовського, 8, кв. 2", ["Людмила"], [("Дарина", date(2014, 3, 30))]),
    ("Олійник", "вул. Толстого, 55", ["Віра", "Іван"], []),
]


def _households(actor: User, city: Unit) -> list[Household]:
    made = []
    for family, address, adults, children in HOUSEHOLDS:
        household = household_create(actor=actor, name=family, unit=city, address=address)
        for index, given in enumerate(adults):
            person = person_create(
                actor=actor,
                data=PersonInput(given_name=given, family_name=family, unit=city, address=address),
            )
            role = "head" if index == 0 else "member"
            household_member_add(actor=actor, household=household, person=person, role=role)
        for given, born in children:
            child = person_create(
                actor=actor,
                data=PersonInput(given_name=given, family_name=family, birth_date=born, unit=city),
            )
            household_member_add(actor=actor, household=household, person=child)
        made.append(household)
    return made


def programmes_demo_load(users: dict[str, User]) -> dict[str, int]:
    """Create the programme once; a second run finds it and changes nothing."""
    if Programme.objects.filter(code=CODE).exists():
        return {"programmes_created": 0}
    keeper, worker = users["supervisor_ua"], users["specialist_ua"]
    city = Unit.objects.get(code=CITY)
    programme = programme_create(
        actor=keeper,
        data=ProgrammeInput(
            code=CODE,
            name="Сертифікати для домогосподарств із дітьми у складних життєвих обставинах",
            unit=Unit.objects.get(code=HROMADA),
            currency="UAH",
            amount=Decimal("15000"),
            budget=Decimal("750000"),
            opens_on=date(2025, 9, 1),
            eligibility={"children_min": 1},
            valid_days=180,
            donor="UNICEF Ukraine",
        ),
    )
    households = _households(worker, city)
    # The last household has no child: the rule refuses it, so it does not apply.
    applied = [
        certificate_apply(actor=worker, programme=programme, household=household)
        for household in households[:5]
    ]
    for certificate in applied[:3]:
        certificate_decide(actor=keeper, certificate=certificate, issue=True)
    certificate_redeem(
        actor=keeper,
        certificate=applied[0],
        redeemed_with="Шкільне приладдя та зимовий одяг, чек № 0142",
    )
    return {"programmes_created": 1}
