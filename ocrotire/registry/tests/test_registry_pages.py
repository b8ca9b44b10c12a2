"""Registry pages: register with the duplicates check, record relationships and households."""

from __future__ import annotations

import pytest

from ocrotire.registry.models import HouseholdMember, Person, Relationship
from ocrotire.registry.services import PersonInput, person_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def maria(personas, territory):
    return person_create(
        actor=personas["specialist"],
        data=PersonInput(
            given_name="Maria", family_name="Țurcanu", birth_date=None, unit=territory["MD-CU-BOT"]
        ),
    )


def test_registration_stops_on_a_likely_duplicate_until_confirmed(client, personas, maria, mfa_off):
    client.force_login(personas["specialist"])
    form = {
        "family_name": "Цуркану",
        "given_name": "Мария",
        "birth_date_precision": "day",
        "displacement": "none",
        "id-TOTAL_FORMS": "2",
        "id-INITIAL_FORMS": "0",
    }
    first = client.post("/registry/new/", form)
    assert first.status_code == 200
    assert "confirm_new" in first.content.decode()
    assert Person.objects.count() == 1
    second = client.post("/registry/new/", {**form, "confirm_new": "1"})
    assert second.status_code == 302
    assert Person.objects.count() == 2


def test_duplicates_panel_fragment(client, personas, maria, mfa_off):
    client.force_login(personas["specialist"])
    response = client.post(
        "/registry/new/duplicates/",
        {
            "family_name": "Turcanu",
            "given_name": "Maria",
            "birth_date_precision": "day",
            "displacement": "none",
            "id-TOTAL_FORMS": "0",
            "id-INITIAL_FORMS": "0",
        },
    )
    html = response.content.decode()
    assert "<html" not in html
    assert "Țurcanu Maria" in html


def test_relationship_and_household_from_the_card(client, personas, maria, territory, mfa_off):
    mother = person_create(
        actor=personas["specialist"],
        data=PersonInput(given_name="Elena", family_name="Țurcanu", unit=territory["MD-CU-BOT"]),
    )
    client.force_login(personas["specialist"])
    card = client.get(f"/registry/{mother.pk}/", {"rel_q": "Maria"}).content.decode()
    assert f'value="{maria.pk}"' in card
    response = client.post(
        f"/registry/{mother.pk}/relationships/",
        {"related": maria.pk, "kind": "mother", "legal_representative": "1"},
    )
    assert response.status_code == 302
    relationship = Relationship.objects.get()
    assert (relationship.person, relationship.related, relationship.legal_representative) == (
        mother,
        maria,
        True,
    )
    start = client.post(f"/registry/{mother.pk}/household/")
    household_id = int(start["Location"].rstrip("/").split("/")[-1])
    client.post(f"/registry/households/{household_id}/members/", {"person": maria.pk})
    assert set(HouseholdMember.objects.values_list("person_id", "role")) == {
        (mother.pk, "head"),
        (maria.pk, "member"),
    }


def test_other_sector_cannot_add_relationships(client, personas, maria, mfa_off):
    client.force_login(personas["specialist2"])
    assert (
        client.post(
            f"/registry/{maria.pk}/relationships/", {"related": maria.pk, "kind": "sibling"}
        ).status_code
        == 404
    )
    assert not Relationship.objects.exists()


def test_remove_relationship_and_member_from_the_pages(client, personas, maria, territory, mfa_off):
    from ocrotire.registry.services import household_create, household_member_add, relationship_add

    mother = person_create(
        actor=personas["specialist"],
        data=PersonInput(given_name="Elena", family_name="Țurcanu", unit=territory["MD-CU-BOT"]),
    )
    rel = relationship_add(
        actor=personas["specialist"], person=mother, related=maria, kind="mother"
    )
    household = household_create(actor=personas["specialist"], name="T", unit=None)
    household_member_add(actor=personas["specialist"], household=household, person=maria)
    client.force_login(personas["specialist2"])
    assert client.post(f"/registry/{mother.pk}/relationships/{rel.pk}/remove/").status_code == 404
    client.force_login(personas["specialist"])
    assert "relationships/" in client.get(f"/registry/{mother.pk}/").content.decode()
    assert "/remove/" in client.get(f"/registry/households/{household.pk}/").content.decode()
    assert client.post(f"/registry/{mother.pk}/relationships/{rel.pk}/remove/").status_code == 302
    assert not Relationship.objects.exists()
    assert (
        client.post(f"/registry/households/{household.pk}/members/{maria.pk}/remove/").status_code
        == 302
    )
    assert not HouseholdMember.objects.exists()
