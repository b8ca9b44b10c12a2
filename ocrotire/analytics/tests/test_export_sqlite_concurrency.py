"""The embedded default under two users: a background export on a file-based SQLite database
succeeds while a second process keeps writing (it failed with "database is locked" when the
export's own connection, reading the list through an open cursor, wrote its progress)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

SCRIPT = "ocrotire.analytics.tests.sqlite_writers"


def test_a_background_export_succeeds_while_another_process_writes(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'ocrotire.sqlite3'}",
        "MEDIA_ROOT": str(tmp_path / "private"),
        "DJANGO_SETTINGS_MODULE": "config.settings",
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
    made = run("-m", SCRIPT, "setup", timeout=120)
    assert made.returncode == 0, made.stderr[-2000:]
    for attempt in range(2):
        stop = tmp_path / f"stop-{attempt}"
        exported = run("-m", SCRIPT, "export", str(stop), timeout=180)
        assert exported.returncode == 0, (exported.stdout, exported.stderr[-3000:])
        assert "export done 3000" in exported.stdout
        written = int(exported.stdout.split("writer wrote ")[1].split()[0])
        assert written > 0, "the second process wrote nothing while the export ran"
