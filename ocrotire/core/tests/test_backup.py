"""`manage.py backup` and `manage.py restore`: a backup restored into a new database has the same
records, its private files, and an audit chain that verifies; a damaged backup and a non-empty
database are refused."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import translation

from ocrotire.core.audit import chain_pending

TABLES = ["intake_report", "registry_person", "accounts_user", "accounts_institution"]


def _file_reports(api: Any, personas: dict[str, Any], count: int) -> None:
    for n in range(count):
        body = {
            "channel": "phone",
            "reporter": {"kind": "citizen", "name": f"Vecina {n}", "contact": "+37369000000"},
            "children": [{"given_name": f"Ion{n}", "family_name": "Rusu"}],
            "concerns": ["neglect"],
            "unit": "MD-CU-BOT",
            "narrative": f"Relatarea numărul {n}.",
        }
        response = api(personas["specialist"]).post("/api/v1/reports/", body, format="json")
        assert response.status_code == 201, response.content


def _counts(cursor: Any) -> dict[str, int]:
    result = {}
    for table in [*TABLES, "core_auditevent"]:
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - fixed table names
        result[table] = cursor.fetchone()[0]
    return result


@pytest.fixture
def new_database(tmp_path: Path) -> Iterator[str]:
    """The DATABASE_URL of a new, empty database beside the test database."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    db = connection.settings_dict
    name = f"{db['NAME']}_restored"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    user = db.get("USER") or "postgres"
    yield f"postgres://{user}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{name}"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _manage(url: str, media: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=url,
        MEDIA_ROOT=str(media),
        OCROTIRE_AUDIT_CHECKPOINT_FILE=str(django_settings.OCROTIRE_AUDIT_CHECKPOINT_FILE),
    )
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=django_settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def _restored_counts(url: str) -> dict[str, int]:
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url[len("sqlite:///") :]) as lite:
            return _counts(lite.cursor())
    with psycopg.connect(url.replace("postgres://", "postgresql://")) as pg:
        return _counts(pg.cursor())


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_into_a_new_database(
    api: Any,
    personas: dict[str, Any],
    casework: None,
    settings: Any,
    tmp_path: Path,
    new_database: str,
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    attachment = settings.MEDIA_ROOT / "reports" / "2026" / "scan.pdf"
    attachment.parent.mkdir(parents=True)
    attachment.write_bytes(b"%PDF-1.4 evidence" * 1000)
    _file_reports(api, personas, 4)
    chain_pending()
    call_command("audit_chain", "--checkpoint", stdout=open(os.devnull, "w"))  # noqa: SIM115
    archive = tmp_path / "ocrotire.backup"
    call_command("backup", "--output", str(archive), stdout=open(os.devnull, "w"))  # noqa: SIM115
    with connection.cursor() as cursor:
        source = _counts(cursor)
    assert source["intake_report"] == 4
    assert b"Relatarea" not in archive.read_bytes()  # encrypted, not only compressed

    with translation.override("en"), pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(archive))

    media = tmp_path / "restored-media"
    restored = _manage(new_database, media, "restore", str(archive))
    assert restored.returncode == 0, restored.stderr
    assert (media / "reports" / "2026" / "scan.pdf").read_bytes() == attachment.read_bytes()
    counts = _restored_counts(new_database)
    # The restore writes one audit row of its own into the restored chain.
    assert counts == {**source, "core_auditevent": source["core_auditevent"] + 1}
    verified = _manage(new_database, media, "audit_chain", "--verify")
    assert verified.returncode == 0, verified.stderr
    # Held to the one checkpoint written before the backup (the sentence is in the default
    # language: its last line counts the checkpoints).
    assert " 1 " in verified.stdout.strip().splitlines()[-1]

    again = _manage(new_database, tmp_path / "other-media", "restore", str(archive))
    assert again.returncode != 0
    assert "Traceback" not in again.stderr
    assert not (tmp_path / "other-media").exists()


@pytest.mark.django_db(transaction=True)
def test_a_damaged_or_cut_backup_is_refused_before_anything_is_restored(
    settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    (settings.MEDIA_ROOT / "a.txt").write_text("attachment")
    archive = tmp_path / "b.backup"
    call_command("backup", "--output", str(archive), stdout=open(os.devnull, "w"))  # noqa: SIM115
    data = archive.read_bytes()
    flipped = bytearray(data)
    flipped[len(data) // 2] ^= 1
    for n, damaged in enumerate([bytes(flipped), data[: len(data) // 3]]):
        archive.write_bytes(damaged)
        target = tmp_path / f"restored-{n}.sqlite3"
        media = tmp_path / f"restored-media-{n}"
        done = _manage(f"sqlite:///{target}", media, "restore", str(archive))
        assert done.returncode != 0
        assert "Traceback" not in done.stderr
        with sqlite3.connect(target) as db:
            assert db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0
        assert not media.exists()
