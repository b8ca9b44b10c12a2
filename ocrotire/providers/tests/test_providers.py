"""The provider register: country catalogues, providers and service points through the API,
with scope, the register keepers' fields, licence warnings, conflicts and audit rows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from ocrotire.core.models import AuditEvent
from ocrotire.providers.models import Provider, ServiceBundle, ServicePoint, ServiceType
from ocrotire.providers.services import catalogue_load

pytestmark = pytest.mark.django_db

SEED_000_SERVICES = {
    "professional_parental_assistance",
    "family_type_home",
    "assisted_social_housing",
    "day_service_infants",
    "maternal_centre",
    "day_centre_risk",
    "street_children",
}


@pytest.fixture
def catalogues(territory):
    for country in ("MD", "UA"):
        catalogue_load(country=country)


@pytest.fixture
def provider_user(make_user, institutions):
    """Staff of a day centre, who will be entered in the register by the directorate."""

    def make(institution):
        return make_user("provider-staff", ("provider",), (), institution)

    return make


def _create(api, user, **body):
    payload = {
        "kind": "ngo",
        "name": "Centrul de zi «Speranța»",
        "abbreviation": "CZ-SPER",
        "units": ["MD-CU-BOT"],
        **body,
    }
    return api(user).post("/api/v1/providers/", payload, format="json")


def test_catalogues_load_from_the_packs_once(catalogues):
    md = set(ServiceType.objects.filter(country="MD").values_list("code", flat=True))
    assert md >= SEED_000_SERVICES
    package = ServiceBundle.objects.get(country="UA", code="minimum_package")
    assert package.types.count() == 8
    assert ServiceType.objects.get(country="UA", code="crisis_intervention").classifier_code == (
        "012.0"
    )
    assert catalogue_load(country="MD") == 0
    assert catalogue_load(country="UA") == 0


def test_catalogue_api_lists_a_country_and_a_bundle(api, personas, catalogues):
    client = api(personas["specialist"])
    every = client.get("/api/v1/service-types/", {"country": "UA"}).json()
    package = client.get(
        "/api/v1/service-types/", {"country": "UA", "bundle": "minimum_package"}
    ).json()
    assert len(package) == 8 < len(every)
    assert all("minimum_package" in row["bundles"] for row in package)
    bad = client.get("/api/v1/service-types/", {"country": "UA", "bundle": "nope"})
    assert bad.status_code == 400
    assert "bundle" in bad.json()["error"]["fields"]


def test_supervisor_enters_a_provider_and_its_service_point(api, personas, catalogues):
    until = timezone.localdate() + timedelta(days=20)
    created = _create(
        api,
        personas["supervisor"],
        legal_form="Asociație obștească",
        registration_number="1234567",
        licence_number="AC-77",
        licence_valid_until=until.isoformat(),
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["units"] == ["MD-CU-BOT"]
    assert body["kind"] == "ngo"
    assert body["licence_status"] == "expiring"
    provider = Provider.objects.get(pk=body["id"])
    assert provider.institution.kind == "ngo"

    point = api(personas["supervisor"]).post(
        "/api/v1/services/",
        {
            "provider": provider.pk,
            "service_type": "day_centre_risk",
            "unit": "MD-CU-BOT",
            "name": "Centrul de zi pentru copii în situații de risc",
            "capacity": 110,
            "age_min_months": 72,
            "age_max_months": 215,
            "languages": ["ro", "ru"],
        },
        format="json",
    )
    assert point.status_code == 201, point.content
    assert point.json()["capacity"] == 110
    assert point.json()["service_type"] == "day_centre_risk"
    listed = api(personas["specialist"]).get(
        "/api/v1/services/", {"unit": "MD-CU", "service_type": "day_centre_risk"}
    )
    assert [row["id"] for row in listed.json()["results"]] == [point.json()["id"]]
    expiring = api(personas["specialist"]).get("/api/v1/providers/", {"licence": "expiring"})
    assert [row["id"] for row in expiring.json()["results"]] == [provider.pk]
    assert AuditEvent.objects.filter(
        object_type="providers.provider", object_id=str(provider.pk), action="create"
    ).exists()
    assert AuditEvent.objects.filter(
        object_type="providers.servicepoint", object_id=str(point.json()["id"]), action="create"
    ).exists()


def test_bad_service_points_are_refused_with_field_messages(api, personas, catalogues):
    provider_id = _create(api, personas["supervisor"]).json()["id"]
    client = api(personas["supervisor"])
    base = {
        "provider": provider_id,
        "service_type": "day_centre_risk",
        "unit": "MD-CU-BOT",
        "name": "Punct",
        "capacity": 10,
    }
    ages = client.post(
        "/api/v1/services/", {**base, "age_min_months": 36, "age_max_months": 4}, format="json"
    )
    assert ages.status_code == 400
    assert "age_max_months" in ages.json()["error"]["fields"]
    foreign = client.post(
        "/api/v1/services/", {**base, "service_type": "minimum_package"}, format="json"
    )
    assert foreign.status_code == 400
    assert "service_type" in foreign.json()["error"]["fields"]
    ukrainian = client.post(
        "/api/v1/services/", {**base, "service_type": "crisis_intervention"}, format="json"
    )
    assert ukrainian.status_code == 400
    assert "service_type" in ukrainian.json()["error"]["fields"]
    tongue = client.post("/api/v1/services/", {**base, "languages": ["xx"]}, format="json")
    assert tongue.status_code == 400
    assert "languages" in tongue.json()["error"]["fields"]
    negative = client.post("/api/v1/services/", {**base, "capacity": -1}, format="json")
    assert negative.status_code == 400
    assert "capacity" in negative.json()["error"]["fields"]
    assert not ServicePoint.objects.exists()


def test_licence_that_ends_before_it_starts_is_refused(api, personas, catalogues):
    response = _create(
        api,
        personas["supervisor"],
        licence_valid_from="2026-05-01",
        licence_valid_until="2026-01-01",
    )
    assert response.status_code == 400
    assert "licence_valid_until" in response.json()["error"]["fields"]
    assert not Provider.objects.exists()


def test_only_register_keepers_enter_providers(api, personas, catalogues):
    for persona in ("specialist", "reporter", "auditor"):
        assert _create(api, personas[persona]).status_code == 403
    assert not Provider.objects.exists()


def test_a_provider_outside_ones_area_is_invisible(api, personas, catalogues):
    provider_id = _create(api, personas["supervisor"]).json()["id"]
    ua = api(personas["specialist_ua"])
    assert ua.get(f"/api/v1/providers/{provider_id}/").status_code == 404
    assert ua.get("/api/v1/providers/").json()["results"] == []
    assert api(personas["specialist2"]).get(f"/api/v1/providers/{provider_id}/").status_code == 404
    assert api(personas["specialist"]).get(f"/api/v1/providers/{provider_id}/").status_code == 200


def test_provider_staff_keep_contacts_and_places_but_not_the_licence(
    api, personas, catalogues, provider_user
):
    provider_id = _create(api, personas["supervisor"]).json()["id"]
    provider = Provider.objects.get(pk=provider_id)
    staff = provider_user(provider.institution)
    point = (
        api(personas["supervisor"])
        .post(
            "/api/v1/services/",
            {
                "provider": provider_id,
                "service_type": "day_centre_risk",
                "unit": "MD-CU-BOT",
                "name": "Punct",
                "capacity": 10,
            },
            format="json",
        )
        .json()
    )
    client = api(staff)
    contact = client.patch(
        f"/api/v1/providers/{provider_id}/",
        {"version": 1, "phone": "+373 22 000000"},
        format="json",
    )
    assert contact.status_code == 200
    assert contact.json()["phone"] == "+373 22 000000"
    licence = client.patch(
        f"/api/v1/providers/{provider_id}/",
        {"version": 2, "licence_number": "FORGED"},
        format="json",
    )
    assert licence.status_code == 400
    assert "licence_number" in licence.json()["error"]["fields"]
    places = client.patch(
        f"/api/v1/services/{point['id']}/", {"version": 1, "capacity": 12}, format="json"
    )
    assert places.status_code == 200
    assert places.json()["capacity"] == 12
    stale = client.patch(
        f"/api/v1/services/{point['id']}/", {"version": 1, "capacity": 14}, format="json"
    )
    assert stale.status_code == 409
    assert ServicePoint.objects.get(pk=point["id"]).capacity == 12


def test_another_providers_staff_cannot_edit(api, personas, catalogues, make_user, institutions):
    provider_id = _create(api, personas["supervisor"]).json()["id"]
    stranger = make_user("other-provider", ("provider",), (), institutions["SCH-BOT"])
    response = api(stranger).patch(
        f"/api/v1/providers/{provider_id}/", {"version": 1, "phone": "1"}, format="json"
    )
    assert response.status_code in (403, 404)
    assert Provider.objects.get(pk=provider_id).phone == ""


def test_service_filter_finds_the_service_in_every_country(api, personas, catalogues, territory):
    """A family-type home has a catalogue row in Moldova and in Ukraine: the filter is by code."""
    from ocrotire.providers.services import provider_create, service_point_create

    admin = personas["admin"]
    provider = provider_create(
        actor=admin, kind="public", name="Служба Чернігів", units=[territory["UA-74"]]
    )
    point = service_point_create(
        actor=admin,
        provider=provider,
        service_type=ServiceType.objects.get(country="UA", code="family_type_home"),
        unit=territory["UA-74"],
        name="ДБСТ Чернігів",
        capacity=8,
    )
    client = api(personas["specialist_ua"])
    listed = client.get("/api/v1/services/", {"service_type": "family_type_home"}).json()
    assert [row["id"] for row in listed["results"]] == [point.pk]
    providers = client.get("/api/v1/providers/", {"service_type": "family_type_home"}).json()
    assert [row["id"] for row in providers["results"]] == [provider.pk]
    unknown = client.get("/api/v1/services/", {"service_type": "orphanage"})
    assert unknown.status_code == 400
