"""The devices' sync, through the API: a batch sent twice applies once; a change based on an old
version comes back as a conflict with the server's value, overwrites nothing, waits in the
conflicts and is settled or discarded; a bad change is rejected with its field messages while
the others apply; nothing outside the worker's village is read or written."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from ocrotire.core.models import AuditEvent
from ocrotire.outreach.models import Delivery, FollowUp, Screening, SyncChange
from ocrotire.outreach.screening import screening_record
from ocrotire.outreach.tests.factories import Village, as_worker
from ocrotire.providers.models import ServiceType
from ocrotire.registry.models import Household

pytestmark = pytest.mark.django_db
URL = "/api/v1/sync/"
CONFLICTS = "/api/v1/sync/conflicts/"

ANSWERS = {"economic": {"poverty": True}, "housing": {"overcrowded": True}}


def change(kind: str, pk: int | None, fields: dict[str, Any], base: int = 0, **extra: Any) -> Any:
    return {
        "client_id": str(uuid.uuid4()),
        "object": {"type": kind, "id": pk},
        "base_version": base,
        "fields": fields,
        **extra,
    }


def sync(client: Any, *changes: dict[str, Any]) -> list[dict[str, Any]]:
    response = client.post(URL, {"changes": list(changes)}, format="json")
    assert response.status_code == 200, response.content
    results: list[dict[str, Any]] = response.json()["results"]
    assert [r["client_id"] for r in results] == [c["client_id"] for c in changes]
    return results


def audit_rows() -> int:
    return AuditEvent.objects.count()


@pytest.fixture
def worker(api: Any, village: Village) -> Any:
    return as_worker(api, village.community)


def test_a_batch_sent_twice_applies_once(worker: Any, village: Village) -> None:
    batch = [
        change("household", village.home.pk, {"name": "Popescu-Ionescu"}, base=1),
        change("screening", None, {"household": village.home.pk, "answers": ANSWERS}),
    ]
    first = sync(worker, *batch)
    assert [r["outcome"] for r in first] == ["applied", "applied"]
    assert first[0]["object"] == {"type": "household", "id": village.home.pk}
    assert first[0]["version"] == 2
    screening = Screening.objects.get(pk=first[1]["object"]["id"])
    assert "poor_overcrowded" in screening.flags
    written = audit_rows()

    again = sync(worker, *batch)

    assert again == first
    assert SyncChange.objects.count() == 2
    assert Screening.objects.filter(household=village.home).count() == 1
    village.home.refresh_from_db()
    assert (village.home.name, village.home.version) == ("Popescu-Ionescu", 2)
    assert audit_rows() == written


def test_the_same_change_twice_in_one_batch_applies_once(worker: Any, village: Village) -> None:
    one = change("screening", None, {"household": village.home.pk, "answers": ANSWERS})
    results = sync(worker, one, one)
    assert results[0] == results[1]
    assert Screening.objects.filter(household=village.home).count() == 1


def test_an_old_version_is_a_conflict_that_overwrites_nothing_until_settled(
    worker: Any, village: Village
) -> None:
    (applied,) = sync(worker, change("household", village.home.pk, {"name": "Ionescu"}, base=1))
    assert applied["version"] == 2
    offline = change("household", village.home.pk, {"address": "str. Morii 9"}, base=1)

    (conflict,) = sync(worker, offline)

    assert conflict["outcome"] == "conflict"
    assert conflict["server"] == {"name": "Ionescu", "address": "str. Livezilor 3", "version": 2}
    assert "version" not in conflict
    assert "errors" not in conflict
    village.home.refresh_from_db()
    assert (village.home.address, village.home.version) == ("str. Livezilor 3", 2)
    assert sync(worker, offline) == [conflict]

    listed = worker.get(CONFLICTS).json()["results"]
    assert [(c["client_id"], c["fields"], c["server"]) for c in listed] == [
        (offline["client_id"], {"address": "str. Morii 9"}, conflict["server"])
    ]
    assert listed[0]["object"] == {"type": "household", "id": village.home.pk}

    chosen = change(
        "household",
        village.home.pk,
        {"address": "str. Morii 9"},
        base=2,
        settles=offline["client_id"],
    )
    (settled,) = sync(worker, chosen)

    assert (settled["outcome"], settled["version"]) == ("applied", 3)
    assert worker.get(CONFLICTS).json()["results"] == []
    row = SyncChange.objects.get(client_id=offline["client_id"])
    assert row.settled_at is not None
    assert str(row.settled_by.client_id) == chosen["client_id"]  # type: ignore[union-attr]
    village.home.refresh_from_db()
    assert (village.home.name, village.home.address) == ("Ionescu", "str. Morii 9")


def test_a_stale_screening_is_a_conflict_and_can_be_discarded(
    worker: Any, village: Village
) -> None:
    (created,) = sync(
        worker, change("screening", None, {"household": village.home.pk, "answers": ANSWERS})
    )
    pk = created["object"]["id"]
    phone = change("screening", pk, {"answers": {"social": {"single_parent": True}}}, base=1)
    tablet = change("screening", pk, {"answers": {"social": {"parents_away": True}}}, base=1)

    first, second = sync(worker, phone, tablet)

    assert (first["outcome"], first["version"]) == ("applied", 2)
    assert second["outcome"] == "conflict"
    assert second["server"]["answers"] == {"social": {"single_parent": True}}
    assert second["server"]["version"] == 2
    assert Screening.objects.get(pk=pk).flags == ["single_parent"]

    discarded = worker.post(f"{CONFLICTS}{tablet['client_id']}/discard/")
    assert discarded.status_code == 200
    assert discarded.json()["settled_at"] is not None
    assert worker.get(CONFLICTS).json()["results"] == []
    assert worker.post(f"{CONFLICTS}{tablet['client_id']}/discard/").status_code == 404
    # Discarding keeps the device's value in its row: nothing is lost.
    assert SyncChange.objects.get(client_id=tablet["client_id"]).fields == tablet["fields"]


def test_a_bad_change_is_rejected_with_its_messages_while_the_others_apply(
    worker: Any, village: Village
) -> None:
    good = change("household", village.home.pk, {"name": "Popescu"}, base=1)
    bad_answers = change(
        "screening",
        None,
        {"household": village.home.pk, "answers": {"social": {"nonsense": True}}},
    )
    unknown_field = change("household", village.home.pk, {"colour": "blue"}, base=2)
    past_visit = change(
        "follow_up",
        None,
        {"kind": "visit", "screening": 1, "child": village.child.pk, "visit_on": "1980-01-01"},
    )
    no_household = change("screening", None, {"answers": ANSWERS})

    results = sync(worker, bad_answers, good, unknown_field, past_visit, no_household)

    assert [r["outcome"] for r in results] == [
        "rejected",
        "applied",
        "rejected",
        "rejected",
        "rejected",
    ]
    assert list(results[0]["errors"]) == ["answers.social.nonsense"]
    assert results[2]["errors"]["colour"] == ["This kind of record has no such field."]
    assert list(results[3]["errors"]) == ["visit_on"]
    assert list(results[4]["errors"]) == ["household"]
    assert Screening.objects.count() == 0
    village.home.refresh_from_db()
    assert village.home.version == 2
    # A rejected change is answered alike when it comes again.
    assert sync(worker, bad_answers) == [results[0]]


def test_a_follow_up_visit_is_recorded_once(worker: Any, village: Village) -> None:
    (created,) = sync(
        worker, change("screening", None, {"household": village.home.pk, "answers": ANSWERS})
    )
    visit = change(
        "follow_up",
        None,
        {
            "kind": "visit",
            "screening": created["object"]["id"],
            "child": village.child.pk,
            "visit_on": (timezone.localdate() + timedelta(days=3)).isoformat(),
            "note": "Check the school attendance.",
        },
    )
    first = sync(worker, visit)
    assert first[0]["outcome"] == "applied"
    assert sync(worker, visit) == first
    assert FollowUp.objects.filter(kind="visit", child=village.child).count() == 1


def test_another_villages_household_is_not_found_and_untouched(
    worker: Any, personas: dict[str, Any], village: Village
) -> None:
    theirs = screening_record(actor=personas["specialist"], household=village.away, answers={})
    before = audit_rows()
    visit_on = (timezone.localdate() + timedelta(days=1)).isoformat()
    results = sync(
        worker,
        change("household", village.away.pk, {"name": "Taken"}, base=1),
        change("household", village.away.pk, {"name": "Taken"}, base=7),
        change("household", 999_999, {"name": "Taken"}, base=1),
        change("screening", theirs.pk, {"answers": ANSWERS}, base=1),
        change("screening", None, {"household": village.away.pk, "answers": ANSWERS}),
        change(
            "follow_up",
            None,
            {"kind": "visit", "screening": theirs.pk, "child": 1, "visit_on": visit_on},
        ),
    )
    assert [r["outcome"] for r in results] == ["rejected"] * 6
    for result in results[:4]:
        assert result["errors"] == {"object": ["Not found."]}
    assert results[4]["errors"] == {"household": ["Not found."]}
    assert results[5]["errors"] == {"screening": ["Not found."]}
    assert all("server" not in r for r in results)
    away = Household.objects.get(pk=village.away.pk)
    assert (away.name, away.version) == ("Rusu", 1)
    assert Screening.objects.get().version == 1
    assert not FollowUp.objects.exists()
    assert audit_rows() == before


def test_a_client_id_of_another_user_tells_nothing(
    api: Any, personas: dict[str, Any], worker: Any, village: Village
) -> None:
    theirs = change("household", village.home.pk, {"name": "Ionescu"}, base=1)
    (applied,) = sync(as_worker(api, personas["specialist"]), theirs)
    assert applied["outcome"] == "applied"

    mine = {**theirs, "fields": {"name": "Other"}, "base_version": 5}
    (answer,) = sync(worker, mine)

    assert answer["outcome"] == "rejected"
    assert list(answer["errors"]) == ["client_id"]
    assert "version" not in answer
    assert "server" not in answer
    assert SyncChange.objects.get(client_id=theirs["client_id"]).user == personas["specialist"]
    assert worker.get(CONFLICTS).json()["results"] == []


def test_settling_needs_an_open_conflict_of_ones_own(worker: Any, village: Village) -> None:
    (answer,) = sync(
        worker,
        change("household", village.home.pk, {"name": "X"}, base=1, settles=str(uuid.uuid4())),
    )
    assert answer["outcome"] == "rejected"
    assert list(answer["errors"]) == ["settles"]
    village.home.refresh_from_db()
    assert village.home.name == "Popescu"


def test_a_batch_over_the_limit_is_refused(worker: Any, village: Village) -> None:
    batch = [change("household", village.home.pk, {"name": "N"}, base=1) for _ in range(201)]
    response = worker.post(URL, {"changes": batch}, format="json")
    assert response.status_code == 400
    assert "changes" in response.json()["error"]["fields"]
    assert not SyncChange.objects.exists()


@pytest.mark.parametrize(("persona", "status"), [("reporter", 403), ("auditor", 403), (None, 401)])
def test_who_may_not_sync_changes_nothing(
    api: Any, personas: dict[str, Any], village: Village, persona: str | None, status: int
) -> None:
    client = api(personas[persona] if persona else None)
    body = {"changes": [change("household", village.home.pk, {"name": "X"}, base=1)]}
    assert client.post(URL, body, format="json").status_code == status
    assert client.get(CONFLICTS).status_code == status
    assert not SyncChange.objects.exists()
    village.home.refresh_from_db()
    assert village.home.version == 1


def _weird_changes(village: Village) -> list[Any]:
    uid = str(uuid.uuid4())
    home = village.home.pk
    return [
        None,
        [],
        "text",
        {"changes": None},
        {"changes": {}},
        {"changes": [None]},
        {"changes": [{"client_id": "x"}]},
        {"changes": [{"client_id": uid, "object": None, "fields": {}}]},
        {"changes": [{"client_id": uid, "object": {"type": "case", "id": 1}, "fields": {}}]},
        {"changes": [{"client_id": uid, "object": {"type": "household"}, "fields": []}]},
        {"changes": [{"client_id": uid, "object": {"type": "household", "id": 10**20}}]},
        {"changes": [change("household", None, {"name": "N"})]},
        {"changes": [change("household", home, {"name": None, "address": 5}, base=1)]},
        {"changes": [change("household", home, {"name": "x" * 5000}, base=-1)]},
        {"changes": [change("screening", None, {"household": "abc", "answers": []})]},
        {"changes": [change("screening", None, {"household": home, "answers": {"a": 1}})]},
        {"changes": [change("screening", 10**6, {"answers": {}}, base=1)]},
        {"changes": [change("screening", None, {"household": home, "answers": {}}, settles="x")]},
        {"changes": [change("follow_up", 5, {"kind": "report"})]},
        {"changes": [change("follow_up", None, {"kind": "visit", "visit_on": "0576-01-01"})]},
        {
            "changes": [
                change(
                    "follow_up",
                    None,
                    {"kind": "visit", "screening": 10**6, "child": 10**6, "visit_on": "2099-01-01"},
                )
            ]
        },
    ]


def test_no_input_is_a_server_error(worker: Any, village: Village) -> None:
    for body in _weird_changes(village):
        response = worker.post(URL, body, format="json")
        assert response.status_code in (200, 400), (body, response.content)
        assert response["Content-Type"].startswith("application/json")
        if response.status_code == 400:
            assert set(response.json()["error"]) == {"code", "message", "fields"}
    for path in (f"{CONFLICTS}abc/discard/", f"{CONFLICTS}{uuid.uuid4()}/discard/"):
        assert worker.post(path).status_code == 404
    village.home.refresh_from_db()
    assert village.home.version == 1


def test_a_service_given_offline_is_recorded_once(
    worker: Any, village: Village, casework: None
) -> None:
    given = change(
        "delivery",
        None,
        {
            "household": village.home.pk,
            "service": "family_support",
            "delivered_on": timezone.localdate().isoformat(),
            "minutes": 50,
            "note": "Afternoon at the day centre.",
        },
    )
    first = sync(worker, given)
    assert first[0]["outcome"] == "applied", first
    assert sync(worker, given) == first
    (delivery,) = Delivery.objects.all()
    assert (delivery.minutes, delivery.client_id) == (50, uuid.UUID(given["client_id"]))
    wrong = change(
        "delivery",
        None,
        {
            "household": village.home.pk,
            "service": "nothing",
            "delivered_on": "2024-01-01",
            "minutes": 0,
        },
    )
    (refused,) = sync(worker, wrong)
    assert refused["outcome"] == "rejected"
    assert set(refused["errors"]) == {"minutes"}


def test_a_service_given_offline_is_the_one_of_the_households_country(
    worker: Any, village: Village, casework: None
) -> None:
    # Another country's catalogue with the same code, ordered before Moldova's.
    ServiceType.objects.create(
        country="KG", code="family_support", names={"en": "Family support"}, group="prevention"
    )
    given = change(
        "delivery",
        None,
        {
            "household": village.home.pk,
            "service": "family_support",
            "delivered_on": timezone.localdate().isoformat(),
            "minutes": 30,
        },
    )
    (answer,) = sync(worker, given)
    assert answer["outcome"] == "applied", answer
    (delivery,) = Delivery.objects.all()
    assert (delivery.service.country, delivery.service.code) == ("MD", "family_support")
