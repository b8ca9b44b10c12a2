"""Demo placements with the figure of seed 000: 7 professional parental assistants in Chișinău
with 13 children placed in their families. Runs once."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from ocrotire.accounts.models import User
from ocrotire.care.models import Placement, PlacementForm
from ocrotire.care.services import placement_start
from ocrotire.providers.demo import DemoChildren

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
                carer_name=carer,
                started_at=started,
            )
            created += 1
    return {"placements_created": created}
