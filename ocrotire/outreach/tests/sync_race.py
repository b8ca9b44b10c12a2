"""The same sync batch sent by two threads at the same moment, through the API (a device that
retried while its first request was still running). test_sync_concurrency runs it in its own
process on PostgreSQL, and on SQLite runs this module as a script over a file database: the
in-memory test database cannot take writers from several threads ("database table is locked"),
a file one, as the embedded default runs, can."""

from __future__ import annotations

import json
import os
import threading
import uuid
from collections.abc import Callable
from typing import Any

import django


def batch_for(household_pk: int) -> dict[str, Any]:
    return {
        "changes": [
            {
                "client_id": str(uuid.uuid4()),
                "object": {"type": "household", "id": household_pk},
                "base_version": 1,
                "fields": {"name": "Popescu-Ionescu"},
            },
            {
                "client_id": str(uuid.uuid4()),
                "object": {"type": "screening", "id": None},
                "base_version": 0,
                "fields": {
                    "household": household_pk,
                    "answers": {"social": {"parents_away": True}},
                },
            },
        ]
    }


def race(client_for: Callable[[], Any], batch: dict[str, Any]) -> list[Any]:
    """Both answers, [status, body] each; an exception of a thread is raised here."""
    from django.db import connection

    start = threading.Barrier(2)
    answers: list[Any] = [None, None]
    errors: list[BaseException] = []

    def send(index: int) -> None:
        try:
            client = client_for()
            start.wait()
            response = client.post("/api/v1/sync/", batch, format="json")
            answers[index] = [response.status_code, response.json()]
        except BaseException as exc:  # collected and re-raised in the calling thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return answers


def tally(household_pk: int) -> dict[str, Any]:
    """What the database holds after the race."""
    from ocrotire.core.models import AuditEvent
    from ocrotire.outreach.models import Screening, SyncChange
    from ocrotire.registry.models import Household

    home = Household.objects.get(pk=household_pk)
    return {
        "changes": SyncChange.objects.count(),
        "screenings": Screening.objects.filter(household=home).count(),
        "household": [home.name, home.version],
        "audit": AuditEvent.objects.count(),
    }


def _main() -> None:
    from rest_framework.test import APIClient

    from ocrotire.accounts.services import roles_ensure
    from ocrotire.accounts.tests.factories import institutions_build, user_make
    from ocrotire.geo.tests.factories import territory_build
    from ocrotire.outreach.tests.factories import village_build

    territory = territory_build()
    institutions = institutions_build()
    roles_ensure()
    specialist = user_make("specialist", ("specialist",), ("MD-CU-BOT",), institutions["DGPDC-BOT"])
    village = village_build(specialist=specialist, institutions=institutions, territory=territory)

    def client_for() -> Any:
        client = APIClient()
        client.force_authenticate(user=village.community)
        return client

    before = tally(village.home.pk)
    answers = race(client_for, batch_for(village.home.pk))
    print(json.dumps({"answers": answers, "before": before, "after": tally(village.home.pk)}))


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    _main()
