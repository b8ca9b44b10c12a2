"""Referrals from a case to a service point of the register: the provider it is addressed to
(and nobody else on the provider side) answers it, the child waits for a place in order, a full
service point refuses unless the directorate overrides with a reason, and every step is on the
case's timeline with its deadline task met."""

from __future__ import annotations

from typing import Any

import pytest

from ocrotire.cases.models import Referral
from ocrotire.cases.tests.test_case_pages import open_case
from ocrotire.core.models import AuditEvent
from ocrotire.providers.models import Enrolment, Provider, ServicePoint
from ocrotire.providers.services import catalogue_load, provider_create, service_point_create
from ocrotire.workflow.models import Task, TaskStatus, TimelineEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def point(personas, casework, institutions) -> ServicePoint:
    catalogue_load(country="MD")
    from ocrotire.providers.models import ServiceType

    provider = provider_create(
        actor=personas["supervisor"],
        kind="ngo",
        name="Centrul de zi «Speranța»",
        units=[personas["specialist"].units.get()],
    )
    return service_point_create(
        actor=personas["supervisor"],
        provider=provider,
        service_type=ServiceType.objects.get(country="MD", code="day_centre_risk"),
        unit=personas["specialist"].units.get(),
        name="Centrul de zi Botanica",
        capacity=1,
    )


@pytest.fixture
def staff(make_user, point) -> Any:
    return make_user("day-centre", ("provider",), (), point.provider.institution)


@pytest.fixture
def other_staff(make_user, personas) -> Any:
    """Staff of another provider of the same sector."""
    other = provider_create(
        actor=personas["supervisor"],
        kind="private",
        name="Alt prestator",
        units=[personas["specialist"].units.get()],
    )
    return make_user("elsewhere", ("provider",), (), other.institution)


def refer(api, user, case, point, reason="Needs a day programme after school"):
    case.refresh_from_db()
    return api(user).post(
        "/api/v1/referrals/",
        {"case": case.pk, "version": case.version, "service_point": point.pk, "reason": reason},
        format="json",
    )


def step(api, user, referral_id, name, **body):
    version = Referral.objects.get(pk=referral_id).version
    return api(user).post(
        f"/api/v1/referrals/{referral_id}/{name}/", {"version": version, **body}, format="json"
    )


def test_referral_flows_to_the_provider_and_only_to_it(api, personas, point, staff, other_staff):
    case = open_case(api, personas["specialist"])
    sent = refer(api, personas["specialist"], case, point)
    assert sent.status_code == 201, sent.content
    body = sent.json()
    assert body["status"] == "sent"
    assert body["response_due_at"] is not None
    referral_id = body["id"]
    task = Task.objects.get(case=case, kind="referral_response")
    assert task.status == TaskStatus.OPEN

    mine = api(staff).get("/api/v1/referrals/").json()["results"]
    assert [r["id"] for r in mine] == [referral_id]
    assert mine[0]["child"]["display_name"]
    assert api(other_staff).get("/api/v1/referrals/").json()["results"] == []
    assert api(other_staff).get(f"/api/v1/referrals/{referral_id}/").status_code == 404
    assert step(api, other_staff, referral_id, "accept").status_code == 404
    # The case worker who sent it does not answer for the provider.
    assert step(api, personas["specialist"], referral_id, "accept").status_code == 403

    accepted = step(api, staff, referral_id, "accept")
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["status"] == "accepted"
    assert accepted.json()["enrolment"]["status"] == "waiting"
    assert accepted.json()["enrolment"]["waiting_position"] == 1
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE

    enrolled = step(api, staff, referral_id, "enrol")
    assert enrolled.status_code == 200, enrolled.content
    assert enrolled.json()["status"] == "enrolled"
    listed = api(personas["specialist"]).get(f"/api/v1/services/{point.pk}/").json()
    assert (listed["occupied"], listed["waiting"], listed["free"]) == (1, 0, 0)

    completed = step(api, staff, referral_id, "complete")
    assert completed.json()["status"] == "completed"
    kinds = list(
        TimelineEvent.objects.filter(case=case, kind__startswith="referral_")
        .order_by("at", "id")
        .values_list("kind", flat=True)
    )
    assert kinds == [
        "referral_sent",
        "referral_accepted",
        "referral_enrolled",
        "referral_completed",
    ]
    assert (
        AuditEvent.objects.filter(object_type="cases.referral", object_id=str(referral_id)).count()
        == 3
    )


