"""Demo placements with the figure of seed 000: 7 professional parental assistants in Chișinău
with 13 children placed in their families. Runs once."""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from ocrotire.accounts.models import User
from ocrotire.care.models import (
    DecisionBy,
    DecisionOutcome,
    InstitutionChange,
    InstitutionChangeKind,
    Placement,
    PlacementEnd,
    PlacementForm,
)
from ocrotire.care.services import institution_change_record, placement_end, placement_start
from ocrotire.demo.children import DemoChildren
from ocrotire.geo.models import Unit
from ocrotire.providers.models import ServicePoint, ServiceType
from ocrotire.providers.services import provider_create, service_point_create

# Seven assistants; the first six care for two children each, the seventh for one: 13 children.
ASSISTANTS = [
    ("Asistent parental profesionist: Natalia Rotaru", 2),
    ("Asistent parental profesionist: Svetlana Gârlea", 2),
    ("Asistent parental profesionist: Liliana Țurcanu", 2),
    ("Asistent parental profesionist: Galina Moraru", 2),
    ("Asistent parental profesionist: Aurelia Cebotari", 2),
    ("Asistent parental profesionist: Valentina Bîrcă", 2),
    ("Asistent parental profesionist: Tatiana Sîrbu", 1),
]


def care_demo_load(users: dict[str, User]) -> dict[str, int]:
    if Placement.objects.exists():
        return {"placements_created": 0}
    supervisor = users["supervisor"]
    children = DemoChildren(supervisor, seed=13)
    created = 0
    for index, (carer, count) in enumerate(ASSISTANTS):
        for child_index in range(count):
            started = timezone.now() - timedelta(days=40 + index * 30 + child_index * 7)
            placement_start(
                actor=supervisor,
                child=children.make(months=(6, 200), refugee=index == 6),
                form=PlacementForm.PROFESSIONAL_PARENTAL,
                national_type="Asistență parentală profesionistă",
                emergency=child_index == 1,
                decision_reference=f"DGPDC-DEMO-{index + 1:02d}{child_index + 1}",
                decision_date=started.date(),
                # The planned ones rest on the commission's decision (gatekeeping).
                decision_by="" if child_index == 1 else DecisionBy.GATEKEEPER,
                decision_outcome="" if child_index == 1 else DecisionOutcome.APPROVED,
                carer_name=carer,
                started_at=started,
            )
            created += 1
    return {"placements_created": created}


# Seed 001 (Chüy region, Kyrgyzstan): 3 residential institutions reorganised, 220 children moved
# to family and community care. Invented institutions in three districts of the region.
KG_GIVEN = {
    "F": ["Айгерим", "Нургуль", "Жылдыз", "Айпери", "Бегимай", "Мээрим", "Асель", "Элнура"],
    "M": ["Нурлан", "Бекзат", "Эрлан", "Азамат", "Тимур", "Адилет", "Арсен", "Улан"],
}
KG_FAMILY = {
    "F": ["Асанова", "Токтогулова", "Жумабаева", "Иманалиева", "Садыкова", "Мамытова"],
    "M": ["Асанов", "Токтогулов", "Жумабаев", "Иманалиев", "Садыков", "Мамытов"],
}
# (name, district, places, children living there, days ago the reorganisation took effect)
KG_INSTITUTIONS = [
    ("Детский дом-интернат «Демо» (Токмок)", "KG-C-TOK", 90, 85, 60),
    ("Школа-интернат «Демо» (Сокулук)", "KG-C-SOK", 80, 75, 30),
    ("Дом ребёнка «Демо» (Аламудун)", "KG-C-ALA", 70, 60, 10),
]
# Where the 220 children went, in order: back to their families, then family-based care.
KG_MOVES = [
    ("reintegrated", 96),
    (PlacementForm.KINSHIP, 30),
    (PlacementForm.GUARDIANSHIP, 38),
    (PlacementForm.FOSTER, 36),
    (PlacementForm.FAMILY_TYPE_HOME, 14),
    ("adopted", 6),
]


