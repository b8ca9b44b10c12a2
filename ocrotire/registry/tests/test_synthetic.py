"""Synthetic persons: reproducible, duplicates with known truth, valid identifiers; the command."""

from __future__ import annotations

import csv
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ocrotire.core.models import AuditEvent
from ocrotire.demo.synthetic.persons import (
    COUNTRIES,
    SyntheticPerson,
    households,
    leaf_units,
    persons,
)
from ocrotire.geo.services import pack_load
from ocrotire.registry.identifiers import identifier_normalise
from ocrotire.registry.models import Household, NameKey, Person, PersonIdentifier
from ocrotire.registry.names import detect_script
from ocrotire.registry.services import name_keys_refresh

UNITS = ["U-1", "U-2", "U-3"]


def generate(count, **options):
    return list(persons(count, units=UNITS, **options))


@pytest.mark.parametrize("country", COUNTRIES)
def test_same_seed_same_output(country):
    first = generate(600, seed=11, country=country)
    assert first == generate(600, seed=11, country=country)
    assert first != generate(600, seed=12, country=country)


def test_duplicates_repeat_an_earlier_person_with_variations():
    records = generate(4000, seed=3)
    seen: dict[int, SyntheticPerson] = {}
    for record in records:
        if record["kind"] == "duplicate":
            assert record["entity"] in seen, "a duplicate repeats an earlier person"
            original = seen[record["entity"]]
            assert record["sex"] == original["sex"]
            assert record["variations"]
        else:
            assert record["entity"] not in seen, "each person has one first record"
            seen[record["entity"]] = record
    kinds = Counter(record["kind"] for record in records)
    assert 0.07 < kinds["duplicate"] / len(records) < 0.13
    assert 0.003 < kinds["twin"] / len(records) < 0.02
    variations = Counter(v for record in records for v in record["variations"])
    for variation in ("script", "diacritics", "typo", "swapped", "estimated_birth", "russified"):
        assert variations[variation] > 0, variation
    # The registry never holds one national number on two active records.
    for record in records:
        if record["kind"] == "duplicate" and record["identifiers"]:
            assert not seen[record["entity"]]["identifiers"]


def test_variations_are_what_they_say():
    records = generate(4000, seed=5)
    first = {r["entity"]: r for r in records if r["kind"] != "duplicate"}
    for record in records:
        if record["kind"] != "duplicate" or len(record["variations"]) > 2:
            continue
        original = first[record["entity"]]
        variations = set(record["variations"]) - {"identifier_one_side"}
        if variations == {"script"}:
            assert detect_script(record["family_name"]) != detect_script(original["family_name"])
        elif variations == {"swapped"}:
            assert (record["given_name"], record["family_name"]) == (
                original["family_name"],
                original["given_name"],
            )
        elif variations == {"estimated_birth"}:
            assert record["birth_date_estimated"]
            assert abs(record["birth_date"].year - original["birth_date"].year) <= 1
        elif variations == {"exact"}:
            assert record["given_name"] == original["given_name"]
            assert record["family_name"] == original["family_name"]


def test_twins_share_family_name_and_birth_date():
    records = generate(6000, seed=8)
    by_entity = {r["entity"]: r for r in records if r["kind"] != "duplicate"}
    twins = [r for r in records if r["kind"] == "twin"]
    assert twins
    for twin in twins:
        sibling = by_entity[twin["twin_of"]]
        assert twin["entity"] != sibling["entity"]
        assert twin["birth_date"] == sibling["birth_date"]
        if twin["sex"] == sibling["sex"]:
            assert twin["family_name"] == sibling["family_name"]
            assert twin["given_name"] != sibling["given_name"]


@pytest.mark.parametrize("country", COUNTRIES)
def test_identifiers_are_valid_canonical_and_unique(country):
    records = generate(3000, seed=2, country=country)
    issued = [pair for record in records for pair in record["identifiers"]]
    assert len(issued) > 1000
    assert len(set(issued)) == len(issued)
    for scheme, value in issued:
        assert identifier_normalise(scheme, value) == value


def test_scripts_per_country():
    scripts = {
        country: Counter(detect_script(r["family_name"]) for r in generate(2000, country=country))
        for country in COUNTRIES
    }
    assert scripts["MD"]["latin"] > scripts["MD"]["cyrillic"] > 0
    assert scripts["UA"]["cyrillic"] > scripts["UA"]["latin"] > 0
    assert scripts["KG"]["cyrillic"] > 0
    assert scripts["KG"]["latin"] > 0
    assert scripts["RO"]["cyrillic"] == 0
    kyrgyz = "".join(r["given_name"] + r["family_name"] for r in generate(2000, country="KG"))
    assert set("ңөү") <= set(kyrgyz)


def test_households_group_a_family():
    records = generate(300, seed=4, duplicates=0.0)
    found = households(records)
    assert sum(len(h["members"]) for h in found) == len(records)
    for household in found:
        heads = [role for _position, role in household["members"] if role == "head"]
        assert len(heads) == 1


@pytest.fixture
def md_units(db):
    pack_load(actor=None, country="MD")


def test_generate_persons_command(md_units, tmp_path):
    truth = tmp_path / "truth.csv"
    call_command(
        "generate_persons",
        count=300,
        seed=5,
        truth=truth,
        households=True,
        stdout=StringIO(),
        stderr=StringIO(),
    )
    assert Person.objects.count() == 300
    assert not Person.objects.filter(name_keys__isnull=True).exists()
    assert Household.objects.exists()
    # The same keys as the normal write path.
    for person in Person.objects.order_by("?")[:20]:
        before = sorted(NameKey.objects.filter(person=person).values_list("key", "birth_year"))
        name_keys_refresh(person)
        after = sorted(NameKey.objects.filter(person=person).values_list("key", "birth_year"))
        assert before == after
        assert person.scope_unit_id == person.unit_id
        assert person.birth_date is not None
        assert person.birth_year == person.birth_date.year
    for scheme, value in PersonIdentifier.objects.values_list("scheme", "value"):
        assert identifier_normalise(scheme, value) == value
    events = AuditEvent.objects.filter(object_type="registry.person")
    assert events.count() == 1
    event = events.get()
    assert event.action == "create"
    assert event.actor_id is None
    assert event.changes["generated"] == 300
    assert event.changes["seed"] == 5
    with truth.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 300
    assert {int(row["person_id"]) for row in rows} == set(
        Person.objects.values_list("pk", flat=True)
    )
    expected = [r["entity"] for r in persons(300, units=list(leaf_units("MD")), seed=5)]
    assert [int(row["entity"]) for row in rows] == expected


def test_generate_persons_refuses_in_production(md_units, settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="production"):
        call_command("generate_persons", count=10, stdout=StringIO(), stderr=StringIO())
    assert not Person.objects.exists()


def test_generate_persons_needs_units(db):
    with pytest.raises(CommandError, match="load_packs"):
        call_command("generate_persons", count=10, stdout=StringIO(), stderr=StringIO())
