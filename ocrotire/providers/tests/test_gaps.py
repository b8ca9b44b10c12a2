"""Gap analysis: per unit and service type, places, children enrolled and waiting, referrals
awaiting an answer, and the units with no service of a type — counted from the data created."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from ocrotire.cases.tests.test_case_pages import open_case
from ocrotire.providers.models import Enrolment, ServiceType
from ocrotire.providers.services import (
    catalogue_load,
    enrolment_record,
    provider_create,
    service_point_create,
)
from ocrotire.registry.services import PersonInput, person_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def supply(personas, casework, territory):
    catalogue_load(country="MD")
    supervisor = personas["supervisor"]
    provider = provider_create(
        actor=supervisor, kind="ngo", name="Centrul «Speranța»", units=[territory["MD-CU"]]
    )
    day = ServiceType.objects.get(country="MD", code="day_centre_risk")
    botanica = service_point_create(
        actor=supervisor,
        provider=provider,
        service_type=day,
        unit=territory["MD-CU-BOT-SIN"],
        name="Punct Sîngera",
        capacity=2,
    )
    service_point_create(
        actor=supervisor,
        provider=provider,
        service_type=day,
        unit=territory["MD-CU-BOT"],
        name="Punct Botanica",
        capacity=3,
    )
    for given in ("Ana", "Ion"):
        child = person_create(
            actor=supervisor,
            data=PersonInput(
                given_name=given,
                family_name="Lungu",
                sex="F",
                birth_date=timezone.localdate() - timedelta(days=3000),
                unit=territory["MD-CU-BOT"],
            ),
        )
        enrolment_record(
            actor=supervisor,
            point=botanica,
            child=child,
            enrolled_at=timezone.now() - timedelta(days=3),
        )
    return botanica


def test_counts_per_unit_and_service_match_the_data(api, personas, supply):
    case = open_case(api, personas["specialist"])
    case.refresh_from_db()
    sent = api(personas["specialist"]).post(
        "/api/v1/referrals/",
        {"case": case.pk, "version": case.version, "service_point": supply.pk, "reason": "Zi"},
        format="json",
    )
    assert sent.status_code == 201
    gaps = api(personas["supervisor"]).get("/api/v1/services/gaps/", {"unit": "MD-CU"}).json()
    assert gaps["units"] == ["MD-CU-BOT", "MD-CU-CEN"]
    cell = {(r["unit"], r["service_type"]): r for r in gaps["rows"]}
    botanica = cell[("MD-CU-BOT", "day_centre_risk")]
    assert botanica == {
        "unit": "MD-CU-BOT",
        "service_type": "day_centre_risk",
        "points": 2,
        "capacity": 5,
        "occupied": 2,
        "free": 3,
        "waiting": 0,
        "pending_referrals": 1,
        "unmet_needs": 0,
    }
    assert cell[("MD-CU-CEN", "day_centre_risk")]["points"] == 0
    uncovered = {(u["unit"], u["service_type"]) for u in gaps["uncovered"]}
    assert ("MD-CU-CEN", "day_centre_risk") in uncovered
    assert ("MD-CU-BOT", "day_centre_risk") not in uncovered
    assert ("MD-CU-BOT", "maternal_centre") in uncovered


def test_gaps_stay_inside_ones_area(api, personas, supply):
    outside = api(personas["specialist_ua"]).get("/api/v1/services/gaps/", {"unit": "MD-CU"})
    assert outside.status_code == 400
    assert "unit" in outside.json()["error"]["fields"]
    missing = api(personas["supervisor"]).get("/api/v1/services/gaps/")
    assert missing.status_code == 400


def test_gap_page_marks_units_without_a_service(client, personas, supply, mfa_off):
    client.force_login(personas["supervisor"])
    page = client.get("/providers/gaps/", {"unit": "MD-CU"}).content.decode()
    assert 'class="gap" data-unit="MD-CU-CEN" data-service="day_centre_risk"' in page
    assert 'data-unit="MD-CU-BOT" data-service="day_centre_risk">' in page


def assess(api, user, case, needs):
    case.refresh_from_db()
    response = api(user).post(
        f"/api/v1/cases/{case.pk}/assessments/",
        {
            "version": case.version,
            "kind": "initial",
            "findings": "Needs day care and counselling",
            "risk_level": "medium",
            "confirmed": "partly",
            "needs": needs,
        },
        format="json",
    )
    assert response.status_code == 200, response.content


def unmet(api, user):
    gaps = api(user).get("/api/v1/services/gaps/", {"unit": "MD-CU"}).json()
    return {(r["unit"], r["service_type"]): r["unmet_needs"] for r in gaps["rows"]}


def test_needs_of_assessments_without_a_service_are_counted(api, client, personas, supply):
    specialist = personas["specialist"]
    case = open_case(api, specialist)
    other = open_case(api, specialist, given="Vasile")
    assess(api, specialist, case, ["day_centre_risk", "psychological_counselling", "no_such"])
    assess(api, specialist, other, ["day_centre_risk"])
    counts = unmet(api, personas["supervisor"])
    assert counts[("MD-CU-BOT", "day_centre_risk")] == 2
    assert counts[("MD-CU-BOT", "psychological_counselling")] == 1
    assert counts[("MD-CU-CEN", "day_centre_risk")] == 0

    # A referral under way answers the need of that case; the other child still waits for one.
    case.refresh_from_db()
    sent = api(specialist).post(
        "/api/v1/referrals/",
        {"case": case.pk, "version": case.version, "service_point": supply.pk, "reason": "Zi"},
        format="json",
    )
    assert sent.status_code == 201, sent.content
    counts = unmet(api, personas["supervisor"])
    assert counts[("MD-CU-BOT", "day_centre_risk")] == 1
    # An enrolment at a service of that type answers it too.
    enrolment_record(
        actor=personas["supervisor"],
        point=supply,
        child=other.child,
        enrolled_at=timezone.now() - timedelta(minutes=5),
        override_reason="Urgent",
    )
    assert unmet(api, personas["supervisor"])[("MD-CU-BOT", "day_centre_risk")] == 0
    client.force_login(personas["supervisor"])
    page = client.get("/providers/gaps/", {"unit": "MD-CU"}).content.decode()
    assert 'data-unmet="1"' in page  # psychological counselling


def test_who_was_enrolled_when(api, client, personas, supply, territory):
    supervisor = personas["supervisor"]
    earlier = person_create(
        actor=supervisor,
        data=PersonInput(
            given_name="Dorin",
            family_name="Lungu",
            sex="M",
            birth_date=timezone.localdate() - timedelta(days=3000),
            unit=territory["MD-CU-BOT"],
        ),
    )
    now = timezone.now()
    enrolment_record(
        actor=supervisor,
        point=supply,
        child=earlier,
        enrolled_at=now - timedelta(days=40),
        ended_at=now - timedelta(days=20),
    )
    url = f"/api/v1/services/{supply.pk}/enrolments/"
    everyone = api(supervisor).get(url).json()
    assert everyone["count"] == 3
    then = api(supervisor).get(url, {"at": (now - timedelta(days=30)).isoformat()}).json()
    assert [e["child"]["person"] for e in then["results"]] == [earlier.pk]
    today = api(supervisor).get(url, {"at": now.isoformat()}).json()
    assert today["count"] == 2
    assert earlier.pk not in {e["child"]["person"] for e in today["results"]}
    assert api(supervisor).get(url, {"at": "yesterday"}).status_code == 400
    # Names are for the provider, the register keepers and the area's case workers only.
    assert api(personas["reporter"]).get(url).status_code == 403
    assert api(personas["specialist_ua"]).get(url).status_code in (403, 404)
    assert api(personas["specialist"]).get(url).status_code == 200

    client.force_login(supervisor)
    day = (now - timedelta(days=30)).date().isoformat()
    page = client.get(f"/providers/services/{supply.pk}/", {"on": day}).content.decode()
    assert "Dorin" in page
    client.force_login(personas["reporter"])
    page = client.get(f"/providers/services/{supply.pk}/").content.decode()
    assert 'id="enrolments"' not in page
    assert "Dorin" not in page
    # A waiting child is named on the provider's page to the register keeper, not to a school.
    Enrolment.objects.create(
        service_point=supply,
        child=person_create(
            actor=supervisor,
            data=PersonInput(
                given_name="Sorina",
                family_name="Vrabie",
                sex="F",
                birth_date=timezone.localdate() - timedelta(days=2000),
                unit=territory["MD-CU-BOT"],
            ),
        ),
        queued_at=now,
        created_by=supervisor,
    )
    provider_page = client.get(f"/providers/{supply.provider_id}/")
    assert provider_page.status_code == 200
    assert "Vrabie" not in provider_page.content.decode()
    client.force_login(supervisor)
    assert "Vrabie" in client.get(f"/providers/{supply.provider_id}/").content.decode()
