"""Territory: country packs, the tree, subtree queries, the units API."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ocrotire.core.models import AuditEvent
from ocrotire.geo.models import Unit
from ocrotire.geo.services import pack_load

pytestmark = pytest.mark.django_db


@pytest.fixture
def md_pack(db):
    return pack_load(actor=None, country="MD")


def test_moldova_pack_has_chisinau_with_sectors_and_suburbs(md_pack):
    chisinau = Unit.objects.get(code="MD-CU")
    assert chisinau.iso_code == "MD-CU"
    assert chisinau.level == "municipality"
    sectors = set(chisinau.children.filter(level="sector").values_list("name", flat=True))
    assert sectors == {"Botanica", "Buiucani", "Centru", "Ciocana", "Râșcani"}
    suburbs = Unit.objects.subtree(chisinau).filter(level__in=["town", "commune", "village"])
    assert {"Durlești", "Cricova", "Sîngera", "Vadul lui Vodă"} <= set(
        suburbs.values_list("name", flat=True)
    )
    # Every ISO 3166-2 subdivision of Moldova is in the tree, under the country.
    assert Unit.objects.filter(country="MD", depth=1).count() == 37
    assert chisinau.display_name("ru") == "муниципий Кишинёв"


@pytest.mark.parametrize(("country", "code"), [("UA", "UA-74"), ("RO", "RO-BC"), ("KG", "KG-C")])
def test_starter_packs_load(country, code):
    result = pack_load(actor=None, country=country)
    assert result.created > 0
    region = Unit.objects.get(code=code)
    assert region.iso_code == code
    assert Unit.objects.subtree(region).count() > 1


def test_reloading_a_pack_changes_nothing(md_pack):
    units, events = Unit.objects.count(), AuditEvent.objects.count()
    again = pack_load(actor=None, country="MD")
    assert again.created == again.updated == 0
    assert Unit.objects.count() == units
    assert AuditEvent.objects.count() == events


def test_pack_load_is_audited(md_pack):
    assert (
        AuditEvent.objects.filter(object_type="geo.unit", action="create").count()
        == md_pack.created
    )


def test_subtree_is_one_query_and_includes_all_descendants(md_pack):
    botanica = Unit.objects.get(code="MD-CU-BOT")
    with CaptureQueriesContext(connection) as queries:
        codes = set(Unit.objects.subtree(botanica).values_list("code", flat=True))
    assert len(queries) == 1
    assert "MD-CU-BOT" in codes
    assert all(code.startswith("MD-CU-BOT") for code in codes)
    villages = Unit.objects.filter(level="village", path__startswith=botanica.path)
    assert villages.exists()
    assert set(villages.values_list("code", flat=True)) <= codes
    assert "MD-CU-CEN" not in codes


def test_units_api_filters(api, personas, md_pack):
    client = api(personas["specialist"])
    sectors = client.get("/api/v1/units/", {"parent": "MD-CU", "level": "sector"}).json()
    assert sectors["count"] == 5
    assert {row["parent"] for row in sectors["results"]} == {"MD-CU"}
    within = client.get("/api/v1/units/", {"within": "MD-CU-BOT", "page_size": 500}).json()
    assert within["count"] == Unit.objects.subtree(Unit.objects.get(code="MD-CU-BOT")).count()
    by_code = client.get("/api/v1/units/", {"code": "md-cu"}).json()["results"]
    assert [row["code"] for row in by_code] == ["MD-CU"]
    assert by_code[0]["names"]["ru"] == "муниципий Кишинёв"
    search = client.get("/api/v1/units/", {"search": "Ботаника"}).json()["results"]
    assert [row["code"] for row in search] == ["MD-CU-BOT"]
    unit = Unit.objects.get(code="MD-CU-BOT")
    detail = client.get(f"/api/v1/units/{unit.pk}/").json()
    assert detail["level"] == "sector"
    assert detail["parent"] == "MD-CU"
    assert detail["is_urban"] is True


@pytest.mark.parametrize(
    "params",
    [{"level": "galaxy"}, {"parent": "NOWHERE"}, {"within": "NOWHERE"}, {"country": "MDA"}],
)
def test_units_api_rejects_bad_filters(api, personas, md_pack, params):
    response = api(personas["specialist"]).get("/api/v1/units/", params)
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == set(params)


def test_units_api_query_count_does_not_grow_with_page(
    api, personas, md_pack, django_assert_max_num_queries
):
    client = api(personas["specialist"])
    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/units/", {"page_size": 80})
    assert len(response.json()["results"]) == 80
