"""The children of a new report are resolved in one place: the intake page and the API refuse the
same children with the same sentences, and only those who keep the register name an existing
registry record."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from ocrotire.cases.tests.test_api import report_body
from ocrotire.intake.children import NamedChild, children_resolve
from ocrotire.intake.models import Report
from ocrotire.intake.tests.test_report_pages import _form
from ocrotire.registry.services import PersonInput

pytestmark = pytest.mark.django_db

NOT_IN_AREA = "Child 1: there is no such person in your area."
NO_NAME = "Child 1: give at least a given name or a family name."


@pytest.fixture(autouse=True)
def _english(personas: dict[str, Any]) -> None:
    for user in personas.values():
        user.language = "en"
        user.save(update_fields=["language"])


@pytest.fixture
def known(api: Any, personas: dict[str, Any], casework: None) -> int:
    report = api(personas["specialist"]).post("/api/v1/reports/", report_body(), format="json")
    return int(report.json()["children"][0]["person"])


def _page_errors(client: Any, user: Any, territory: Any, **extra: Any) -> str:
    client.force_login(user)
    response = client.post("/reports/new/", _form(unit=territory["MD-CU-BOT"].pk, **extra))
    assert response.status_code == 200
    return str(response.content.decode())


def _api_errors(api: Any, user: Any, children: list[dict[str, Any]]) -> list[str]:
    response = api(user).post(
        "/api/v1/reports/",
        report_body(children=children),
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400, response.json()
    return list(response.json()["error"]["fields"]["children"])


def test_page_and_api_say_the_same_of_a_child_without_a_name(
    client: Any, api: Any, personas: dict[str, Any], territory: Any, casework: None, mfa_off: None
) -> None:
    before = Report.objects.count()
    html = _page_errors(
        client,
        personas["specialist"],
        territory,
        **{"child-0-family_name": "", "child-0-given_name": "", "child-0-id_value": "AB123"},
        **{"child-0-id_scheme": "birth_certificate"},
    )
    assert NO_NAME in html
    assert _api_errors(api, personas["specialist"], [{"sex": "M"}]) == [NO_NAME]
    assert Report.objects.count() == before


def test_page_and_api_say_the_same_of_a_record_out_of_reach(
    client: Any, api: Any, personas: dict[str, Any], territory: Any, known: int, mfa_off: None
) -> None:
    html = _page_errors(client, personas["specialist"], territory, **{"child-0-person": "999999"})
    assert NOT_IN_AREA in html
    assert _api_errors(api, personas["specialist"], [{"person": 999999}]) == [NOT_IN_AREA]
    # A reporter outside the register names no record, even one that exists.
    html = _page_errors(client, personas["reporter"], territory, **{"child-0-person": str(known)})
    assert NOT_IN_AREA in html
    assert _api_errors(api, personas["reporter"], [{"person": known}]) == [NOT_IN_AREA]


def test_a_community_worker_names_no_existing_record(
    client: Any, api: Any, make_user: Any, territory: Any, known: int, mfa_off: None
) -> None:
    """The registry is theirs to read, the register of reports is not: as on the API, the
    page's form (which offers no registry record to them) takes none."""
    worker = make_user("community", ("community_worker",), ("MD-CU-BOT",))
    worker.language = "en"
    worker.save(update_fields=["language"])
    before = Report.objects.count()
    html = _page_errors(client, worker, territory, **{"child-0-person": str(known)})
    assert NOT_IN_AREA in html
    assert _api_errors(api, worker, [{"person": known}]) == [NOT_IN_AREA]
    assert Report.objects.count() == before


def test_every_refused_child_is_named_by_its_row(
    api: Any, personas: dict[str, Any], casework: None
) -> None:
    errors = _api_errors(api, personas["specialist"], [{"person": 999999}, {"sex": "F"}])
    assert errors == [NOT_IN_AREA, "Child 2: give at least a given name or a family name."]


def test_blank_rows_keep_their_numbers_and_the_first_refusal_stands(
    personas: dict[str, Any], known: int
) -> None:
    built: list[dict[str, Any]] = []

    def build(facts: dict[str, Any]) -> PersonInput:
        built.append(facts)
        return PersonInput(given_name=facts["given_name"])

    with translation.override("en"):
        children, errors = children_resolve(
            user=personas["specialist"],
            named=[
                NamedChild(person=known),
                None,
                NamedChild(facts={"given_name": ""}),
                NamedChild(facts={"given_name": "Ana"}),
            ],
            build=build,
        )
    assert errors == ["Child 3: give at least a given name or a family name."]
    assert [c.person.pk for c in children if c.person] == [known]
    assert built == [], "after a refused child, later new children are not built"