def test_over_capacity_is_refused_without_an_authorised_override(api, personas, point, staff):
    first = open_case(api, personas["specialist"], given="Ion")
    second = open_case(api, personas["specialist"], given="Vasile")
    ids = []
    for case in (first, second):
        referral_id = refer(api, personas["specialist"], case, point).json()["id"]
        assert step(api, staff, referral_id, "accept").status_code == 200
        ids.append(referral_id)
    waiting = api(staff).get(f"/api/v1/referrals/{ids[1]}/").json()["enrolment"]
    assert waiting["waiting_position"] == 2
    assert step(api, staff, ids[0], "enrol").status_code == 200

    full = step(api, staff, ids[1], "enrol")
    assert full.status_code == 400
    assert "override_reason" in full.json()["error"]["fields"]
    # The provider cannot decide alone to go over its places.
    forced = step(api, staff, ids[1], "enrol", override_reason="Sibling already there")
    assert forced.status_code == 403
    assert Enrolment.objects.get(referral_id=ids[1]).status == "waiting"

    override = step(
        api, personas["supervisor"], ids[1], "enrol", override_reason="Sibling already there"
    )
    assert override.status_code == 200, override.content
    enrolment = Enrolment.objects.get(referral_id=ids[1])
    assert enrolment.over_capacity_reason == "Sibling already there"
    assert AuditEvent.objects.filter(
        object_type="providers.enrolment",
        object_id=str(enrolment.pk),
        changes__over_capacity_reason="Sibling already there",
    ).exists()
    figures = api(personas["specialist"]).get(f"/api/v1/services/{point.pk}/").json()
    assert (figures["occupied"], figures["free"]) == (2, 0)


def test_declining_needs_a_reason_and_ends_the_answer_task(api, personas, point, staff):
    case = open_case(api, personas["specialist"])
    referral_id = refer(api, personas["specialist"], case, point).json()["id"]
    bare = step(api, staff, referral_id, "decline", reason=" ")
    assert bare.status_code == 400
    assert "reason" in bare.json()["error"]["fields"]
    declined = step(api, staff, referral_id, "decline", reason="No transport from Sîngera")
    assert declined.json()["status"] == "declined"
    assert declined.json()["decline_reason"] == "No transport from Sîngera"
    assert Task.objects.get(case=case, kind="referral_response").status == TaskStatus.DONE
    assert step(api, staff, referral_id, "accept").status_code == 400
    assert not Enrolment.objects.exists()


def test_answering_one_referral_leaves_the_other_deadline_open(api, personas, point, staff):
    case = open_case(api, personas["specialist"])
    other_point = service_point_create(
        actor=personas["supervisor"],
        provider=Provider.objects.get(pk=point.provider_id),
        service_type=point.service_type,
        unit=point.unit,
        name="Al doilea punct",
        capacity=5,
    )
    first = refer(api, personas["specialist"], case, point).json()["id"]
    second = refer(api, personas["specialist"], case, other_point).json()["id"]
    assert step(api, staff, first, "accept").status_code == 200
    tasks = {
        r.pk: r.response_task.status if r.response_task else None
        for r in Referral.objects.filter(pk__in=[first, second]).select_related("response_task")
    }
    assert tasks == {first: TaskStatus.DONE, second: TaskStatus.OPEN}


def test_a_stale_version_is_a_conflict(api, personas, point, staff):
    case = open_case(api, personas["specialist"])
    referral_id = refer(api, personas["specialist"], case, point).json()["id"]
    response = api(staff).post(
        f"/api/v1/referrals/{referral_id}/accept/", {"version": 99}, format="json"
    )
    assert response.status_code == 409
    assert Referral.objects.get(pk=referral_id).status == "sent"


def test_the_referral_list_reads_a_fixed_number_of_queries(api, personas, point, staff):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def listed() -> int:
        client = api(staff)
        client.get("/api/v1/referrals/")
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/api/v1/referrals/").status_code == 200
        return len(ctx.captured_queries)

    first = open_case(api, personas["specialist"], given="Ion")
    referral_id = refer(api, personas["specialist"], first, point).json()["id"]
    step(api, staff, referral_id, "accept")
    one = listed()
    for given in ("Vasile", "Mihai"):
        case = open_case(api, personas["specialist"], given=given)
        step(api, staff, refer(api, personas["specialist"], case, point).json()["id"], "accept")
    assert listed() == one
