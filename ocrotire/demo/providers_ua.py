"""Chernihiv's providers of the minimum package of integrated social services for families with
children (seed 003, DOMAIN.md §2.4): the city centre of social services with counselling and
resilience, social support of families raising orphans and of families in difficult
circumstances, support in inclusive education, crisis and emergency intervention and the social
integration of care leavers; the early intervention centre of the family polyclinic; a day
centre. Service points in the city, a few children enrolled. Runs once."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from ocrotire.accounts.models import Institution, User
from ocrotire.demo.children import DemoChildren
from ocrotire.demo.synthetic.names import countries
from ocrotire.geo.models import Unit
from ocrotire.providers.models import Provider, ServicePoint, ServiceType
from ocrotire.providers.services import enrolment_record, provider_create, service_point_create

CITY = "UA-74-CHE-CHEH-CHE"
HROMADA = "UA-74-CHE-CHEH"
# The Chernihiv list of the package, as the pack's bundle of the same name.
BUNDLE = "minimum_package_chernihiv"


def providers_ua_demo_load(
    users: dict[str, User], institutions: dict[str, Institution]
) -> dict[str, int]:
    if Provider.objects.filter(institution__country="UA").exists():
        return {"providers_created": 0, "enrolments_created": 0}
    actor = users["supervisor_ua"]
    ua = {t.code: t for t in ServiceType.objects.filter(country="UA")}
    city = Unit.objects.get(code=CITY)
    today = timezone.localdate()
    names = countries()["UA"]
    children = DemoChildren(
        actor,
        seed=74,
        units=(CITY,),
        given={"F": [f.cyr for f in names.female[:30]], "M": [f.cyr for f in names.male[:30]]},
        family={
            "F": [f.cyr for f in names.family_female[:40]],
            "M": [f.cyr for f in names.family_male[:40]],
        },
        citizenship="UA",
    )

    centre = provider_create(
        actor=actor,
        kind="public",
        institution=institutions["UA-CHN-CSS"],
        legal_form="Комунальна установа",
        contact_person="Директорка центру",
        phone="+380 462 00 00 00",
        last_verified=today - timedelta(days=20),
        target_groups="Сім'ї з дітьми у складних життєвих обставинах, прийомні сім'ї, опікуни, "
        "молодь з досвідом альтернативного догляду",
    )
    polyclinic = provider_create(
        actor=actor,
        kind="public",
        name="КНП «Сімейна поліклініка» Чернігівської міської ради (демонстраційний запис)",
        units=[city],
        legal_form="Комунальне некомерційне підприємство",
        target_groups="Діти раннього віку з порушеннями розвитку або ризиком їх виникнення",
    )
    day_centre = provider_create(
        actor=actor,
        kind="ngo",
        name="ГО «Денний центр для дітей „Сонях“» (демонстраційний запис)",
        units=[city],
        legal_form="Громадська організація",
        registration_number="DEMO-UA-000074",
        target_groups="Діти, зокрема з інвалідністю, та їхні батьки",
    )

    def point(
        provider: Provider, code: str, name: str, capacity: int, **extra: object
    ) -> ServicePoint:
        return service_point_create(
            actor=actor,
            provider=provider,
            service_type=ua[code],
            unit=city,
            name=name,
            capacity=capacity,
            languages=["uk"],
            **extra,
        )

    points = [
        point(centre, "resilience_support", "Консультування та формування життєстійкості", 60),
        point(
            centre,
            "social_support_orphans_families",
            "Соціальний супровід прийомних сімей і сімей опікунів",
            40,
        ),
        point(
            centre,
            "social_support_sdc",
            "Соціальний супровід сімей у складних життєвих обставинах",
            80,
        ),
        point(
            centre,
            "inclusive_education_support",
            "Супровід під час інклюзивного навчання. Асистент дитини/учня",
            25,
            age_min_months=36,
            age_max_months=215,
        ),
        point(centre, "crisis_intervention", "Екстрене (кризове) втручання", 15),
        point(
            centre,
            "care_leaver_integration",
            "Соціальна інтеграція осіб з досвідом альтернативного догляду",
            20,
            age_min_months=192,
            age_max_months=276,
        ),
        point(
            polyclinic,
            "early_intervention",
            "Центр раннього втручання",
            30,
            age_min_months=0,
            age_max_months=47,
            opening_hours="Пн–Пт 8:00–17:00",
        ),
        point(
            day_centre,
            "day_care",
            "Денний догляд для дітей",
            35,
            age_min_months=36,
            age_max_months=215,
            opening_hours="Пн–Пт 9:00–18:00",
        ),
    ]
    ages = {
        "inclusive_education_support": (40, 200),
        "care_leaver_integration": (193, 215),
        "early_intervention": (3, 45),
    }
    enrolments = 0
    for index, where in enumerate(points):
        months = ages.get(where.service_type.code, (24, 200))
        for number in range(3):
            enrolment_record(
                actor=actor,
                point=where,
                child=children.make(months=months),
                enrolled_at=timezone.now() - timedelta(days=10 + index * 7 + number * 11),
            )
            enrolments += 1
    return {"providers_created": 3, "enrolments_created": enrolments}
