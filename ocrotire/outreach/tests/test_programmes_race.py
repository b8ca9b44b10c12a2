"""The last place of a programme requested by two keepers at the same moment: one gets the
certificate, the other a refusal in words, and `taken` stays at `places`; two workers applying
for one household at the same moment: one application, one refusal, never a 500. On PostgreSQL
in the test's own process; on SQLite in a child process with a file-based database."""

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

from ocrotire.outreach.tests import races
from ocrotire.outreach.tests.programme_world import world_build


def check_last_place(result: dict[str, Any]) -> None:
    answers = sorted(result["answers"], key=lambda answer: answer["status"])
    assert [answer["status"] for answer in answers] == [200, 400], answers
    assert answers[0]["body"]["status"] == "issued"
    assert answers[0]["body"]["number"] == "RACE-0002"
    refusal = answers[1]["body"]["error"]
    assert "No place is left in the budget" in str(refusal["fields"]["issue"])
    assert result["taken"] == result["places"] == 2


def check_twice(result: dict[str, Any]) -> None:
    answers = sorted(result["answers"], key=lambda answer: answer["status"])
    assert [answer["status"] for answer in answers] == [201, 400], answers
    assert "already has an application or a certificate" in str(answers[1]["body"]["error"])
    assert result["rows"] == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite: see the test below")
@pytest.mark.django_db(transaction=True)
def test_the_last_place_and_a_double_application_at_the_same_moment(mfa_off: None) -> None:
    world = world_build()
    check_last_place(races.race_last_place(world))
    check_twice(races.race_double_application(world))


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL: see the test above")
def test_the_same_races_on_a_file_based_sqlite_database(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "MEDIA_ROOT": str(tmp_path / "private"),
    }
    env.pop("DATABASE_URL", None)
    done = subprocess.run(  # noqa: S603 - our own interpreter, our own module
        [sys.executable, "-m", races.__name__, str(tmp_path / "race.sqlite3")],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    check_last_place(result["last_place"])
    check_twice(result["twice"])
