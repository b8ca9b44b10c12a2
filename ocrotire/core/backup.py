"""Encrypted backups of the database and the private files, and their restore into an empty database.

A backup is one file: a tar stream of the database (PostgreSQL: `pg_dump -Fc`, a consistent
snapshot; SQLite: the online backup API), the private media files, and a manifest with the SHA-256
and size of each — encrypted under `OCROTIRE_BACKUP_KEY` in Fernet frames of at most `CHUNK` bytes,
so neither writing nor reading holds more than a frame in memory. Each frame's plain text starts
with its index and a last-frame mark: frames cannot be reordered, dropped or cut off unseen.

Restore refuses a database that has any table, decrypts and unpacks into a private temporary
directory, checks every file against the manifest (nothing missing, nothing added, every checksum),
and only then loads the database (`pg_restore --single-transaction`) and copies the files."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import shutil
import sqlite3
import struct
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from django.utils.translation import gettext as _

from ocrotire.core.audit import audit_record
from ocrotire.core.models import AuditAction

MAGIC = b"OCROTIRE-BACKUP-1\n"
CHUNK = 1024 * 1024
_FRAME = struct.Struct(">QB")  # index, last-frame mark
_LENGTH = struct.Struct(">I")
MANIFEST = "manifest.json"
DUMP_NAMES = {"postgresql": "database.pgdump", "sqlite": "database.sqlite3"}


class BackupError(Exception):
    """A backup that cannot be made or restored; the message says why (for the operator)."""


def backup_key() -> Fernet:
    configured = str(settings.OCROTIRE_BACKUP_KEY or "")
    if not configured:
        if settings.PRODUCTION:
            raise ImproperlyConfigured("Set OCROTIRE_BACKUP_KEY in production.")
        # Development and tests: a key derived from the secret key, so nothing needs configuring.
        digest = hashlib.sha256(b"ocrotire-backup-key:" + settings.SECRET_KEY.encode()).digest()
        configured = base64.urlsafe_b64encode(digest).decode()
    try:
        return Fernet(configured.encode())
    except ValueError as exc:
        raise ImproperlyConfigured(
            "OCROTIRE_BACKUP_KEY must be a Fernet key (Fernet.generate_key())."
        ) from exc


class _EncryptingWriter(io.RawIOBase):
    """A write-only stream that encrypts what it is given in frames of CHUNK bytes."""

    def __init__(self, out: IO[bytes], fernet: Fernet) -> None:
        self._out = out
        self._fernet = fernet
        self._buffer = bytearray()
        self._index = 0
        out.write(MAGIC)

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self._buffer += bytes(data)
        while len(self._buffer) > CHUNK:
            self._frame(bytes(self._buffer[:CHUNK]), last=False)
            del self._buffer[:CHUNK]
        return len(data)

    def _frame(self, data: bytes, *, last: bool) -> None:
        token = self._fernet.encrypt(_FRAME.pack(self._index, int(last)) + data)
        self._out.write(_LENGTH.pack(len(token)) + token)
        self._index += 1

    def finish(self) -> None:
        self._frame(bytes(self._buffer), last=True)
        self._buffer.clear()


class _DecryptingReader(io.RawIOBase):
    """A read-only stream of the plain text of an encrypted backup, frame by frame."""

    def __init__(self, source: IO[bytes], fernet: Fernet) -> None:
        if source.read(len(MAGIC)) != MAGIC:
            raise BackupError(_("This file is not an Ocrotire backup."))
        self._source = source
        self._fernet = fernet
        self._buffer = b""
        self._index = 0
        self._done = False

    def readable(self) -> bool:
        return True

    def _next_frame(self) -> None:
        head = self._source.read(_LENGTH.size)
        if len(head) < _LENGTH.size:
            raise BackupError(_("The backup is cut short: its last part is missing."))
        (length,) = _LENGTH.unpack(head)
        token = self._source.read(length)
        try:
            plain = self._fernet.decrypt(token)
        except InvalidToken as exc:
            raise BackupError(
                _(
                    "The backup cannot be decrypted with the configured backup key, or it was altered."
                )
            ) from exc
        index, last = _FRAME.unpack_from(plain)
        if index != self._index:
            raise BackupError(_("The backup's parts are out of order."))
        self._index += 1
        self._buffer += plain[_FRAME.size :]
        if last:
            if self._source.read(1):
                raise BackupError(_("The backup has data after its last part."))
            self._done = True

    def readinto(self, target: Any) -> int:
        while not self._buffer and not self._done:
            self._next_frame()
        size = min(len(target), len(self._buffer))
        target[:size] = self._buffer[:size]
        self._buffer = self._buffer[size:]
        return size


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    vendor: str
    files: int
    plain_bytes: int


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def _pg_env() -> dict[str, str]:
    db = connection.settings_dict
    env = dict(os.environ)
    # Through the environment, not the command line: other users of the machine see arguments.
    for variable, key in (
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
        ("PGDATABASE", "NAME"),
    ):
        if db.get(key):
            env[variable] = str(db[key])
    return env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            _("%(tool)s is not installed on this machine: install the PostgreSQL client tools.")
            % {"tool": name}
        )
    return path


def _run(args: list[str]) -> None:
    done = subprocess.run(args, env=_pg_env(), capture_output=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(
            _("%(tool)s failed: %(error)s")
            % {"tool": Path(args[0]).name, "error": done.stderr.decode(errors="replace").strip()}
        )


def _dump_database(target: Path) -> None:
    if connection.vendor == "postgresql":
        _run([_tool("pg_dump"), "--format=custom", f"--file={target}"])
    elif connection.vendor == "sqlite":
        if connection.in_atomic_block:
            # The online backup would wait for ever on pages this connection's own open
            # transaction holds; and a backup holds committed data only.
            raise BackupError(_("Run the backup outside a transaction."))
        connection.ensure_connection()
        copy = sqlite3.connect(target)
        try:
            connection.connection.backup(copy)
        finally:
            copy.close()
    else:
        raise BackupError(
            _("Backups of %(vendor)s databases are not supported.") % {"vendor": connection.vendor}
        )


def _media_files() -> Iterator[tuple[Path, str]]:
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            yield path, "media/" + path.relative_to(root).as_posix()


def _migrations() -> dict[str, str]:
    applied = MigrationExecutor(connection).loader.applied_migrations
    latest: dict[str, str] = {}
    for app, name in sorted(applied):
        latest[app] = max(latest.get(app, ""), name)
    return latest


def backup_write(*, output: Path) -> BackupSummary:
    """Write an encrypted backup of the database and the private files to `output`."""
    fernet = backup_key()
    audit_record(
        actor=None,
        actor_username="backup",
        action=AuditAction.EXPORT,
        object_type="core.backup",
        object_repr=output.name[:200],
    )
    with tempfile.TemporaryDirectory(prefix="ocrotire-backup-") as work:
        dump = Path(work) / DUMP_NAMES.get(connection.vendor, "database")
        _dump_database(dump)
        members = [(dump, dump.name), *_media_files()]
        entries = [
            {"path": name, "size": path.stat().st_size, "sha256": _sha256(path)}
            for path, name in members
        ]
        manifest = json.dumps(
            {
                "format": 1,
                "created_at": timezone.now().isoformat(),
                "vendor": connection.vendor,
                "database": dump.name,
                "migrations": _migrations(),
                "files": entries,
            },
            indent=1,
            sort_keys=True,
        ).encode()
        output.parent.mkdir(parents=True, exist_ok=True)
        partial = output.with_name(output.name + ".partial")
        with partial.open("wb") as raw:
            writer = _EncryptingWriter(raw, fernet)
            with tarfile.open(fileobj=writer, mode="w|") as tar:
                info = tarfile.TarInfo(MANIFEST)
                info.size = len(manifest)
                tar.addfile(info, io.BytesIO(manifest))
                for (path, name), entry in zip(members, entries, strict=True):
                    info = tarfile.TarInfo(name)
                    info.size = int(str(entry["size"]))
                    with path.open("rb") as handle:
                        tar.addfile(info, handle)
            writer.finish()
            raw.flush()
            os.fsync(raw.fileno())
        partial.replace(output)
    return BackupSummary(
        path=output,
        vendor=connection.vendor,
        files=len(members) - 1,
        plain_bytes=sum(int(str(e["size"])) for e in entries),
    )


def _unpack(archive: Path, into: Path) -> dict[str, Any]:
    """Decrypt and unpack, then hold every file to the manifest; return the manifest."""
    with archive.open("rb") as raw:
        reader = io.BufferedReader(_DecryptingReader(raw, backup_key()), buffer_size=CHUNK)
        try:
            with tarfile.open(fileobj=reader, mode="r|") as tar:
                tar.extractall(into, filter="data")
        except tarfile.TarError as exc:
            raise BackupError(_("The backup's contents are damaged.")) from exc
    try:
        manifest: dict[str, Any] = json.loads((into / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise BackupError(_("The backup has no readable manifest.")) from exc
    listed = {str(entry["path"]): entry for entry in manifest.get("files", [])}
    present = {path.relative_to(into).as_posix() for path in into.rglob("*") if path.is_file()} - {
        MANIFEST
    }
    if present != set(listed):
        raise BackupError(
            _("The backup's files do not match its manifest: %(files)s.")
            % {"files": ", ".join(sorted(present ^ set(listed))[:5])}
        )
    for name, entry in listed.items():
        path = into / name
        if path.stat().st_size != entry["size"] or _sha256(path) != entry["sha256"]:
            raise BackupError(
                _("The checksum of %(file)s does not match the manifest.") % {"file": name}
            )
    return manifest


def backup_restore(*, archive: Path) -> dict[str, Any]:
    """Restore a backup into the configured database, which must be empty; return the manifest."""
    if connection.introspection.table_names():
        raise BackupError(_("The database is not empty: restore only into a new, empty database."))
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(prefix="ocrotire-restore-") as work:
        into = Path(work)
        manifest = _unpack(archive, into)
        if manifest.get("vendor") != connection.vendor:
            raise BackupError(
                _("The backup is of a %(backup)s database, and this one is %(current)s.")
                % {"backup": manifest.get("vendor"), "current": connection.vendor}
            )
        media = [
            name for name in (e["path"] for e in manifest["files"]) if name.startswith("media/")
        ]
        clashes = [name for name in media if (media_root / name[len("media/") :]).exists()]
        if clashes:
            raise BackupError(
                _("Files of the backup already exist among the private files: %(files)s.")
                % {"files": ", ".join(clashes[:5])}
            )
        dump = into / str(manifest["database"])
        if connection.vendor == "postgresql":
            _run(
                [
                    _tool("pg_restore"),
                    "--no-owner",
                    "--no-privileges",
                    "--exit-on-error",
                    "--single-transaction",
                    f"--dbname={connection.settings_dict['NAME']}",
                    str(dump),
                ]
            )
        else:
            connection.ensure_connection()
            source = sqlite3.connect(dump)
            try:
                source.backup(connection.connection)
            finally:
                source.close()
        for name in media:
            target = media_root / name[len("media/") :]
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(into / name, target)
    connection.close()
    executor = MigrationExecutor(connection)
    # The restore is audited in the restored chain, unless the code expects migrations not applied
    # yet (an older backup): then `migrate` comes first and the row would not fit the table.
    if not executor.migration_plan(executor.loader.graph.leaf_nodes()):
        audit_record(
            actor=None,
            actor_username="restore",
            action=AuditAction.CREATE,
            object_type="core.backup",
            object_repr=archive.name[:200],
            changes={"backup_created_at": manifest.get("created_at")},
        )
    return manifest
