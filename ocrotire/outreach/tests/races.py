"""Two keepers at the same moment, each on a connection of its own: the last place of a programme
issued twice, and one household applied for twice. Run in the test's process on PostgreSQL, and
as `python -m ocrotire.outreach.tests.races <database file>` on a file-based SQLite database
(the in-memory test database of SQLite cannot take writers from several threads); it prints
what each of the two got, as JSON."""

from __future__ import annotations

import json
import os
import sys
import threading
from collections.abc import Callable
from typing import Any


def together(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run the calls in threads released by one barrier; each closes its own connection."""
    from django.db import connection

    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = calls[index]()
        except BaseException as exc:  # reported to the test, which fails on it
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def _client(user: Any) -> Any:
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(user=user)
    client.credentials(HTTP_ACCEPT_LANGUAGE="en")
    return client


def _answer(response: Any) -> dict[str, Any]:
    return {"status": response.status_code, "body": response.json()}


def race_last_place(world: dict[str, Any]) -> dict[str, Any]:
    """A two-place programme with one place taken; two supervisors issue the last one."""
    from ocrotire.outreach.certificates import certificate_apply, certificate_decide
    from ocrotire.outreach.tests.programme_world import household_make, programme_make

    users, city = world["users"], world["units"]["UA-74-CHE-CHEH-CHE"]
    programme = programme_make(users["supervisor"], code="RACE", budget="30000")
    applied = [
        certificate_apply(
            actor=users["community"],
            programme=programme,
            household=household_make(city, f"Race{i}"),
        )
        for i in range(3)
    ]
    certificate_decide(actor=users["supervisor"], certificate=applied[0], issue=True)
    keepers = [_client(users["supervisor"]), _client(users["supervisor2"])]

    def issue(index: int) -> Callable[[], dict[str, Any]]:
        pk = applied[index + 1].pk
        return lambda: _answer(
            keepers[index].post(f"/api/v1/certificates/{pk}/decision/", {"issue": True}, "json")
        )

    answers = together([issue(0), issue(1)])
    programme.refresh_from_db()
    return {"answers": answers, "taken": programme.taken, "places": programme.places}


def race_double_application(world: dict[str, Any]) -> dict[str, Any]:
    """Two workers apply for one household at the same moment."""
    from ocrotire.outreach.models import Certificate
    from ocrotire.outreach.tests.programme_world import household_make, programme_make

    users, city = world["users"], world["units"]["UA-74-CHE-CHEH-CHE"]
    programme = programme_make(users["supervisor"], code="TWICE")
    household = household_make(city, "Twice")
    workers = [_client(users["community"]), _client(users["supervisor2"])]
    url = f"/api/v1/programmes/{programme.pk}/certificates/"

    def send(index: int) -> Callable[[], dict[str, Any]]:
        return lambda: _answer(workers[index].post(url, {"household": household.pk}, "json"))

    answers = together([send(0), send(1)])
    return {"answers": answers, "rows": Certificate.objects.filter(household=household).count()}


def main(path: str) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.OCROTIRE_MFA_ENFORCED = False
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ALLOWED_HOSTS = ["testserver"]
    call_command("migrate", verbosity=0, interactive=False)
    from ocrotire.outreach.tests.programme_world import world_build

    world = world_build()
    result = {"last_place": race_last_place(world), "twice": race_double_application(world)}
    print(json.dumps(result, default=repr))


if __name__ == "__main__":
    main(sys.argv[1])
