"""Demo providers of Chișinău with the figures of seed 000 (the UNICEF–municipality project
2022–2024): assisted social housing with 22 young people, 3 of them refugees; the day service
for children of 4 months to 3 years with 54 children; the maternal centre for 7 mother–child
couples, 5 served in three months; the day centre for children at risk with 110 children; the
street-children service, 100 assisted in the year. Placements (the 7 professional parental
assistants with 13 children) come with the care app. Runs once."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from ocrotire.accounts.models import Institution, User
from ocrotire.demo.children import DemoChildren
from ocrotire.geo.models import Unit
from ocrotire.providers.models import Provider, ServicePoint, ServiceType
from ocrotire.providers.services import enrolment_record, provider_create, service_point_create
from ocrotire.registry.models import Person


def _days_ago(days: int) -> datetime:
    return timezone.now() - timedelta(days=days)


def providers_demo_load(
    users: dict[str, User], institutions: dict[str, Institution]
) -> dict[str, int]:
    if Provider.objects.exists():
        return {"providers_created": 0, "enrolments_created": 0}
    supervisor = users["supervisor"]
    md = {t.code: t for t in ServiceType.objects.filter(country="MD")}
    city = Unit.objects.get(code="MD-CU")
    children = DemoChildren(supervisor)

    dgpdc = provider_create(
        actor=supervisor,
        kind="public",
        institution=institutions["DGPDC"],
        legal_form="Instituție publică",
        licence_number="AC-DEMO-0001",
        licence_valid_until=timezone.localdate() + timedelta(days=900),
        last_verified=timezone.localdate() - timedelta(days=30),
    )
    day_centre = provider_create(
        actor=supervisor,
        kind="public",
        institution=institutions["DEMO-DAY-CENTRE"],
        legal_form="Serviciu social public",
        licence_number="AC-DEMO-0002",
        # Within the warning window, so the register shows a licence to renew.
        licence_valid_until=timezone.localdate() + timedelta(days=40),
        contact_person="Olga Munteanu",
        phone="+373 22 000 110",
        last_verified=timezone.localdate() - timedelta(days=12),
    )
    ngo = provider_create(
        actor=supervisor,
        kind="ngo",
        name="Asociația obștească «Casa Deschisă» (demonstrativ)",
        units=[city],
        legal_form="Asociație obștească",
        registration_number="DEMO-1010600000001",
        target_groups="Copii în situație de stradă, tineri care părăsesc sistemul de îngrijire",
    )

    def point(
        provider: Provider, code: str, name: str, unit: str, capacity: int, **extra: object
    ) -> ServicePoint:
        return service_point_create(
            actor=supervisor,
            provider=provider,
            service_type=md[code],
            unit=Unit.objects.get(code=unit),
            name=name,
            capacity=capacity,
            languages=["ro", "ru"],
            **extra,
        )

    housing = point(
        ngo,
        "assisted_social_housing",
        "Locuința socială asistată",
        "MD-CU-CIO",
        24,
        age_min_months=192,
        age_max_months=276,
    )
    infants = point(
        dgpdc,
        "day_service_infants",
        "Serviciul de zi pentru copii de 4 luni – 3 ani",
        "MD-CU-BUI",
        60,
        age_min_months=4,
        age_max_months=36,
        opening_hours="Luni–vineri 7:30–18:30",
    )
    maternal = point(dgpdc, "maternal_centre", "Centrul maternal", "MD-CU-RIS", 7)
    risk = point(
        day_centre,
        "day_centre_risk",
        "Centrul de zi pentru copii în situații de risc",
        "MD-CU-BOT",
        120,
        age_min_months=72,
        age_max_months=215,
        opening_hours="Luni–vineri 12:00–19:00",
    )
    street = point(
        ngo,
        "street_children",
        "Serviciul pentru copii aflați în situație de stradă",
        "MD-CU-CEN",
        30,
        age_min_months=84,
        age_max_months=215,
    )

    enrolments = 0

    def enrol(where: ServicePoint, child: Person, start: int, end: int | None = None) -> None:
        nonlocal enrolments
        enrolment_record(
            actor=supervisor,
            point=where,
            child=child,
            enrolled_at=_days_ago(start),
            ended_at=_days_ago(end) if end is not None else None,
        )
        enrolments += 1

    # 22 young people in assisted social housing, 3 of them refugees.
    for index in range(22):
        enrol(housing, children.make(months=(192, 270), refugee=index < 3), start=30 + index * 9)
    # 54 children of 4 months to 3 years in the day service.
    for index in range(54):
        enrol(infants, children.make(months=(5, 35)), start=10 + index * 5)
    # The maternal centre (7 couples): 5 couples served in the last three months, 3 still there.
    for index in range(5):
        start = 85 - index * 15
        enrol(
            maternal,
            children.make(months=(1, 20)),
            start=start,
            end=start - 30 if index < 2 else None,
        )
    # 110 children at the day centre for children at risk.
    for index in range(110):
        enrol(risk, children.make(months=(72, 200)), start=5 + index * 3)
    # 100 street-connected children assisted in the year: 18 still followed, 82 stays ended.
    for index in range(100):
        start = 360 - index * 3
        enrol(
            street,
            children.make(months=(84, 200)),
            start=start,
            end=max(1, start - 20) if index < 82 else None,
        )
    return {"providers_created": Provider.objects.count(), "enrolments_created": enrolments}
