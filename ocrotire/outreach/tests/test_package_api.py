"""The minimum package of services through the API, in Chernihiv: a family's plan of package
services, each service given recorded once (a device may send it twice), and the coverage per
hromada — which families received which service, and where a planned service reaches no family
and no provider offers it."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from ocrotire.accounts.models import User
from ocrotire.core.models import AuditEvent
from ocrotire.geo.models import Unit
from ocrotire.geo.services import UnitSpec, unit_upsert
from ocrotire.outreach.models import Delivery
from ocrotire.outreach.tests.world import household_with_children
from ocrotire.registry.models import Household

pytestmark = pytest.mark.django_db
PACKAGE = "minimum_package_chernihiv"


@pytest.fixture
def hromadas(territory: dict[str, Unit], casework: None) -> dict[str, Unit]:
    made = {}
    for spec in (
        UnitSpec("UA-74-T1", "commune", "Іванівська громада", "UA-74"),
        UnitSpec("UA-74-T1-V", "village", "Іванівка", "UA-74-T1"),
        UnitSpec("UA-74-T2", "commune", "Киселівська громада", "UA-74"),
    ):
        made[spec.code], _outcome = unit_upsert(actor=None, spec=spec)
    return made


@pytest.fixture
def families(personas: dict[str, User], hromadas: dict[str, Unit]) -> list[Household]:
    worker = personas["specialist_ua"]
    return [
        household_with_children(worker, hromadas["UA-74-T1-V"], "Шевчук"),
        household_with_children(worker, hromadas["UA-74-T1-V"], "Бондар"),
        household_with_children(worker, hromadas["UA-74-T2"], "Ткаченко"),
    ]


@pytest.fixture
def ua(api: Any, personas: dict[str, User]) -> Any:
    return api(personas["specialist_ua"])


def _plan(client: Any, household: Household, services: list[str], **extra: Any) -> Any:
    return client.patch(
        f"/api/v1/households/{household.pk}/package/",
        {"bundle": PACKAGE, "services": services, **extra},
        format="json",
    )


def _give(client: Any, household: Household, service: str, **extra: Any) -> Any:
    body = {
        "service": service,
        "delivered_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
        "minutes": 45,
        **extra,
    }
    return client.post(f"/api/v1/households/{household.pk}/deliveries/", body, format="json")


def test_a_family_plan_and_the_services_given(ua: Any, families: list[Household]) -> None:
    family = families[0]
    offered = ua.get(f"/api/v1/households/{family.pk}/package/").json()
    packages = {p["code"]: p for p in offered["packages"]}
    assert "crisis_intervention" in packages[PACKAGE]["services"]
    assert len(packages[PACKAGE]["services"]) == 8
    planned = _plan(ua, family, ["early_intervention", "social_support_sdc"])
    assert planned.status_code == 200, planned.json()
    (plan,) = planned.json()["plans"]
    assert sorted(plan["services"]) == ["early_intervention", "social_support_sdc"]
    assert plan["version"] == 1
    # a change from an old version is refused; from the current one it is taken
    assert _plan(ua, family, ["day_care"], version=2).status_code == 409
    changed = _plan(ua, family, ["early_intervention", "day_care"], version=1)
    assert changed.json()["plans"][0]["version"] == 2
    given = _give(ua, family, "early_intervention", note="Перший візит")
    assert given.status_code == 201, given.json()
    assert given.json()["minutes"] == 45
    assert given.json()["worker"] == "specialist_ua"
    body = ua.get(f"/api/v1/households/{family.pk}/package/").json()
    assert [d["service"] for d in body["deliveries"]] == ["early_intervention"]
    assert AuditEvent.objects.filter(object_type="outreach.delivery").count() == 1


def test_a_service_sent_twice_from_a_device_is_recorded_once(
    ua: Any, families: list[Household]
) -> None:
    client_id = str(uuid.uuid4())
    first = _give(ua, families[0], "day_care", client_id=client_id)
    again = _give(ua, families[0], "day_care", client_id=client_id)
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert Delivery.objects.count() == 1


def test_bad_services_are_refused_by_field(ua: Any, families: list[Household]) -> None:
    family = families[0]
    assert _plan(ua, family, ["foster_care_nowhere"]).status_code == 400
    assert _plan(ua, family, []).status_code == 400
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    late = _give(ua, family, "day_care", delivered_on=tomorrow)
    assert late.status_code == 400
    assert "delivered_on" in late.json()["error"]["fields"]
    long = _give(ua, family, "day_care", minutes=5000)
    assert long.status_code == 400
    assert not Delivery.objects.exists()


def test_the_coverage_per_hromada(
    ua: Any, families: list[Household], api: Any, personas: Any
) -> None:
    first, second, third = families
    for family in (first, second, third):
        assert _plan(ua, family, ["early_intervention", "crisis_intervention"]).status_code == 200
    _give(ua, first, "early_intervention")
    _give(ua, first, "early_intervention")  # twice to one family: one family served
    _give(ua, third, "early_intervention")
    body = ua.get("/api/v1/package/coverage/", {"package": PACKAGE, "country": "UA"}).json()
    assert [s["code"] for s in body["services"]][:1]
    rows = {row["unit"]: row for row in body["communities"]}
    assert set(rows) == {"UA-74-T1", "UA-74-T2"}  # the village counts in its hromada
    ivanivka = rows["UA-74-T1"]
    assert ivanivka["families"] == 2
    assert ivanivka["services"]["early_intervention"] == {
        "planned": 2,
        "served": 1,
        "offered": False,
        "lacking": False,
    }
    assert ivanivka["services"]["crisis_intervention"]["lacking"] is True
    assert ivanivka["services"]["day_care"] == {
        "planned": 0,
        "served": 0,
        "offered": False,
        "lacking": False,
    }
    assert rows["UA-74-T2"]["services"]["early_intervention"]["served"] == 1
    # a Moldovan specialist sees no Ukrainian family
    md = api(personas["specialist"]).get(
        "/api/v1/package/coverage/", {"package": PACKAGE, "country": "UA"}
    )
    assert md.json()["communities"] == []
    assert (
        api(personas["specialist"]).get(f"/api/v1/households/{first.pk}/package/").status_code
        == 404
    )
