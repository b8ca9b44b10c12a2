"""Residential institutions and deinstitutionalisation (issue 6, item 7): residents over time,
where the children who left went, institutions reorganised or closed (never with children still
living there), and a closed institution takes no more placements or referrals."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from ocrotire.care.models import InstitutionChange, Placement
from ocrotire.care.services import placement_end, placement_start
from ocrotire.care.tests.factories import decided
from ocrotire.core.models import AuditEvent
from ocrotire.providers.models import ServicePoint, ServiceType
from ocrotire.providers.services import catalogue_load, provider_create, service_point_create
from ocrotire.registry.services import PersonInput, person_create

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(personas):
    """The assertions read English sentences, whatever the catalogues translate."""
    for user in personas.values():
        user.language = "en"
        user.save(update_fields=["language"])


@pytest.fixture
def home(personas, casework, territory):
    catalogue_load(country="MD")
    supervisor = personas["supervisor"]
    provider = provider_create(
        actor=supervisor, kind="public", name="Direcția «Demo»", units=[territory["MD-CU"]]
    )

    def point(code: str, name: str) -> ServicePoint:
        return service_point_create(
            actor=supervisor,
            provider=provider,
            service_type=ServiceType.objects.get(country="MD", code=code),
            unit=territory["MD-CU-BOT"],
            name=name,
            capacity=30,
        )

    return {
        "institution": point("residential_institution", "Casa de copii «Demo»"),
        "day": point("day_centre_risk", "Centrul de zi «Demo»"),
    }


def child(personas, territory, given):
    return person_create(
        actor=personas["supervisor"],
        data=PersonInput(
            given_name=given,
            family_name="Rotari",
            sex="F",
            birth_date=timezone.localdate() - timedelta(days=3000),
            unit=territory["MD-CU-BOT"],
        ),
    )


def live_in(personas, territory, home, given, days_ago):
    return placement_start(
        actor=personas["supervisor"],
        child=child(personas, territory, given),
        form="residential",
        facility=home["institution"],
        started_at=timezone.now() - timedelta(days=days_ago),
        **decided(),
    )


def figures(api, user, **query):
    response = api(user).get("/api/v1/deinstitutionalisation/", {"unit": "MD-CU", **query})
    assert response.status_code == 200, response.content
    return response.json()


def test_children_leaving_are_counted_by_where_they_went(api, personas, territory, home):
    supervisor = personas["supervisor"]
    now = timezone.now()
    to_foster = live_in(personas, territory, home, "Ana", 400)
    home_again = live_in(personas, territory, home, "Ina", 400)
    aged_out = live_in(personas, territory, home, "Eva", 400)
    stays = live_in(personas, territory, home, "Ala", 100)
    moved_at = now - timedelta(days=50)
    placement_end(
        actor=supervisor,
        placement=to_foster,
        version=1,
        end_reason="transferred",
        ended_at=moved_at,
    )
    # The foster family's placement is written as starting that morning: still the same move.
    placement_start(
        actor=supervisor,
        child=to_foster.child,
        form="foster",
        carer_name="Familia Lungu",
        started_at=moved_at - timedelta(hours=5),
        **decided(),
    )
    placement_end(
        actor=supervisor,
        placement=home_again,
        version=1,
        end_reason="reintegrated",
        ended_at=now - timedelta(days=40),
    )
    placement_end(
        actor=supervisor,
        placement=aged_out,
        version=1,
        end_reason="aged_out",
        ended_at=now - timedelta(days=30),
    )
    body = figures(api, supervisor)
    assert body["institutions"] == 1
    assert body["residents_at_start"] == 3  # "Ala" came 100 days ago, inside the year
    assert body["residents_at_end"] == 1
    assert body["left_residential_care"] == 3
    assert body["moved_to_family_care"] == 2
    assert body["destinations"] == {"foster": 1, "reintegrated": 1, "other": 1}
    series = [row["residents"] for row in body["series"]]
    assert (series[0], series[-1], max(series)) == (3, 1, 4)
    # A period that ends before anyone left counts no move.
    early = figures(api, supervisor, until=(now - timedelta(days=60)).date().isoformat())
    assert (early["left_residential_care"], early["residents_at_end"]) == (0, 4)
    assert stays.ended_at is None


def test_a_change_waits_for_the_last_child_and_then_closes_the_institution(
    api, personas, territory, home
):
    supervisor = personas["supervisor"]
    resident = live_in(personas, territory, home, "Ana", 30)
    url = f"/api/v1/services/{home['institution'].pk}/institution-change/"
    today = timezone.localdate()
    body = {
        "kind": "reorganised",
        "decision_reference": "Decizia CMC nr. 5/12",
        "decided_on": (today - timedelta(days=100)).isoformat(),
        "effective_on": today.isoformat(),
        "successors": [home["day"].pk],
    }
    refused = api(supervisor).post(url, body, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 400
    assert "1 child still lives" in refused.json()["error"]["fields"]["effective_on"][0]
    assert not InstitutionChange.objects.exists()

    placement_end(actor=supervisor, placement=resident, version=1, end_reason="reintegrated")
    done = api(supervisor).post(url, body, format="json")
    assert done.status_code == 201, done.content
    home["institution"].refresh_from_db()
    assert home["institution"].closed_on == today
    assert AuditEvent.objects.filter(object_type="care.institutionchange").count() == 1
    again = api(supervisor).post(url, body, format="json")
    assert again.status_code == 400
    assert "facility" in again.json()["error"]["fields"]

    # Closed: no placement there from that day, and it counts no places in the gap analysis.
    newcomer = child(personas, territory, "Dana")
    placed = api(supervisor).post(
        "/api/v1/placements/",
        {"child": newcomer.pk, "form": "residential", "facility": home["institution"].pk},
        format="json",
    )
    assert placed.status_code == 400
    assert "facility" in placed.json()["error"]["fields"]
    assert not Placement.objects.filter(child=newcomer).exists()
    gaps = api(supervisor).get("/api/v1/services/gaps/", {"unit": "MD-CU"}).json()
    cell = next(
        r
        for r in gaps["rows"]
        if r["unit"] == "MD-CU-BOT" and r["service_type"] == "residential_institution"
    )
    assert (cell["points"], cell["capacity"]) == (0, 0)
    reorganised = figures(api, supervisor)
    assert reorganised["reorganised"] == 1
    [facility] = reorganised["facilities"]
    assert facility["change"]["successors"] == [
        {"id": home["day"].pk, "name": "Centrul de zi «Demo»"}
    ]


def test_a_later_date_is_a_planned_change(api, personas, territory, home):
    supervisor = personas["supervisor"]
    live_in(personas, territory, home, "Ana", 30)
    today = timezone.localdate()
    planned = api(supervisor).post(
        f"/api/v1/services/{home['institution'].pk}/institution-change/",
        {
            "kind": "closed",
            "decision_reference": "Decizia nr. 9",
            "decided_on": today.isoformat(),
            "effective_on": (today + timedelta(days=90)).isoformat(),
        },
        format="json",
    )
    assert planned.status_code == 201, planned.content
    body = figures(api, supervisor)
    assert (body["closed"], body["planned_changes"], body["residents_at_end"]) == (0, 1, 1)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "reorganised", "successors": []}, "successors"),
        ({"decision_reference": ""}, "decision_reference"),
        ({"decided_on": "2999-01-01", "effective_on": "2999-01-02"}, "decided_on"),
        ({"effective_on": "2000-01-01"}, "effective_on"),
        ({"kind": "sold"}, "kind"),
        ({"successors": [2**62]}, "successors"),
    ],
)
def test_bad_changes_are_refused_with_field_messages(api, personas, home, change, field):
    today = timezone.localdate()
    body = {
        "kind": "closed",
        "decision_reference": "Decizia nr. 9",
        "decided_on": (today - timedelta(days=10)).isoformat(),
        "effective_on": today.isoformat(),
        **change,
    }
    response = api(personas["supervisor"]).post(
        f"/api/v1/services/{home['institution'].pk}/institution-change/", body, format="json"
    )
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]
    assert not InstitutionChange.objects.exists()


def test_only_residential_care_by_the_register_keepers(api, personas, home):
    today = timezone.localdate().isoformat()
    body = {"kind": "closed", "decision_reference": "D", "decided_on": today, "effective_on": today}
    day = api(personas["supervisor"]).post(
        f"/api/v1/services/{home['day'].pk}/institution-change/", body, format="json"
    )
    assert day.status_code == 400
    assert "facility" in day.json()["error"]["fields"]
    specialist = api(personas["specialist"]).post(
        f"/api/v1/services/{home['institution'].pk}/institution-change/", body, format="json"
    )
    assert specialist.status_code == 403
    assert not InstitutionChange.objects.exists()


def test_figures_stay_inside_the_readers_area(api, personas, home):
    outside = api(personas["specialist_ua"]).get(
        "/api/v1/deinstitutionalisation/", {"unit": "MD-CU"}
    )
    assert outside.status_code == 400
    assert "unit" in outside.json()["error"]["fields"]
    backwards = api(personas["supervisor"]).get(
        "/api/v1/deinstitutionalisation/",
        {"unit": "MD-CU", "since": "2025-02-01", "until": "2025-01-01"},
    )
    assert backwards.status_code == 400
    assert "since" in backwards.json()["error"]["fields"]


def test_the_page_shows_the_figures_and_the_change_form_explains_refusals(
    client, mfa_off, personas, territory, home
):
    live_in(personas, territory, home, "Ana", 30)
    client.force_login(personas["supervisor"])
    page = client.get("/providers/institutions/", {"unit": "MD-CU"})
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-figure="residents_at_end">1<' in html
    assert f"/providers/institutions/{home['institution'].pk}/change/" in html
    today = timezone.localdate().isoformat()
    answer = client.post(
        f"/providers/institutions/{home['institution'].pk}/change/",
        {
            "kind": "closed",
            "decision_reference": "Decizia nr. 9",
            "decided_on": today,
            "effective_on": today,
            "note": "Ultimul copil pleacă mâine",
        },
    )
    assert answer.status_code == 200
    text = answer.content.decode()
    assert 'role="alert"' in text
    assert "Ultimul copil pleacă mâine" in text  # what was typed is kept
    assert not InstitutionChange.objects.exists()
    client.force_login(personas["specialist"])
    assert (
        client.get(f"/providers/institutions/{home['institution'].pk}/change/").status_code == 403
    )


def test_a_day_centre_is_not_a_placement(api, personas, territory, home):
    newcomer = child(personas, territory, "Dana")
    placed = api(personas["supervisor"]).post(
        "/api/v1/placements/",
        {"child": newcomer.pk, "form": "residential", "facility": home["day"].pk},
        format="json",
    )
    assert placed.status_code == 400
    assert "facility" in placed.json()["error"]["fields"]
    assert not Placement.objects.filter(child=newcomer).exists()


def test_the_list_of_children_in_care_stays_in_the_area(client, mfa_off, personas, territory, home):
    live_in(personas, territory, home, "Ana", 30)
    ended = live_in(personas, territory, home, "Ina", 60)
    placement_end(actor=personas["supervisor"], placement=ended, version=1, end_reason="adopted")
    client.force_login(personas["specialist"])
    page = client.get("/cases/placements/").content.decode()
    assert "Ana" in page
    assert "Ina" not in page  # active placements by default
    assert "Ina" in client.get("/cases/placements/", {"state": "ended"}).content.decode()
    client.force_login(personas["specialist_ua"])
    # (the family name: "Ana" alone is in the navigation's "Analytics")
    assert "Rotari" not in client.get("/cases/placements/").content.decode()
