"""Gatekeeping: a planned placement rests on the decision of the country's gatekeeping commission
or of a court; without it the API answers 400 naming the field and the page says why. Emergency
placements need none until later; the decision given later turns them planned. Reviews meet the
review task and schedule the next."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from ocrotire.care.models import Gatekeeper, Placement
from ocrotire.care.services import gatekeeper_load
from ocrotire.cases.models import Case
from ocrotire.cases.tests.test_case_pages import open_case
from ocrotire.workflow.deadlines import rules_load
from ocrotire.workflow.models import DeadlineRule, Task, TaskStatus, TimelineEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(api: Any, personas: dict[str, Any], casework: None, mfa_off: None) -> Case:
    for user in personas.values():
        user.language = "en"
        user.save(update_fields=["language"])
    return open_case(api, personas["specialist"])


def place(api: Any, user: Any, case: Case, **body: Any) -> Any:
    payload = {
        "child": case.child_id,
        "case": case.pk,
        "form": "foster",
        "carer_name": "Familia Ciobanu",
        **body,
    }
    return api(user).post("/api/v1/placements/", payload, format="json", HTTP_ACCEPT_LANGUAGE="en")


def today() -> str:
    return timezone.localdate().isoformat()


def test_every_pack_names_its_gatekeeper_in_four_languages(territory: Any) -> None:
    for country in ("MD", "RO", "UA", "KG"):
        assert gatekeeper_load(country=country) == 1
        assert gatekeeper_load(country=country) == 0
    keepers = {g.country: g for g in Gatekeeper.objects.all()}
    for keeper in keepers.values():
        assert set(keeper.names) == {"ro", "uk", "ru", "en"}
    assert keepers["MD"].verified
    assert "HG 7/2016" in keepers["MD"].legal_reference
    assert keepers["RO"].verified
    assert "HG 502/2017" in keepers["RO"].legal_reference
    assert keepers["KG"].verified
    assert not keepers["UA"].verified
    assert keepers["MD"].label("ro") == "Comisia pentru protecția copilului aflat în dificultate"


def test_a_planned_placement_without_a_decision_is_refused(
    api: Any, personas: dict[str, Any], case: Case
) -> None:
    user = personas["specialist"]
    bare = place(api, user, case)
    assert bare.status_code == 400
    assert "decision_by" in bare.json()["error"]["fields"]
    partial = place(api, user, case, decision_by="gatekeeper", decision_outcome="approved")
    assert partial.status_code == 400
    fields = partial.json()["error"]["fields"]
    assert {"decision_reference", "decision_date"} <= set(fields)
    refused = place(
        api,
        user,
        case,
        decision_by="gatekeeper",
        decision_outcome="refused",
        decision_reference="12",
        decision_date=today(),
    )
    assert refused.status_code == 400
    assert "decision_outcome" in refused.json()["error"]["fields"]
    court = place(
        api, user, case, decision_by="court", decision_reference="2-45", decision_date=today()
    )
    assert court.status_code == 400
    assert "decision_body" in court.json()["error"]["fields"]
    for bad in ({"decision_by": "mayor"}, {"decision_by": 7}, {"decision_outcome": ["approved"]}):
        assert place(api, user, case, **bad).status_code == 400
    assert not Placement.objects.filter(child=case.child).exists()


def test_the_commission_or_a_court_allows_a_planned_placement(
    api: Any, personas: dict[str, Any], case: Case
) -> None:
    placed = place(
        api,
        personas["specialist"],
        case,
        decision_by="gatekeeper",
        decision_outcome="approved",
        decision_reference="Hotărârea nr. 7",
        decision_date=today(),
    )
    assert placed.status_code == 201, placed.content
    body = placed.json()
    assert body["emergency"] is False
    assert body["decided_by"]["name"] == "Commission for the protection of the child in difficulty"
    assert body["decided_by"]["verified"] is True
    assert "Law 140" in body["decided_by"]["legal_reference"]


def test_an_emergency_placement_is_not_given_a_decision_at_its_start(
    api: Any, personas: dict[str, Any], case: Case
) -> None:
    """Both at once would start the alarm of the emergency cap and leave no step to stop it (a
    placement that has its decision takes no other)."""
    both = place(
        api,
        personas["specialist"],
        case,
        emergency=True,
        decision_by="gatekeeper",
        decision_outcome="approved",
        decision_reference="Hotărârea nr. 7",
        decision_date=today(),
    )
    assert both.status_code == 400
    assert "decision_by" in both.json()["error"]["fields"]
    assert not Placement.objects.filter(child=case.child).exists()
    padded = place(
        api,
        personas["specialist"],
        case,
        decision_by="court",
        decision_body="  ",
        decision_reference=" 2-45 ",
        decision_date=today(),
    )
    assert padded.status_code == 400
    assert "decision_body" in padded.json()["error"]["fields"]


def test_a_court_decision_is_enough(api: Any, personas: dict[str, Any], case: Case) -> None:
    placed = place(
        api,
        personas["specialist"],
        case,
        decision_by="court",
        decision_body="Judecătoria Chișinău",
        decision_reference="2-45/2026",
        decision_date=today(),
    )
    assert placed.status_code == 201, placed.content
    assert placed.json()["decided_by"]["name"] == "Judecătoria Chișinău"
    assert placed.json()["decision_outcome"] == "approved"


def test_the_page_says_why_a_planned_placement_is_refused(
    client: Any, personas: dict[str, Any], case: Case
) -> None:
    client.force_login(personas["specialist"])
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "Commission for the protection of the child in difficulty" in page
    response = client.post(
        f"/cases/{case.pk}/placements/new/",
        {"form": "foster", "carer_name": "Familia Ciobanu"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["decision_by"]
    assert "gatekeeping commission" in errors[0]
    assert "gatekeeping commission" in response.content.decode()
    assert not Placement.objects.filter(child=case.child).exists()


def test_a_decision_given_later_turns_an_emergency_placement_planned(
    api: Any, client: Any, personas: dict[str, Any], case: Case, territory: Any
) -> None:
    specialist = api(personas["specialist"])
    placed = place(api, personas["specialist"], case, emergency=True)
    assert placed.status_code == 201, placed.content
    body = placed.json()
    assert body["decided_by"] is None
    client.force_login(personas["specialist"])
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert f'id="decide-placement-{body["id"]}"' in page
    assert "no decision of the commission or the court yet" in page

    missing = specialist.post(
        f"/api/v1/placements/{body['id']}/decision/",
        {
            "version": body["version"],
            "decision_by": "gatekeeper",
            "decision_reference": "",
            "decision_date": None,
            "decision_outcome": "approved",
        },
        format="json",
    )
    assert missing.status_code == 400
    assert "decision_reference" in missing.json()["error"]["fields"]
    decided = specialist.post(
        f"/api/v1/placements/{body['id']}/decision/",
        {
            "version": body["version"],
            "decision_by": "gatekeeper",
            "decision_reference": "Hotărârea nr. 9",
            "decision_date": today(),
            "decision_outcome": "approved",
        },
        format="json",
    )
    assert decided.status_code == 200, decided.content
    assert decided.json()["emergency"] is False
    event = TimelineEvent.objects.get(case=case, kind="placement_decided")
    assert event.data["was_emergency"] is True
    timeline = specialist.get(f"/api/v1/cases/{case.pk}/", HTTP_ACCEPT_LANGUAGE="en").json()[
        "timeline"
    ]
    text = next(e["text"] for e in timeline if e["kind"] == "placement_decided")
    assert "now a planned placement" in text
    stale = specialist.post(
        f"/api/v1/placements/{body['id']}/decision/",
        {
            "version": body["version"],
            "decision_by": "court",
            "decision_body": "Judecătoria",
            "decision_reference": "1",
            "decision_date": today(),
        },
        format="json",
    )
    assert stale.status_code == 409
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "Hotărârea nr. 9" in page
    assert f'id="decide-placement-{body["id"]}"' not in page
    pdf = client.get(f"/cases/{case.pk}/file.pdf")
    assert pdf.status_code == 200


def test_romania_gives_the_commission_30_days_for_an_emergency_placement(
    api: Any, personas: dict[str, Any], territory: Any, casework: None
) -> None:
    rules_load(country="RO")
    rule = DeadlineRule.objects.get(country="RO", code="commission_decision", active=True)
    assert (rule.offset, rule.offset_unit, rule.verified) == (30, "calendar_days", True)
    assert rule.anchor == "placement_started"
    assert rule.completed_by == "placement_decided"
    assert rule.applies_when == {"emergency": [True]}


def review(api: Any, user: Any, placement: dict[str, Any], **body: Any) -> Any:
    current = api(user).get(f"/api/v1/placements/{placement['id']}/").json()
    return api(user).post(
        f"/api/v1/placements/{placement['id']}/review/",
        {"version": current["version"], **body},
        format="json",
    )


def test_a_review_meets_the_review_task_and_schedules_the_next(
    api: Any, client: Any, personas: dict[str, Any], case: Case
) -> None:
    user = personas["specialist"]
    started = timezone.now() - timedelta(days=100)
    placed = place(api, user, case, emergency=True, started_at=started.isoformat()).json()
    first = Task.objects.get(case=case, kind="placement_review")
    assert first.due_at < timezone.now()  # overdue: nothing could meet it before

    empty = review(api, user, placed, outcome="continue", note="")
    assert empty.status_code == 400
    assert "note" in empty.json()["error"]["fields"]
    reviewed_at = timezone.now() - timedelta(days=2)
    done = review(
        api,
        user,
        placed,
        outcome="continue",
        note="The child is settled with the family.",
        reviewed_at=reviewed_at.isoformat(),
    )
    assert done.status_code == 200, done.content
    first.refresh_from_db()
    assert first.status == TaskStatus.DONE
    following = Task.objects.get(case=case, kind="placement_review_next", status="open")
    assert following.due_at - reviewed_at == timedelta(days=90)
    body = done.json()
    assert body["next_review_at"] is not None
    assert body["reviews"][0]["outcome"] == "continue"
    client.force_login(user)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert f'id="review-placement-{placed["id"]}"' in page

    # A review that ends the placement needs the reason, ends it and cancels the next review.
    no_reason = review(api, user, placed, outcome="end", note="Back home.")
    assert no_reason.status_code == 400
    assert "end_reason" in no_reason.json()["error"]["fields"]
    ended = review(api, user, placed, outcome="end", note="Back home.", end_reason="reintegrated")
    assert ended.status_code == 200, ended.content
    assert ended.json()["active"] is False
    following.refresh_from_db()
    assert following.status == TaskStatus.DONE
    assert not Task.objects.filter(case=case, status="open", kind__startswith="placement").exists()
    kinds = list(
        TimelineEvent.objects.filter(case=case, kind__startswith="placement_")
        .order_by("at", "id")
        .values_list("kind", flat=True)
    )
    assert kinds == [
        "placement_started",
        "placement_reviewed",
        "placement_reviewed",
        "placement_ended",
    ]


@pytest.mark.parametrize(("persona", "status"), [("specialist2", 404), ("outsider", 403)])
def test_others_cannot_review_or_decide(
    api: Any, personas: dict[str, Any], case: Case, persona: str, status: int
) -> None:
    placed = place(api, personas["specialist"], case, emergency=True).json()
    other = api(personas[persona])
    reviewed = other.post(
        f"/api/v1/placements/{placed['id']}/review/",
        {"version": placed["version"], "outcome": "continue", "note": "x"},
        format="json",
    )
    decided = other.post(
        f"/api/v1/placements/{placed['id']}/decision/",
        {
            "version": placed["version"],
            "decision_by": "court",
            "decision_body": "Judecătoria",
            "decision_reference": "1",
            "decision_date": today(),
        },
        format="json",
    )
    assert (reviewed.status_code, decided.status_code) == (status, status)
    placement = Placement.objects.get(pk=placed["id"])
    assert placement.reviews.count() == 0
    assert placement.emergency is True
    assert Task.objects.get(case=case, kind="placement_review").status == TaskStatus.OPEN


def test_an_unverified_gatekeeper_is_marked_so(
    api: Any, client: Any, personas: dict[str, Any], case: Case
) -> None:
    """Ukraine's gatekeeper is an unverified default: the decision carries the lawyer's mark."""
    user = personas["specialist_ua"]
    ua_case = open_case(api, user, unit="UA-74", given="Olena")
    placed = place(
        api,
        user,
        ua_case,
        decision_by="gatekeeper",
        decision_outcome="approved",
        decision_reference="17",
        decision_date=today(),
    )
    assert placed.status_code == 201, placed.content
    assert placed.json()["decided_by"] == {
        "name": "Commission on child rights protection",
        "legal_reference": "",
        "verified": False,
    }
    client.force_login(user)
    page = client.get(f"/cases/{ua_case.pk}/").content.decode()
    placements = page.split('id="placements"')[1].split("</table>")[0]
    assert "Commission on child rights protection" in placements
    assert "not verified by a lawyer" in placements
