"""Driven by test_export_sqlite_concurrency in a subprocess on a file-based SQLite database: makes
a registry, then runs a background export while a second process keeps writing persons."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import date

import django

ROWS = 3000


def _setup() -> None:
    from ocrotire.accounts.services import roles_ensure, user_upsert
    from ocrotire.geo.services import UnitSpec, unit_upsert
    from ocrotire.registry.models import Person

    unit, _ = unit_upsert(actor=None, spec=UnitSpec("MD", "country", "Moldova", iso_code="MD"))
    roles_ensure()
    user_upsert(
        actor=None,
        username="admin",
        password="correct-horse-battery-staple",
        roles=("administrator",),
        units=[],
        institution=None,
        is_staff=True,
        is_superuser=True,
    )
    Person.objects.bulk_create(
        Person(
            given_name=f"Nume{index}",
            family_name=f"Familie{index}",
            birth_date=date(2010, 1 + index % 12, 1 + index % 28),
            unit=unit,
            scope_unit=unit,
        )
        for index in range(ROWS)
    )


def _writer(stop: str, seconds: float) -> None:
    """Short write transactions, one after another, as a second user filing and editing."""
    from django.db import transaction

    from ocrotire.registry.models import Person

    ids = list(Person.objects.values_list("pk", flat=True))
    deadline = time.monotonic() + seconds
    count = 0
    while time.monotonic() < deadline and not os.path.exists(stop):
        with transaction.atomic():
            Person.objects.filter(pk=ids[count % len(ids)]).update(phone=str(count))
        count += 1
        time.sleep(0.002)
    print(f"writer wrote {count}")


def _export(stop: str) -> int:
    from ocrotire.accounts.models import User
    from ocrotire.analytics.exports import lists as exports
    from ocrotire.analytics.exports.jobs import export_job_run
    from ocrotire.analytics.models import ExportJob

    # Small batches: many progress steps while the list is read, each a chance to collide.
    exports.BATCH = 100
    admin = User.objects.get(username="admin")
    writer = subprocess.Popen(  # noqa: S603 - this script, its own arguments
        [sys.executable, "-m", "ocrotire.analytics.tests.sqlite_writers", "writer", stop, "60"]
    )
    try:
        time.sleep(1.5)  # the writer is writing
        job = ExportJob.objects.create(
            requested_by=admin,
            kind="persons",
            format="csv",
            params={"filters": {}, "language": "en"},
        )
        export_job_run(job.pk)
    finally:
        with open(stop, "w"):
            pass
        writer.wait(timeout=60)
    job.refresh_from_db()
    print(f"export {job.status} {job.written} {job.error}")
    return 0 if job.status == ExportJob.Status.DONE and job.written == ROWS else 1


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    step = sys.argv[1]
    if step == "setup":
        _setup()
    elif step == "writer":
        _writer(sys.argv[2], float(sys.argv[3]))
    else:
        sys.exit(_export(sys.argv[2]))
