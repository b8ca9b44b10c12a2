"""The package pages without JavaScript, in Chernihiv: a family's plan made on the page, a
service given recorded, bad input beside its field, and the coverage table with what is missing."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from ocrotire.accounts.models import User
from ocrotire.geo.models import Unit
from ocrotire.geo.services import UnitSpec, unit_upsert
from ocrotire.outreach.models import Delivery, PackagePlan
from ocrotire.outreach.tests.world import household_with_children
from ocrotire.providers.models import ServiceBundle

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(
    personas: dict[str, User], territory: dict[str, Unit], casework: None, mfa_off: None
) -> Any:
    unit_upsert(actor=None, spec=UnitSpec("UA-74-T1", "commune", "Іванівська громада", "UA-74"))
    village, _ = unit_upsert(
        actor=None, spec=UnitSpec("UA-74-T1-V", "village", "Іванівка", "UA-74-T1")
    )
    worker = personas["specialist_ua"]
    worker.language = "en"
    worker.save(update_fields=["language"])
    client = Client()
    client.force_login(worker)
    return client, household_with_children(worker, village, "Шевчук")


def test_a_plan_and_a_service_given_on_the_page(desk: Any) -> None:
    client, family = desk
    url = f"/outreach/households/{family.pk}/package/"
    page = client.get(url).content.decode()
    bundle = ServiceBundle.objects.get(country="UA", code="minimum_package_chernihiv")
    assert "Crisis" in page or "crisis" in page.lower()
    saved = client.post(
        url,
        {
            "form": f"plan-{bundle.pk}",
            f"p{bundle.pk}-services": ["early_intervention", "crisis_intervention"],
        },
        follow=True,
    )
    assert "The plan was saved." in saved.content.decode()
    plan = PackagePlan.objects.get(household=family, bundle=bundle)
    assert sorted(s.code for s in plan.services.all()) == [
        "crisis_intervention",
        "early_intervention",
    ]
    refused = client.post(
        url,
        {
            "form": "delivery",
            "d-service": "early_intervention",
            "d-delivered_on": "2999-01-01",
            "d-minutes": "30",
        },
    )
    assert refused.status_code == 400
    assert "The day the service was given cannot be in the future." in refused.content.decode()
    recorded = client.post(
        url,
        {
            "form": "delivery",
            "d-service": "early_intervention",
            "d-delivered_on": timezone.localdate().isoformat(),
            "d-minutes": "30",
        },
        follow=True,
    )
    assert "The service given was recorded." in recorded.content.decode()
    assert Delivery.objects.get().minutes == 30
    coverage = client.get("/outreach/coverage/", {"package": bundle.pk}).content.decode()
    assert "Іванівська громада" in coverage
    assert "1 / 1" in coverage
    assert "missing" in coverage  # crisis intervention: planned, given to none, offered by none
