"""The same batch sent twice at the same moment (a device that retried while its first request
was still running): one request applies it, once; both get the same answers. On PostgreSQL in
this process; on SQLite in a subprocess over a file database (sync_race.py says why)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from ocrotire.outreach.tests.factories import Village, as_worker
from ocrotire.outreach.tests.sync_race import batch_for, race, tally


def _looks_applied_once(answers: list[Any], before: dict[str, Any], after: dict[str, Any]) -> None:
    assert answers[0] == answers[1]
    status, body = answers[0]
    assert status == 200
    assert [r["outcome"] for r in body["results"]] == ["applied", "applied"]
    assert after["changes"] == before["changes"] + 2
    assert after["screenings"] == before["screenings"] + 1
    assert after["household"] == ["Popescu-Ionescu", 2]
    # One audit row for the household and one for the screening: applied once.
    assert after["audit"] == before["audit"] + 2


@pytest.mark.skipif(connection.vendor == "sqlite", reason="the SQLite run is the next test")
@pytest.mark.django_db(transaction=True)
def test_two_identical_batches_at_once_apply_once(api: Any, village: Village) -> None:
    before = tally(village.home.pk)
    answers = race(lambda: as_worker(api, village.community), batch_for(village.home.pk))
    _looks_applied_once(answers, before, tally(village.home.pk))


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the PostgreSQL run is the test above")
def test_two_identical_batches_at_once_apply_once_on_a_sqlite_file(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'ocrotire.sqlite3'}",
        "MEDIA_ROOT": str(tmp_path / "private"),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "ALLOWED_HOSTS": "testserver",
        "OCROTIRE_MFA_ENFORCED": "false",
    }

    def run(*args: str, timeout: int) -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # noqa: S603 - our own interpreter, our own arguments
            [sys.executable, *args],
            cwd=settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    migrated = run("manage.py", "migrate", "--noinput", timeout=300)
    assert migrated.returncode == 0, migrated.stderr[-2000:]
    raced = run("-m", "ocrotire.outreach.tests.sync_race", timeout=180)
    assert raced.returncode == 0, raced.stderr[-3000:]
    result = json.loads(raced.stdout.strip().splitlines()[-1])
    _looks_applied_once(result["answers"], result["before"], result["after"])
