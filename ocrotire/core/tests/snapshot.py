"""A copy of the whole test database in memory, put back in about a second: the demo is loaded
once per test process and each browser test gets it back as it was after loading
(`demo_committed`); on PostgreSQL the modules that only read the demo get it back inside their
module's transaction too (`demo_in_transaction`, for `module_world`).

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
    """Make the test database what it was when `snapshot` was taken: outside any transaction,
    or, on PostgreSQL, inside one (a module's world, undone with it)."""
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
            # Inside a longer transaction the triggers must fire again for what comes next.
            cursor.execute("SET LOCAL session_replication_role = origin")
    # Content types are rows too: the process's cache of them may hold a flush's ids.
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()


# The demo as this test process loaded it first, by the password hasher it was loaded with:
# whole copies, and on SQLite copies of the rows taken inside a module's transaction.
_HELD: dict[str, Snapshot] = {}
_ROWS: dict[str, Snapshot] = {}


def _key() -> str:
    from django.conf import settings

    return str(settings.PASSWORD_HASHERS[0])


def demo_committed() -> None:
    """The demo, committed: put back from the process's copy, else loaded and copied."""
    from ocrotire.demo.loader import demo_load

    held = _HELD.get(_key())
    if held is not None and held.fresh():
        snapshot_restore(held)
        return
    demo_load()
    _HELD[_key()] = snapshot_take()


def demo_in_transaction() -> None:
    """The demo inside a module's transaction (`module_world.use("demo", demo_in_transaction)`):
    the process's copy put back, or the demo loaded and copied when this is the first load (a
    copy taken inside the transaction holds what the transaction sees). SQLite's backup API
    waits for the transaction to end, so there the rows are copied table by table."""
    from ocrotire.demo.loader import demo_load

    if connection.vendor != "sqlite":
        held = _HELD.get(_key())
        if held is not None and held.fresh():
            snapshot_restore(held)
            return
        demo_load()
        _HELD[_key()] = snapshot_take()
        return
    # A whole copy serves as well; a copy of the rows alone (no triggers, no indexes) never
    # replaces a whole database (`demo_committed`).
    held = next((h for h in (_HELD.get(_key()), _ROWS.get(_key())) if h and h.fresh()), None)
    if held is not None:
        _sqlite_rows_back(held)
        return
    demo_load()
    _ROWS[_key()] = _sqlite_rows_copied()


def _tables(db: sqlite3.Connection) -> list[str]:
    rows = db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "AND name != 'django_migrations' ORDER BY name"
    )
    return [name for (name,) in rows]


def _rows_into(source: sqlite3.Connection, target: sqlite3.Connection, table: str) -> None:
    rows = source.execute(f'SELECT * FROM "{table}"').fetchall()  # noqa: S608
    if rows:
        marks = ", ".join("?" * len(rows[0]))
        target.executemany(f'INSERT INTO "{table}" VALUES ({marks})', rows)  # noqa: S608


def _sqlite_rows_copied() -> Snapshot:
    """A copy of the SQLite test database as this connection's transaction sees it."""
    connection.ensure_connection()
    main = connection.connection
    copy = sqlite3.connect(":memory:", check_same_thread=False)
    for (sql,) in main.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "AND name != 'django_migrations'"
    ):
        copy.execute(sql)
    for table in _tables(main):
        _rows_into(main, copy, table)
    copy.execute("DELETE FROM sqlite_sequence")
    _rows_into(main, copy, "sqlite_sequence")
    copy.commit()
    return Snapshot(taken_at=timezone.now(), sqlite=copy)


def _sqlite_rows_back(snapshot: Snapshot) -> None:
    """Put a copy's rows back into the SQLite test database inside the open transaction: its
    triggers are lifted meanwhile (DDL is transactional in SQLite), so that none fires again for
    rows the triggers already made, and the audit log's append-only guard lets its rows go."""
    assert snapshot.sqlite is not None
    main = connection.connection
    triggers = main.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall()
    for name, _sql in triggers:
        main.execute(f'DROP TRIGGER "{name}"')
    for table in _tables(main):
        main.execute(f'DELETE FROM "{table}"')  # noqa: S608
        _rows_into(snapshot.sqlite, main, table)
    main.execute("DELETE FROM sqlite_sequence")
    _rows_into(snapshot.sqlite, main, "sqlite_sequence")
    for _name, sql in triggers:
        main.execute(sql)
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()