def institutions_demo_load(users: dict[str, User]) -> dict[str, int]:
    """Seed 001's figures in the Chüy region: three residential institutions whose 220 children
    moved to family-based care or back to their families, each institution then reorganised into
    a day centre and a family-type home. Runs once."""
    if InstitutionChange.objects.exists():
        return {"institutions_reorganised": 0}
    admin = users["admin"]
    types = {t.code: t for t in ServiceType.objects.filter(country="KG")}
    region = Unit.objects.get(code="KG-C")
    provider = provider_create(
        actor=admin,
        kind="public",
        name="Управление социального развития Чуйской области (демонстрационное)",
        units=[region],
        legal_form="Государственное учреждение",
    )
    children = DemoChildren(
        admin,
        seed=1,
        units=tuple(code for _n, code, *_rest in KG_INSTITUTIONS),
        given=KG_GIVEN,
        family=KG_FAMILY,
        citizenship="KG",
    )
    moves = [kind for kind, count in KG_MOVES for _ in range(count)]
    random.Random(1).shuffle(moves)  # noqa: S311 - demo order
    now = timezone.now()
    for name, code, places, living, effective_days in KG_INSTITUTIONS:
        unit = Unit.objects.get(code=code)

        def point(service: str, label: str, capacity: int, where: Unit = unit) -> ServicePoint:
            return service_point_create(
                actor=admin,
                provider=provider,
                service_type=types[service],
                unit=where,
                name=label,
                capacity=capacity,
                languages=["ky", "ru"],
            )

        institution = point("residential_institution", name, places)
        successors = [
            point("day_centre", f"Дневной центр «Демо» ({unit.display_name})", 40),
            point("family_type_home", f"Семейный детский дом «Демо» ({unit.display_name})", 8),
        ]
        for index in range(living):
            child = children.make(months=(12, 200), unit=code)
            start = now - timedelta(days=800 + index * 9)
            placement = placement_start(
                actor=admin,
                child=child,
                form=PlacementForm.RESIDENTIAL,
                national_type="Стационарное учреждение",
                decision_reference=f"KG-DEMO-{code[-3:]}-{index + 1:03d}",
                decision_date=start.date(),
                decision_by=DecisionBy.GATEKEEPER,
                decision_outcome=DecisionOutcome.APPROVED,
                facility=institution,
                started_at=start,
            )
            # Children leave from eleven months ago until the week before the reorganisation.
            window = 330 - effective_days - 7
            moved_at = now - timedelta(days=effective_days + 7 + (index * window) // living)
            kind = moves.pop()
            if kind in ("reintegrated", "adopted"):
                placement_end(
                    actor=admin,
                    placement=placement,
                    version=placement.version,
                    end_reason=kind,
                    ended_at=moved_at,
                )
                continue
            placement_end(
                actor=admin,
                placement=placement,
                version=placement.version,
                end_reason=PlacementEnd.TRANSFERRED,
                ended_at=moved_at,
            )
            placement_start(
                actor=admin,
                child=child,
                form=kind,
                carer_name=str(PlacementForm(kind).label),
                decision_reference=f"KG-DEMO-{code[-3:]}-{index + 1:03d}-F",
                decision_date=moved_at.date(),
                decision_by=DecisionBy.GATEKEEPER,
                decision_outcome=DecisionOutcome.APPROVED,
                started_at=moved_at,
            )
        effective = timezone.localdate() - timedelta(days=effective_days)
        institution_change_record(
            actor=admin,
            facility=institution,
            kind=InstitutionChangeKind.REORGANISED,
            decision_reference=f"KG-DEMO-REORG-{code[-3:]}",
            decided_on=effective - timedelta(days=300),
            effective_on=effective,
            successors=successors,
            note="Seed 001: reorganisation of residential institutions in the Chüy region.",
        )
    return {"institutions_reorganised": len(KG_INSTITUTIONS)}
