"""The field app's pack, through the API: a worker gets the households of their village with the
children, the latest screening, the services the family may be given, the coming visits and the
sheet in their language; nothing of another village; a specialist of another sector gets nothing; a user with no field role is told
to wipe the device; the app's page, manifest and service worker are served."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ocrotire.accounts.models import User
from ocrotire.geo.models import Unit
from ocrotire.geo.services import UnitSpec, unit_upsert
from ocrotire.outreach.package import package_plan_set
from ocrotire.outreach.screening import follow_up_visit, screening_record
from ocrotire.outreach.tests.factories import Village, as_worker
from ocrotire.outreach.tests.world import household_with_children
from ocrotire.providers.models import ServiceBundle, ServiceType

pytestmark = pytest.mark.django_db
URL = "/api/v1/field/pack/"
ANSWERS = {"economic": {"poverty": True}, "housing": {"overcrowded": True}}


def pack_of(client: Any) -> dict[str, Any]:
    response = client.get(URL)
    assert response.status_code == 200, response.content
    assert "no-store" in response["Cache-Control"]
    data: dict[str, Any] = response.json()
    return data


def test_a_worker_gets_their_village_with_screening_visits_and_sheet(
    api: Any, village: Village
) -> None:
    screening = screening_record(actor=village.community, household=village.home, answers=ANSWERS)
    visit_on = timezone.localdate() + timedelta(days=3)
    follow_up_visit(
        actor=village.community, screening=screening, child=village.child, visit_on=visit_on
    )

    pack = pack_of(as_worker(api, village.community))

    assert pack["wipe"] is False
    assert [h["id"] for h in pack["households"]] == [village.home.pk]
    (home,) = pack["households"]
    assert [c["id"] for c in home["children"]] == [village.child.pk]
    assert home["screening"]["id"] == screening.pk
    assert home["screening"]["version"] == 1
    assert home["screening"]["answers"]["economic"]["poverty"] is True
    names = {f["code"]: f["name"] for f in home["screening"]["flags"]}
    assert "poor_overcrowded" in names
    assert all(name and name != code for code, name in names.items())
    assert [(v["child"]["id"], v["visit_on"]) for v in pack["visits"]] == [
        (village.child.pk, visit_on.isoformat())
    ]
    sheet = pack["sheets"][home["country"]]
    question = sheet["sections"][1]["fields"][0]
    assert (question["key"], question["type"]) == ("poverty", "yesno")
    assert question["name"]


def test_with_no_package_in_moldova_a_family_may_be_given_the_catalogues_services(
    api: Any, village: Village, casework: None
) -> None:
    assert not ServiceBundle.objects.filter(country="MD").exists()

    (home,) = pack_of(as_worker(api, village.community))["households"]

    catalogue = ServiceType.objects.filter(country="MD", active=True)
    assert {s["code"] for s in home["services"]} == {s.code for s in catalogue}
    named = {s["code"]: s for s in home["services"]}["family_support"]
    assert named["name"] == catalogue.get(code="family_support").names["en"]
    assert named["group"] == "Prevention and family support"


def _ua_families(specialist: User) -> list[Any]:
    hromada, _outcome = unit_upsert(
        actor=None, spec=UnitSpec("UA-74-T1", "commune", "Іванівська громада", "UA-74")
    )
    return [household_with_children(specialist, hromada, name) for name in ("Шевчук", "Бондар")]


def test_a_family_with_a_plan_may_be_given_its_planned_services(
    api: Any, village: Village, personas: dict[str, User], casework: None
) -> None:
    specialist = personas["specialist_ua"]
    planned, unplanned = _ua_families(specialist)
    package = ServiceBundle.objects.get(country="UA", code="minimum_package_chernihiv")
    package_plan_set(
        actor=specialist,
        household=planned,
        bundle=package,
        services=list(package.types.filter(code__in=["early_intervention", "crisis_intervention"])),
    )
    client = as_worker(api, specialist)
    client.credentials(HTTP_ACCEPT_LANGUAGE="uk")

    with CaptureQueriesContext(connection) as two:
        pack = pack_of(client)

    households = {h["id"]: h for h in pack["households"]}
    assert set(households) == {planned.pk, unplanned.pk}  # not the Moldovan village
    services = households[planned.pk]["services"]
    assert sorted(s["code"] for s in services) == ["crisis_intervention", "early_intervention"]
    names = {s["code"]: s["name"] for s in services}
    early = ServiceType.objects.get(country="UA", code="early_intervention")
    assert names["early_intervention"] == early.names["uk"]
    # With no plan: the services of the country's packages, each once.
    packages = ServiceType.objects.filter(bundles__country="UA").distinct()
    codes = [s["code"] for s in households[unplanned.pk]["services"]]
    assert sorted(codes) == sorted(s.code for s in packages)
    # More families, planned or not, ask no more of the database.
    more = household_with_children(specialist, Unit.objects.get(code="UA-74-T1"), "Ткаченко")
    package_plan_set(
        actor=specialist, household=more, bundle=package, services=list(package.types.all())
    )
    with CaptureQueriesContext(connection) as three:
        assert len(pack_of(client)["households"]) == 3
    assert len(three) == len(two)


def test_the_sheet_is_in_the_users_language(api: Any, village: Village) -> None:
    client = as_worker(api, village.community)
    english = pack_of(client)["sheets"]["MD"]["sections"][1]["name"]
    client.credentials(HTTP_ACCEPT_LANGUAGE="uk")
    ukrainian = pack_of(client)["sheets"]["MD"]["sections"][1]["name"]
    assert english
    assert ukrainian
    assert english != ukrainian


def test_a_specialist_of_another_sector_gets_nothing_of_the_village(
    api: Any, village: Village, personas: dict[str, User]
) -> None:
    screening_record(actor=village.community, household=village.home, answers=ANSWERS)

    pack = pack_of(as_worker(api, personas["specialist2"]))

    assert pack["wipe"] is False
    assert pack["households"] == []
    assert pack["visits"] == []


def test_the_specialist_of_the_sector_gets_both_households(
    api: Any, village: Village, personas: dict[str, User]
) -> None:
    pack = pack_of(as_worker(api, personas["specialist"]))
    assert {h["id"] for h in pack["households"]} == {village.home.pk, village.away.pk}


@pytest.mark.parametrize("persona", ["outsider", "auditor", "reporter"])
def test_a_user_with_no_field_role_is_told_to_wipe_the_device(
    api: Any, village: Village, personas: dict[str, User], persona: str
) -> None:
    pack = pack_of(as_worker(api, personas[persona]))
    assert pack == {"wipe": True, "households": [], "visits": [], "sheets": {}}


def test_signed_out_gets_no_pack(api: Any, village: Village) -> None:
    assert api(None).get(URL).status_code in (401, 403)


def _page_client(user: User) -> Client:
    # The pages speak the user's own language (Romanian unless chosen): read them in English.
    user.language = "en"
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    return client


def test_the_app_page_its_manifest_and_its_worker(village: Village, mfa_off: None) -> None:
    client = _page_client(village.community)
    page = client.get("/outreach/field/")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'id="field-strings"' in text
    assert "locked with a PIN" in text
    assert '<link rel="manifest" href="/outreach/field/manifest.webmanifest">' in text
    assert "/outreach/field/" in client.get("/outreach/").content.decode()

    manifest = client.get("/outreach/field/manifest.webmanifest")
    assert manifest["Content-Type"] == "application/manifest+json"
    assert manifest.json()["scope"] == "/outreach/field/"

    worker = client.get("/outreach/field/sw.js")
    assert worker["Content-Type"] == "application/javascript"
    source = worker.content.decode()
    assert '"/outreach/field/"' in source
    assert "/static/vendor/idb/idb.umd.js" in source
    assert "/api/" in source  # named only to be left out of the cache


def test_the_app_page_is_for_field_workers_only(personas: dict[str, User], mfa_off: None) -> None:
    assert _page_client(personas["auditor"]).get("/outreach/field/").status_code == 403


def test_signing_out_clears_the_site_data(village: Village) -> None:
    response = _page_client(village.community).post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache", "storage"'
