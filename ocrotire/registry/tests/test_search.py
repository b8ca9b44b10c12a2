"""Searching cases and reports by the child's name: every word of the term, in any order, as a
whole name (but for diacritics, case, script and sound) or, from three letters, a part of one."""

from __future__ import annotations

from typing import Any

import pytest

from ocrotire.cases.tests.test_api import _open_case, report_body

pytestmark = pytest.mark.django_db


@pytest.fixture
def specialist_api(api: Any, personas: dict[str, Any], casework: None) -> Any:
    return api(personas["specialist"])


CHILDREN = {
    "maria_rusu": {"given_name": "Maria", "family_name": "Rusu", "birth_date": "2014-05-02"},
    "ion_rusu": {"given_name": "Ion", "family_name": "Rusu", "birth_date": "2012-01-20"},
    "maria_lungu": {"given_name": "Maria", "family_name": "Lungu", "birth_date": "2015-07-11"},
    "ionita": {"given_name": "Andrei", "family_name": "Ioniță", "birth_date": "2016-02-03"},
    "cyrillic": {"given_name": "Мария", "family_name": "Русу", "birth_date": "2013-09-09"},
    "mariana": {"given_name": "Mariana", "family_name": "Ceban", "birth_date": "2011-04-04"},
}

# What each term must find, and nothing else. A word that is someone's name finds that name (but
# for diacritics, case, script and sound), not the longer names it is part of; a word that is
# nobody's name finds the names it is part of.
EXPECTED = [
    ("Maria Rusu", {"maria_rusu", "cyrillic"}),
    ("rusu MARIA", {"maria_rusu", "cyrillic"}),
    ("  Maria   Rusu ", {"maria_rusu", "cyrillic"}),
    ("Мария Русу", {"maria_rusu", "cyrillic"}),
    ("Rusu", {"maria_rusu", "ion_rusu", "cyrillic"}),
    ("Russu", {"maria_rusu", "ion_rusu", "cyrillic"}),
    ("Ionita", {"ionita"}),
    ("ioniță andrei", {"ionita"}),
    ("Lung", {"maria_lungu"}),
    ("Mari", {"maria_rusu", "maria_lungu", "mariana"}),
    ("Maria", {"maria_rusu", "maria_lungu", "cyrillic"}),
    ("Mariana", {"mariana"}),
    ("Mari Ceban", {"mariana"}),
    ("Ion Lungu", set()),
    ("Ion", {"ion_rusu"}),
    ("Maria Rusu Lungu", set()),
    ("50%", set()),
    ("-", set()),
]


@pytest.fixture
def named_cases(specialist_api: Any) -> dict[str, int]:
    return {
        key: _open_case(specialist_api, children=[{**child, "sex": "F"}])["id"]
        for key, child in CHILDREN.items()
    }


@pytest.mark.parametrize(("term", "expected"), EXPECTED)
def test_case_search_finds_the_children_named_by_every_word(
    specialist_api: Any, named_cases: dict[str, int], term: str, expected: set[str]
) -> None:
    found = specialist_api.get("/api/v1/cases/", {"search": term, "page_size": 100}).json()
    assert {c["id"] for c in found["results"]} == {named_cases[key] for key in expected}
    assert found["count"] == len(expected)


def test_case_search_by_number_finds_that_case_alone(
    specialist_api: Any, named_cases: dict[str, int]
) -> None:
    case = specialist_api.get(f"/api/v1/cases/{named_cases['ion_rusu']}/").json()
    for term in (case["number"], case["number"].lower(), f" {case['number']} "):
        found = specialist_api.get("/api/v1/cases/", {"search": term}).json()
        assert [c["id"] for c in found["results"]] == [case["id"]]


def test_report_search_finds_a_report_once_whichever_of_its_children_is_named(
    specialist_api: Any,
) -> None:
    siblings = specialist_api.post(
        "/api/v1/reports/",
        report_body(
            children=[
                {**CHILDREN["maria_rusu"], "sex": "F"},
                {**CHILDREN["ion_rusu"], "sex": "M"},
            ]
        ),
        format="json",
    ).json()
    other = specialist_api.post(
        "/api/v1/reports/",
        report_body(children=[{**CHILDREN["mariana"], "sex": "F"}]),
        format="json",
    ).json()

    def found(term: str) -> list[int]:
        answer = specialist_api.get("/api/v1/reports/", {"search": term, "page_size": 100})
        assert answer.status_code == 200, answer.json()
        return [r["id"] for r in answer.json()["results"]]

    # The given name was not searched before: "Maria Rusu" found nothing.
    assert found("Maria Rusu") == [siblings["id"]]
    assert found("Rusu") == [siblings["id"]]  # two children named Rusu, one report
    assert sorted(found("Mari")) == sorted([siblings["id"], other["id"]])
    assert found(siblings["number"].lower()) == [siblings["id"]]
    assert found("Ceban Ion") == []


def test_a_term_naming_more_children_than_the_list_holds_finds_the_same(
    specialist_api: Any, named_cases: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    from ocrotire.registry import selectors

    listed = specialist_api.get("/api/v1/cases/", {"search": "Mari"}).json()
    assert listed["count"] == 3
    monkeypatch.setattr(selectors, "SEARCH_CHILDREN_LIMIT", 1)
    assert specialist_api.get("/api/v1/cases/", {"search": "Mari"}).json() == listed


def test_registry_search_by_every_word_of_a_name_or_by_an_identifier(
    api: Any, personas: dict[str, Any]
) -> None:
    from stdnum.md import idno

    client = api(personas["specialist"])
    number = "200300012345" + idno.calc_check_digit("200300012345")
    made = {}
    for key in ("maria_rusu", "ion_rusu", "cyrillic", "mariana"):
        extra = (
            {"identifiers": [{"scheme": "md_idnp", "value": number}]} if key == "ion_rusu" else {}
        )
        answer = client.post(
            "/api/v1/persons/",
            {**CHILDREN[key], "sex": "F", "unit": "MD-CU-BOT", **extra},
            format="json",
        )
        assert answer.status_code == 201, answer.json()
        made[key] = answer.json()["id"]

    def found(term: str) -> set[int]:
        answer = client.get("/api/v1/persons/", {"search": term, "page_size": 100})
        assert answer.status_code == 200, answer.json()
        return {p["id"] for p in answer.json()["results"]}

    # Every Maria and every Rusu were listed for "Maria Rusu" before.
    assert found("Maria Rusu") == {made["maria_rusu"], made["cyrillic"]}
    assert found("Русу") == {made["maria_rusu"], made["ion_rusu"], made["cyrillic"]}
    assert found(number) == {made["ion_rusu"]}
    assert found("Ceban Rusu") == set()
