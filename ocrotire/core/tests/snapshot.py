"""A copy of the whole test database in memory, put back in about a second: the demo is loaded
once per test process and each browser test gets it back as it was after loading.

PostgreSQL: every non-empty table of the project's models is copied out (`COPY … TO STDOUT`,
binary) with every sequence's value; putting it back truncates those tables and copies the rows
in with `session_replication_role = replica`, so no trigger fires a second time for rows that are
already what the triggers made (the audit log's append-only guard, the figures' change log).
SQLite: the `sqlite3` backup API, to an in-memory database and back."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

# The demo dates its rows from the time it is loaded ("forty days ago"); a copy older than this,
# or from another day, is loaded afresh so that no test sees dates further from today than now.
FRESH_FOR = timedelta(minutes=30)


@dataclass
class Snapshot:
    taken_at: datetime
    tables: list[str] = field(default_factory=list)  # PostgreSQL: every table a flush empties
    rows: list[tuple[str, bytes]] = field(default_factory=list)  # PostgreSQL: (table, COPY data)
    sequences: list[tuple[str, int | None]] = field(default_factory=list)
    sqlite: sqlite3.Connection | None = None

    def fresh(self) -> bool:
        now = timezone.now()
        return now - self.taken_at < FRESH_FOR and timezone.localdate(now) == timezone.localdate(
            self.taken_at
        )


def snapshot_take() -> Snapshot:
    """Copy the committed test database (call it outside any transaction)."""
    connection.ensure_connection()
    snapshot = Snapshot(taken_at=timezone.now())
    if connection.vendor == "sqlite":
        copy = sqlite3.connect(":memory:", check_same_thread=False)
        connection.connection.backup(copy)
        snapshot.sqlite = copy
        return snapshot
    if connection.vendor != "postgresql":
        raise NotImplementedError(connection.vendor)
    quote = connection.ops.quote_name
    snapshot.tables = sorted(
        connection.introspection.django_table_names(only_existing=True, include_views=False)
    )
    with connection.cursor() as cursor:
        for table in snapshot.tables:
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {quote(table)})")  # noqa: S608
            if not cursor.fetchone()[0]:
                continue
            with cursor.cursor.copy(f"COPY {quote(table)} TO STDOUT (FORMAT binary)") as out:
                snapshot.rows.append((table, b"".join(bytes(chunk) for chunk in out)))
        cursor.execute(
            "SELECT format('%I.%I', schemaname, sequencename), last_value FROM pg_sequences "
            "WHERE schemaname = current_schema()"
        )
        snapshot.sequences = [(name, value) for name, value in cursor.fetchall()]
    return snapshot


def snapshot_restore(snapshot: Snapshot) -> None:
    """Make the test database what it was when `snapshot` was taken (outside any transaction)."""
    connection.ensure_connection()
    if snapshot.sqlite is not None:
        snapshot.sqlite.backup(connection.connection)
    else:
        quote = connection.ops.quote_name
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
            # After a flush only the content types and permissions are left: deleting the rows
            # of the few tables that have any costs far less than truncating every table.
            cursor.execute(
                " UNION ALL ".join(
                    f"SELECT %s WHERE EXISTS (SELECT 1 FROM {quote(table)})"  # noqa: S608
                    for table in snapshot.tables
                ),
                snapshot.tables,
            )
            for (table,) in cursor.fetchall():
                cursor.execute(f"DELETE FROM {quote(table)}")  # noqa: S608
            for table, data in snapshot.rows:
                with cursor.cursor.copy(f"COPY {quote(table)} FROM STDIN (FORMAT binary)") as copy:
                    copy.write(data)
            for name, value in snapshot.sequences:
                if value is None:
                    cursor.execute("SELECT setval(%s::regclass, 1, false)", [name])
                else:
                    cursor.execute("SELECT setval(%s::regclass, %s, true)", [name, value])
    # Content types are rows too: the process's cache of them may hold a flush's ids.
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()
