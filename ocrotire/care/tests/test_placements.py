"""Placements: a child never has two active placements; ending one allows the next; the review
date comes from the country's rules; every step is audited and on the case's timeline; scope."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from ocrotire.care.models import Placement
from ocrotire.care.tests.factories import decided
from ocrotire.cases.tests.test_case_pages import open_case
from ocrotire.core.models import AuditEvent
from ocrotire.workflow.models import Task, TaskStatus, TimelineEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(api, personas, casework):
    return open_case(api, personas["specialist"])


def start(api, user, case, **body):
    payload = {
        "child": case.child_id,
        "case": case.pk,
        "form": "professional_parental",
        "carer_name": "Asistent parental profesionist A.",
        # A planned placement rests on a decision; an emergency one has none yet.
        **(
            {}
            if body.get("emergency")
            else decided(api=True, decision_reference="Dispoziția nr. 12")
        ),
        **body,
    }
    return api(user).post("/api/v1/placements/", payload, format="json")


def test_second_active_placement_is_refused(api, personas, case):
    first = start(api, personas["specialist"], case, emergency=True)
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["active"] is True
    assert body["family_based"] is True
    second = start(api, personas["specialist"], case, form="residential", carer_name="Centru")
    assert second.status_code == 400
    assert "child" in second.json()["error"]["fields"]
    assert Placement.objects.filter(child=case.child).count() == 1

    ended = api(personas["specialist"]).post(
        f"/api/v1/placements/{body['id']}/end/",
        {"version": body["version"], "end_reason": "transferred", "note": "To a family home"},
        format="json",
    )
    assert ended.status_code == 200, ended.content
    assert ended.json()["active"] is False
    third = start(api, personas["specialist"], case, form="family_type_home", carer_name="CCTF")
    assert third.status_code == 201
    kinds = list(
        TimelineEvent.objects.filter(case=case, kind__startswith="placement_")
        .order_by("at", "id")
        .values_list("kind", flat=True)
    )
    assert kinds == ["placement_started", "placement_ended", "placement_started"]
    assert AuditEvent.objects.filter(object_type="care.placement").count() == 3


def test_the_case_page_lists_the_placements(api, client, personas, case):
    start(api, personas["specialist"], case, emergency=True)
    client.force_login(personas["specialist"])
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert 'id="placements"' in page
    assert "Asistent parental profesionist A." in page


def test_review_date_comes_from_the_rules(api, personas, case):
    started = timezone.now() - timedelta(days=1)
    body = start(api, personas["specialist"], case, started_at=started.isoformat()).json()
    review = Task.objects.get(case=case, kind="placement_review")
    assert review.status == TaskStatus.OPEN
    assert review.due_at - started == timedelta(days=90)
    assert body["next_review_at"] is not None
    api(personas["specialist"]).post(
        f"/api/v1/placements/{body['id']}/end/",
        {"version": body["version"], "end_reason": "reintegrated"},
        format="json",
    )
    review.refresh_from_db()
    assert review.status == TaskStatus.CANCELLED


def test_bad_placements_are_refused_with_field_messages(api, personas, case):
    future = start(
        api,
        personas["specialist"],
        case,
        started_at=(timezone.now() + timedelta(days=3)).isoformat(),
    )
    assert future.status_code == 400
    assert "started_at" in future.json()["error"]["fields"]
    nobody = start(api, personas["specialist"], case, carer_name="")
    assert nobody.status_code == 400
    assert "carer_name" in nobody.json()["error"]["fields"]
    unknown = start(api, personas["specialist"], case, form="orphanage")
    assert unknown.status_code == 400
    assert not Placement.objects.exists()


def test_placements_follow_the_childs_area(api, personas, case):
    body = start(api, personas["specialist"], case).json()
    other = api(personas["specialist2"])
    assert other.get(f"/api/v1/placements/{body['id']}/").status_code == 404
    assert other.get("/api/v1/placements/").json()["results"] == []
    assert start(api, personas["specialist2"], case).status_code == 400
    for persona in ("reporter", "auditor"):
        assert api(personas[persona]).get("/api/v1/placements/").json()["results"] == []
    assert api(personas["supervisor"]).get(f"/api/v1/placements/{body['id']}/").status_code == 200
