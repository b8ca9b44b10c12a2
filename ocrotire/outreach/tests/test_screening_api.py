"""Household screening through the API, as a community worker and a supervisor: a screening
raises the flags its answers call for; a flagged child becomes a report in the register of the
authority of the household's place; a stale version is a conflict; the counts per place by the
pack's groups; nobody reads or screens a household outside their area."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from ocrotire.accounts.models import Institution, User
from ocrotire.core.models import AuditEvent
from ocrotire.geo.models import Unit
from ocrotire.intake.models import Channel, Report
from ocrotire.outreach.models import Screening
from ocrotire.outreach.tests.world import community_worker, household_with_children, sheets_load
from ocrotire.registry.models import Household

pytestmark = pytest.mark.django_db

POOR_SINGLE = {
    "economic": {"poverty": True, "unemployed": True},
    "social": {"single_parent": True, "minor_mother": False},
    "housing": {"overcrowded": True},
    "health": {"no_family_doctor": True},
}


@pytest.fixture
def personas(personas: dict[str, User], institutions: dict[str, Institution]) -> dict[str, User]:
    return {**personas, "community": community_worker(institutions["DGPDC-BOT"])}


@pytest.fixture
def village(personas: dict[str, User], territory: dict[str, Unit], casework: None) -> Household:
    sheets_load()
    return household_with_children(
        personas["community"],
        territory["MD-CU-BOT-SIN"],
        "Rusu",
        births=(date(2014, 3, 1), date(2019, 6, 2), date(2001, 1, 1)),
    )


@pytest.fixture
def community(api: Any, personas: dict[str, User]) -> Any:
    return api(personas["community"])


def _screen(client: Any, household: Household, answers: dict[str, Any] | None = None) -> Any:
    return client.post(
        "/api/v1/screenings/",
        {"household": household.pk, "answers": answers or POOR_SINGLE},
        format="json",
    )


def test_a_screening_raises_the_flags_its_answers_call_for(
    community: Any, village: Household
) -> None:
    response = _screen(community, village)
    assert response.status_code == 201, response.json()
    body = response.json()
    codes = [f["code"] for f in body["flags"]]
    assert codes == ["single_parent", "poor_overcrowded", "no_health_cover", "poverty"]
    assert all(f["name"] and f["name"] != f["code"] for f in body["flags"])
    assert body["unit"] == "MD-CU-BOT-SIN"
    assert body["form"] == "household_screening"
    # the two members under 18 are the children; the one born in 2001 is not
    assert [c["given_name"] for c in body["children"]] == ["Copil1", "Copil2"]
    assert AuditEvent.objects.filter(object_type="outreach.screening", action="create").count() == 1


def test_wrong_answers_are_refused_by_their_address(community: Any, village: Household) -> None:
    response = _screen(community, village, {"economic": {"poverty": "maybe"}, "nothing": {}})
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert "answers.economic.poverty" in fields
    assert not Screening.objects.filter(household=village).exists()


def test_a_flagged_child_becomes_a_report_of_the_competent_authority(
    community: Any, village: Household, api: Any, personas: dict[str, User]
) -> None:
    screening = _screen(community, village).json()
    child = screening["children"][0]["id"]
    response = community.post(
        f"/api/v1/screenings/{screening['id']}/follow-ups/",
        {"child": child, "kind": "report", "narrative": "The child is often alone at night."},
        format="json",
    )
    assert response.status_code == 201, response.json()
    number = response.json()["report_number"]
    report = Report.objects.get(number=number)
    assert report.channel == Channel.SELF_REFERRAL
    assert report.unit.code == "MD-CU-BOT-SIN"
    assert [c.pk for c in report.children.all()] == [child]
    assert "Familie monoparentală" in report.narrative  # the flags, in the language of the call
    # pressing again gives the same report, not a second one
    again = community.post(
        f"/api/v1/screenings/{screening['id']}/follow-ups/",
        {"child": child, "kind": "report"},
        format="json",
    )
    assert again.json()["report_number"] == number
    assert Report.objects.filter(children__pk=child).count() == 1
    # the register of Botanica sees it with its triage deadline; the worker does not see the case
    specialist = api(personas["specialist"])
    listed = specialist.get("/api/v1/reports/", {"channel": "self_referral"}).json()["results"]
    assert [r["number"] for r in listed] == [number]
    detail = specialist.get(f"/api/v1/reports/{listed[0]['id']}/").json()
    assert [t["kind"] for t in detail["tasks"]] == ["triage"]
    # the specialist sees the flag and what was screened
    seen = specialist.get(f"/api/v1/screenings/{screening['id']}/").json()
    assert seen["answers"]["social"]["single_parent"] is True
    assert seen["follow_ups"][0]["report_number"] == number


def test_a_child_of_an_unflagged_household_gets_a_visit_not_a_report(
    community: Any, village: Household
) -> None:
    screening = _screen(community, village, {"economic": {"poverty": False}}).json()
    assert screening["flags"] == []
    url = f"/api/v1/screenings/{screening['id']}/follow-ups/"
    child = screening["children"][0]["id"]
    refused = community.post(url, {"child": child, "kind": "report"}, format="json")
    assert refused.status_code == 400
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    visit = community.post(
        url, {"child": child, "kind": "visit", "visit_on": tomorrow}, format="json"
    )
    assert visit.status_code == 201
    assert visit.json()["visit_on"] == tomorrow
    not_a_child = community.post(
        url,
        {
            "child": village.members.get(role="head").person_id,
            "kind": "visit",
            "visit_on": tomorrow,
        },
        format="json",
    )
    assert not_a_child.status_code == 400
    assert "child" in not_a_child.json()["error"]["fields"]


def test_a_change_on_an_old_version_is_a_conflict_and_overwrites_nothing(
    community: Any, village: Household
) -> None:
    screening = _screen(community, village).json()
    url = f"/api/v1/screenings/{screening['id']}/"
    first = community.patch(
        url, {"answers": {"social": {"minor_mother": True}}, "version": 1}, format="json"
    )
    assert first.status_code == 200
    assert first.json()["version"] == 2
    assert [f["code"] for f in first.json()["flags"]] == ["minor_mother"]
    stale = community.patch(
        url, {"answers": {"economic": {"poverty": True}}, "version": 1}, format="json"
    )
    assert stale.status_code == 409
    kept = community.get(url).json()
    assert kept["version"] == 2
    assert kept["answers"] == {"social": {"minor_mother": True}}


def test_nobody_screens_or_reads_a_household_outside_their_area(
    community: Any,
    village: Household,
    api: Any,
    personas: dict[str, User],
    territory: dict[str, Unit],
) -> None:
    screening = _screen(community, village).json()
    other = api(personas["specialist2"])  # Centru sector
    assert other.get(f"/api/v1/screenings/{screening['id']}/").status_code == 404
    assert other.get("/api/v1/screenings/").json()["results"] == []
    assert _screen(other, village).status_code == 404
    elsewhere = household_with_children(personas["specialist"], territory["MD-CU-BOT"], "Lungu")
    assert _screen(community, elsewhere).status_code == 404
    assert api(personas["reporter"]).get("/api/v1/screenings/").status_code == 403


def test_the_counts_per_place_by_the_packs_groups(
    community: Any,
    village: Household,
    api: Any,
    personas: dict[str, User],
    territory: dict[str, Unit],
) -> None:
    _screen(community, village, {"social": {"minor_mother": True}})
    _screen(community, village)  # the latest screening of a household counts
    second = household_with_children(personas["community"], territory["MD-CU-BOT-SIN"], "Popa")
    _screen(community, second, {"social": {"parents_away": True, "single_parent": True}})
    third = household_with_children(personas["community"], territory["MD-CU-BOT-SIN"], "Cebotari")
    _screen(community, third, {"economic": {"poverty": False}})
    body = api(personas["supervisor"]).get("/api/v1/screenings/counts/").json()
    groups = [g["code"] for g in body["groups"]]
    assert groups[:6] == [
        "minor_mother",
        "single_parent",
        "poor_overcrowded",
        "migrant_parents",
        "no_health_cover",
        "no_identity_documents",
    ]
    (place,) = body["places"]
    assert place["unit"] == "MD-CU-BOT-SIN"
    assert place["households"] == 3
    assert place["children"] == 2 + 1 + 1
    assert place["flagged_children"] == 3
    assert place["groups"]["single_parent"] == {"households": 2, "children": 3}
    assert place["groups"]["migrant_parents"] == {"households": 1, "children": 1}
    assert "minor_mother" not in place["groups"]  # superseded by the household's latest screening
    assert api(personas["specialist2"]).get("/api/v1/screenings/counts/").json()["places"] == []


def test_the_worker_sees_the_child_they_flagged_not_the_case_that_follows(
    community: Any, village: Household, api: Any, personas: dict[str, User]
) -> None:
    screening = _screen(community, village).json()
    child = screening["children"][0]["id"]
    url = f"/api/v1/screenings/{screening['id']}/follow-ups/"
    number = community.post(url, {"child": child, "kind": "report"}, format="json").json()[
        "report_number"
    ]
    report = Report.objects.get(number=number)
    # the specialist of Botanica opens a case from it
    specialist = api(personas["specialist"])
    triaged = specialist.post(
        f"/api/v1/reports/{report.pk}/triage/",
        {"decision": "open_case", "reason": "Flagged at screening", "risk_level": "medium"},
        format="json",
    )
    assert triaged.status_code in (200, 201), triaged.json()
    assert specialist.get("/api/v1/cases/").json()["count"] == 1
    assert community.get("/api/v1/cases/").json()["results"] == []  # not the case
    seen = community.get(f"/api/v1/screenings/{screening['id']}/").json()
    assert seen["follow_ups"][0]["report_number"] == number


def test_an_unknown_place_lists_nothing(community: Any, village: Household) -> None:
    _screen(community, village)
    response = community.get("/api/v1/screenings/", {"unit": "abc"})
    assert response.status_code == 200
    assert response.json()["results"] == []
    assert community.get("/api/v1/screenings/", {"unit": "MD-CU-BOT-SIN"}).json()["count"] == 1


def test_options_describe_the_operations_without_an_error(
    community: Any, village: Household
) -> None:
    screening = _screen(community, village).json()
    for url in (
        f"/api/v1/screenings/{screening['id']}/",
        "/api/v1/screenings/0/",
        f"/api/v1/households/{village.pk}/package/",
        "/api/v1/households/0/package/",
    ):
        assert community.options(url).status_code < 500, url


def test_a_number_larger_than_any_key_is_refused_not_an_error(
    community: Any, village: Household
) -> None:
    huge = "99999999999999999999"
    assert community.get("/api/v1/screenings/", {"household": huge}).status_code == 400
    assert _screen(community, village).status_code == 201
    screening = Screening.objects.get(household=village)
    stale = community.patch(
        f"/api/v1/screenings/{screening.pk}/", {"answers": {}, "version": int(huge)}, format="json"
    )
    assert stale.status_code == 400
