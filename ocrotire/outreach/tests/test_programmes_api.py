"""Benefit certificates through the API, as a community worker and a supervisor of Chernihiv:
a 50-place programme issues 50 certificates and refuses the 51st; a household gets one; an
ineligible one is refused with its reason; a worker of another village cannot apply for a
household outside their area; every step is audited; the donor's export lists them; an expired
certificate gives its place back."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from ocrotire.core.models import AuditEvent
from ocrotire.outreach.certificates import certificates_expire
from ocrotire.outreach.models import Certificate, Programme
from ocrotire.outreach.tests.programme_world import (
    household_make,
    programme_make,
    screening_make,
    world_build,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(mfa_off: None) -> dict[str, Any]:
    return world_build()


@pytest.fixture
def as_user(api: Any, world: dict[str, Any]) -> Any:
    def client(name: str) -> Any:
        made = api(world["users"][name])
        made.credentials(HTTP_ACCEPT_LANGUAGE="en")
        return made

    return client


def apply(client: Any, programme: Programme, household: Any) -> Any:
    return client.post(
        f"/api/v1/programmes/{programme.pk}/certificates/", {"household": household.pk}, "json"
    )


def decide(client: Any, pk: int, *, issue: bool = True, **extra: Any) -> Any:
    return client.post(f"/api/v1/certificates/{pk}/decision/", {"issue": issue, **extra}, "json")


def test_a_supervisor_creates_a_programme_its_places_are_what_the_budget_pays(
    as_user: Any,
) -> None:
    body = {
        "code": "chn-cert",
        "name": "Certificates for households with children in difficult circumstances",
        "unit": "UA-74-CHE-CHEH",
        "currency": "UAH",
        "amount": "15000.00",
        "budget": "760000.00",
        "opens_on": "2025-01-01",
        "eligibility": {"children_min": 1},
        "donor": "UNICEF Ukraine",
    }
    made = as_user("supervisor").post("/api/v1/programmes/", body, "json")
    assert made.status_code == 201, made.json()
    assert made.json()["code"] == "CHN-CERT"
    assert (made.json()["places"], made.json()["taken"], made.json()["left"]) == (50, 0, 50)
    poor = as_user("supervisor").post(
        "/api/v1/programmes/", {**body, "code": "X", "budget": "14999.99"}, "json"
    )
    assert poor.status_code == 400
    assert "budget" in poor.json()["error"]["fields"]
    bad_rule = as_user("supervisor").post(
        "/api/v1/programmes/", {**body, "code": "Y", "eligibility": {"income": 3}}, "json"
    )
    assert bad_rule.status_code == 400
    assert "eligibility" in bad_rule.json()["error"]["fields"]
    refused = as_user("community").post("/api/v1/programmes/", {**body, "code": "Z"}, "json")
    assert refused.status_code == 403
    assert Programme.objects.count() == 1


def test_the_51st_certificate_of_a_50_place_programme_is_refused(
    as_user: Any, world: dict[str, Any]
) -> None:
    users, units = world["users"], world["units"]
    programme = programme_make(users["supervisor"])
    assert programme.places == 50
    community, supervisor = as_user("community"), as_user("supervisor")
    households = [household_make(units["UA-74-CHE-CHEH-CHE"], f"H{i}") for i in range(51)]
    applied = [apply(community, programme, h) for h in households]
    assert all(r.status_code == 201 for r in applied), applied[0].json()
    numbers = []
    for answer in applied[:50]:
        issued = decide(supervisor, answer.json()["id"], version=answer.json()["version"])
        assert issued.status_code == 200, issued.json()
        assert issued.json()["status"] == "issued"
        numbers.append(issued.json()["number"])
    assert numbers[0] == "CHN-2025-0001"
    assert numbers[-1] == "CHN-2025-0050"
    assert len(set(numbers)) == 50
    last = decide(supervisor, applied[50].json()["id"])
    assert last.status_code == 400
    assert "No place is left in the budget" in str(last.json()["error"]["fields"]["issue"])
    programme.refresh_from_db()
    assert (programme.taken, programme.places) == (50, 50)
    # The application is left as it was, and a new one is refused at once.
    assert Certificate.objects.get(pk=applied[50].json()["id"]).status == "applied"
    extra = household_make(units["UA-74-CHE-CHEH-CHE"], "Late")
    late = apply(community, programme, extra)
    assert late.status_code == 400
    assert "No place is left" in str(late.json()["error"]["fields"])
    shown = supervisor.get(f"/api/v1/programmes/{programme.pk}/").json()
    assert (shown["taken"], shown["left"]) == (50, 0)


def test_a_household_gets_one_certificate_per_programme(
    as_user: Any, world: dict[str, Any]
) -> None:
    programme = programme_make(world["users"]["supervisor"])
    household = household_make(world["units"]["UA-74-CHE-CHEH-CHE"], "Once")
    community, supervisor = as_user("community"), as_user("supervisor")
    first = apply(community, programme, household)
    assert first.status_code == 201
    again = apply(community, programme, household)
    assert again.status_code == 400
    assert "already has an application or a certificate" in str(again.json()["error"])
    assert decide(supervisor, first.json()["id"]).status_code == 200
    assert apply(as_user("supervisor2"), programme, household).status_code == 400
    assert Certificate.objects.filter(household=household).count() == 1
    # A refused application does not count: the household may apply again.
    other = household_make(world["units"]["UA-74-CHE-CHEH-CHE"], "Twice")
    refused_first = apply(community, programme, other).json()
    no_reason = decide(supervisor, refused_first["id"], issue=False)
    assert no_reason.status_code == 400
    assert "reason" in no_reason.json()["error"]["fields"]
    refused = decide(supervisor, refused_first["id"], issue=False, reason="Income above limit.")
    assert refused.json()["status"] == "refused"
    assert refused.json()["number"] is None
    assert apply(community, programme, other).status_code == 201


def test_a_household_that_is_not_eligible_is_refused_with_the_reason(
    as_user: Any, world: dict[str, Any]
) -> None:
    users, city = world["users"], world["units"]["UA-74-CHE-CHEH-CHE"]
    programme = programme_make(users["supervisor"])
    childless = household_make(city, "Adults", children=0, adults=2)
    answer = apply(as_user("community"), programme, childless)
    assert answer.status_code == 400
    assert "Children under 18 in the household: 0." in str(
        answer.json()["error"]["fields"]["household"]
    )
    flagged = programme_make(
        users["supervisor"], code="CHN-FLAGS", eligibility={"flags_any": ["poverty"]}
    )
    family = household_make(city, "Family")
    never = apply(as_user("community"), flagged, family)
    assert "has not been screened" in str(never.json()["error"]["fields"]["household"])
    screening_make(family, ["overcrowding"], users["community"])
    other_flag = apply(as_user("community"), flagged, family)
    assert "none of the difficulties" in str(other_flag.json()["error"]["fields"]["household"])
    screening_make(family, ["poverty"], users["community"])
    assert apply(as_user("community"), flagged, family).status_code == 201
    assert not Certificate.objects.filter(household=childless).exists()


def test_a_community_worker_applies_only_for_households_of_their_area(
    as_user: Any, world: dict[str, Any]
) -> None:
    users, units = world["users"], world["units"]
    programme = programme_make(users["supervisor"])
    in_city = household_make(units["UA-74-CHE-CHEH-CHE"], "City")
    in_desna = household_make(units["UA-74-CHE-DESH-DES"], "Desna")
    # Another village of the hromada: the programme is theirs to read, the city's households not.
    village = as_user("community_village")
    assert village.get(f"/api/v1/programmes/{programme.pk}/").status_code == 200
    assert apply(village, programme, in_city).status_code == 404
    # Another hromada: neither the programme nor its households.
    other = as_user("community_other")
    assert other.get(f"/api/v1/programmes/{programme.pk}/").status_code == 404
    assert other.get("/api/v1/programmes/").json()["results"] == []
    assert apply(other, programme, in_desna).status_code == 404
    # The city's worker: a household of Desna is outside the programme's area, or theirs.
    assert apply(as_user("community"), programme, in_desna).status_code == 404
    assert as_user("outsider").get("/api/v1/programmes/").status_code == 403
    assert not Certificate.objects.exists()
    # A community worker does not decide; another hromada's supervisor does not see it.
    made = apply(as_user("community"), programme, in_city).json()
    assert decide(as_user("community"), made["id"]).status_code == 403
    assert decide(village, made["id"]).status_code == 404
    assert Certificate.objects.get(pk=made["id"]).status == "applied"


def test_every_step_is_audited_and_a_stale_version_is_a_conflict(
    as_user: Any, world: dict[str, Any]
) -> None:
    programme = programme_make(world["users"]["supervisor"])
    household = household_make(world["units"]["UA-74-CHE-CHEH-CHE"], "Audited")
    supervisor = as_user("supervisor")
    made = apply(as_user("community"), programme, household).json()
    stale = decide(supervisor, made["id"], version=made["version"] + 5)
    assert stale.status_code == 409
    issued = decide(supervisor, made["id"], version=made["version"]).json()
    again = decide(supervisor, made["id"], version=made["version"])
    assert again.status_code == 409
    redeemed = supervisor.post(
        f"/api/v1/certificates/{made['id']}/redemption/",
        {"redeemed_with": "School uniforms, receipt 42", "version": issued["version"]},
        "json",
    )
    assert redeemed.status_code == 200, redeemed.json()
    assert redeemed.json()["status"] == "redeemed"
    twice = supervisor.post(
        f"/api/v1/certificates/{made['id']}/redemption/", {"redeemed_with": "again"}, "json"
    )
    assert twice.status_code == 400
    rows = AuditEvent.objects.filter(object_type="outreach.certificate", object_id=str(made["id"]))
    assert [r.changes["status"] for r in rows.order_by("id")] == ["applied", "issued", "redeemed"]
    assert [r.actor_username for r in rows.order_by("id")] == [
        "community_ua",
        "supervisor_ua",
        "supervisor_ua",
    ]
    assert AuditEvent.objects.filter(
        object_type="outreach.programme", object_id=str(programme.pk), action="create"
    ).exists()


def test_the_donor_export_lists_the_certificates(as_user: Any, world: dict[str, Any]) -> None:
    programme = programme_make(world["users"]["supervisor"])
    supervisor = as_user("supervisor")
    for name in ("=HYPERLINK(1)", "Коваленко"):
        household = household_make(world["units"]["UA-74-CHE-CHEH-CHE"], name)
        made = apply(as_user("community"), programme, household).json()
        decide(supervisor, made["id"])
    answer = supervisor.get(f"/api/v1/programmes/{programme.pk}/certificates.csv")
    assert answer.status_code == 200
    assert answer.content.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert table[0] == [
        "Number",
        "Status",
        "Household",
        "Place",
        "Amount",
        "Currency",
        "Applied on",
        "Decided on",
        "Valid until",
        "Redeemed on",
        "Redeemed with",
        "Reason",
    ]
    assert [row[0] for row in table[1:]] == ["CHN-2025-0001", "CHN-2025-0002"]
    assert {row[2] for row in table[1:]} == {"'=HYPERLINK(1)", "Коваленко"}
    assert table[1][1] == "Issued"
    assert table[1][4:6] == ["15000.00", "UAH"]
    workbook = supervisor.get(f"/api/v1/programmes/{programme.pk}/certificates.xlsx")
    assert workbook.status_code == 200
    sheet = load_workbook(io.BytesIO(workbook.content)).active
    assert sheet is not None
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][0] == "Number"
    assert len(values) == 3
    assert {row[2] for row in values[1:]} == {"=HYPERLINK(1)", "Коваленко"}
    assert all(row[2].data_type == "s" for row in sheet.iter_rows(min_row=2))
    assert AuditEvent.objects.filter(object_type="outreach.programme", action="export").count() == 2
    assert (
        as_user("community").get(f"/api/v1/programmes/{programme.pk}/certificates.csv").status_code
        == 403
    )
    assert (
        as_user("planner").get(f"/api/v1/programmes/{programme.pk}/certificates.xlsx").status_code
        == 200
    )


def test_an_expired_certificate_gives_its_place_back_and_its_number_is_not_reused(
    as_user: Any, world: dict[str, Any]
) -> None:
    programme = programme_make(world["users"]["supervisor"], budget="30000")
    supervisor, community = as_user("supervisor"), as_user("community")
    city = world["units"]["UA-74-CHE-CHEH-CHE"]
    ids = [
        apply(community, programme, household_make(city, f"E{i}")).json()["id"] for i in range(3)
    ]
    assert decide(supervisor, ids[0]).status_code == 200
    assert decide(supervisor, ids[1]).status_code == 200
    assert decide(supervisor, ids[2]).status_code == 400
    assert certificates_expire() == 0
    later = timezone.now() + timedelta(days=91)
    assert certificates_expire(later) == 2
    programme.refresh_from_db()
    assert programme.taken == 0
    assert set(Certificate.objects.filter(pk__in=ids[:2]).values_list("status", flat=True)) == {
        "expired"
    }
    third = decide(supervisor, ids[2])
    assert third.status_code == 200
    assert third.json()["number"] == "CHN-2025-0003"
    assert (
        AuditEvent.objects.filter(
            object_type="outreach.certificate", actor_username="deadlines_watch"
        ).count()
        == 2
    )
    # The expired household may apply again: its certificate is no longer live.
    again = community.post(
        f"/api/v1/programmes/{programme.pk}/certificates/",
        {"household": Certificate.objects.get(pk=ids[0]).household_id},
        "json",
    )
    assert again.status_code == 201


@pytest.mark.parametrize(
    ("persona", "apply_status", "decide_status", "redeem_status"),
    [
        ("community", 201, 403, 403),
        ("community_village", 404, 404, 404),
        ("community_other", 404, 404, 404),
        ("planner", 403, 403, 403),
        ("outsider", 403, 403, 403),
    ],
)
def test_who_may_apply_decide_and_redeem_and_that_a_refusal_changes_nothing(
    as_user: Any,
    world: dict[str, Any],
    persona: str,
    apply_status: int,
    decide_status: int,
    redeem_status: int,
) -> None:
    city = world["units"]["UA-74-CHE-CHEH-CHE"]
    programme = programme_make(world["users"]["supervisor"])
    supervisor = as_user("supervisor")
    waiting = apply(supervisor, programme, household_make(city, "Waiting")).json()
    issued = apply(supervisor, programme, household_make(city, "Issued")).json()
    issued = decide(supervisor, issued["id"]).json()
    before = list(Certificate.objects.order_by("id").values("status", "version", "number"))
    audit_rows = AuditEvent.objects.count()
    client = as_user(persona)
    answer = apply(client, programme, household_make(city, "New"))
    assert answer.status_code == apply_status, answer.json()
    assert decide(client, waiting["id"]).status_code == decide_status
    redeemed = client.post(
        f"/api/v1/certificates/{issued['id']}/redemption/", {"redeemed_with": "x"}, "json"
    )
    assert redeemed.status_code == redeem_status
    after = list(Certificate.objects.order_by("id").values("status", "version", "number"))
    if apply_status == 201:
        assert after[:2] == before
        assert len(after) == 3
    else:
        assert after == before
        assert AuditEvent.objects.count() == audit_rows
    programme.refresh_from_db()
    assert programme.taken == 1
