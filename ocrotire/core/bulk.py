"""Bulk writing for the synthetic-data generators: COPY on PostgreSQL, executemany elsewhere.

Rows carry their own primary keys, taken as one contiguous block per table (`reserve`), so that
rows of several tables can refer to each other before any of them is written. Columns not given
get the model's default, so a column added later with a default needs no change here."""

from __future__ import annotations

import json
import queue
import sys
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime
from typing import IO, Any, TypeVar

from django.db import connection, models
from django.db.models.fields import NOT_PROVIDED
from django.utils import timezone

T = TypeVar("T")

_ESCAPE = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False).translate(_ESCAPE)


def _escape(value: str) -> str:
    return (
        value.translate(_ESCAPE)
        if "\\" in value or "\t" in value or "\n" in value or "\r" in value
        else value
    )


# By exact type, which is several times faster than a chain of isinstance() over millions of values.
_FORMATS: dict[type, Any] = {
    int: str,
    str: _escape,
    bool: lambda value: "t" if value else "f",
    type(None): lambda _value: "\\N",
    datetime: datetime.isoformat,
    date: date.isoformat,
    dict: _json,
    list: _json,
    float: repr,
}


def copy_text(value: object) -> str:
    """A value in PostgreSQL COPY text format."""
    format_ = _FORMATS.get(type(value))
    if format_ is not None:
        return str(format_(value))
    if isinstance(value, str):
        return _escape(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | dict):
        return _json(value)
    return str(value)


def _sqlite_value(value: object) -> object:
    # As Django's SQLite backend stores them: naive UTC datetimes, ISO dates, JSON text.
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return value


class MissingDefault(ValueError):
    pass


class CopyTable:
    """COPY into a model's table: the given columns per row, every other column its default."""

    def __init__(self, model: type[models.Model], given: Sequence[str]) -> None:
        meta = model._meta
        self.model = model
        fields = {field.name: field for field in meta.concrete_fields}
        missing = [name for name in given if name not in fields]
        if missing:
            raise MissingDefault(f"{meta.label} has no field {', '.join(missing)}.")
        self.columns = [fields[name].column for name in given]
        now = timezone.now()
        self.default_columns: list[str] = []
        self.defaults: list[Any] = []
        for field in meta.concrete_fields:
            if field.name in given or field.primary_key:
                continue
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                value: Any = now
            elif field.has_default():
                value = field.get_default()
            elif field.db_default is not NOT_PROVIDED:
                continue
            else:
                # "" for a text field, None for a nullable one; anything else needs a value.
                value = field.get_default()
                if value is None and not field.null:
                    raise MissingDefault(f"{meta.label}.{field.name} has no default to write.")
            self.default_columns.append(field.column)
            self.defaults.append(value)
        quote = connection.ops.quote_name
        all_columns = [*self.columns, *self.default_columns]
        self.sql = (
            f"COPY {quote(meta.db_table)} ({', '.join(quote(c) for c in all_columns)}) FROM STDIN"
        )
        self.suffix = "".join("\t" + copy_text(value) for value in self.defaults) + "\n"
        self.lines: list[str] = []

    def add(self, *values: object) -> None:
        self.lines.append("\t".join(map(copy_text, values)) + self.suffix)

    def flush(self, cursor: Any) -> int:
        written = len(self.lines)
        if written:
            with cursor.copy(self.sql) as copy:
                copy.write("".join(self.lines))
            self.lines = []
        return written


class CopyWriter:
    """Sends COPY batches on the caller's connection from a thread of its own, so that the
    generator simulates the next days while PostgreSQL takes in the last ones (on two cores the
    two shares overlap instead of adding up). The batches go in order, inside the caller's
    transaction; psycopg holds the connection for the length of each COPY, so a statement of
    the caller waits for the batch in progress. `drain()` waits until everything sent is in
    (and raises what a batch raised); read what was written only after it."""

    def __init__(self, depth: int = 4) -> None:
        connection.ensure_connection()
        self.raw = connection.connection
        self.queue: queue.Queue[tuple[BulkTable, str, str] | None] = queue.Queue(maxsize=depth)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="copy-writer", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while True:
            item = self.queue.get()
            try:
                if item is None:
                    return
                table, sql, data = item
                if self.error is None:
                    started = time.perf_counter()
                    with self.raw.cursor() as cursor, cursor.copy(sql) as copy:
                        copy.write(data)
                    table.seconds += time.perf_counter() - started
            except BaseException as exc:  # handed to the caller's thread by drain()/send()
                self.error = exc
            finally:
                self.queue.task_done()

    def _raise(self) -> None:
        if self.error is not None:
            # As Django's own cursor raises it (a DataError, an IntegrityError, …).
            with connection.wrap_database_errors:
                raise self.error

    def send(self, table: BulkTable, sql: str, data: str) -> None:
        self._raise()
        self.queue.put((table, sql, data))

    def drain(self) -> None:
        self.queue.join()
        self._raise()

    def __enter__(self) -> CopyWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_rest: object) -> None:
        self.stop(discard=kind is not None)

    def stop(self, *, discard: bool = False) -> None:
        """End the thread: after the batches sent, or (`discard`, the caller failed and rolls
        back) after the batch in progress only."""
        if discard:
            while True:
                try:
                    self.queue.get_nowait()
                except queue.Empty:
                    break
                self.queue.task_done()
        self.queue.put(None)
        self.thread.join()


class BulkTable(CopyTable):
    """A CopyTable that also writes to SQLite (executemany) and counts what it wrote.

    Rows are buffered and written every `size` rows (through `writer`, a CopyWriter, when one is
    given: in the background); `close()` writes the rest and waits until it is in."""

    def __init__(
        self,
        model: type[models.Model],
        given: Sequence[str],
        size: int = 5000,
        writer: CopyWriter | None = None,
    ) -> None:
        super().__init__(model, given)
        self.size = size
        self.writer = writer
        self.written = 0
        self.seconds = 0.0
        self.postgres = connection.vendor == "postgresql"
        self.rows: list[tuple[object, ...]] = []
        if not self.postgres:
            quote = connection.ops.quote_name
            columns = [*self.columns, *self.default_columns]
            names = ", ".join(quote(c) for c in columns)
            marks = ", ".join(["%s"] * len(columns))
            table = quote(model._meta.db_table)
            # Quoted model names only, no user input.
            self.insert = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608
            self.default_values = tuple(_sqlite_value(v) for v in self.defaults)

    @property
    def label(self) -> str:
        return str(self.model._meta.db_table)

    def add(self, *values: object) -> None:
        if self.postgres:
            super().add(*values)
            pending = len(self.lines)
        else:
            self.rows.append(tuple(map(_sqlite_value, values)) + self.default_values)
            pending = len(self.rows)
        if pending >= self.size:
            self.write()

    def write(self) -> None:
        if self.postgres and self.writer is not None:
            if self.lines:
                self.writer.send(self, self.sql, "".join(self.lines))
                self.written += len(self.lines)
                self.lines = []
            return
        started = time.perf_counter()
        with connection.cursor() as wrapper:
            if self.postgres:
                self.written += self.flush(wrapper.cursor)
            elif self.rows:
                wrapper.executemany(self.insert, self.rows)  # type: ignore[arg-type]
                self.written += len(self.rows)
                self.rows = []
        self.seconds += time.perf_counter() - started

    def close(self) -> None:
        self.write()
        if self.writer is not None:
            self.writer.drain()


def reserve(model: type[models.Model], count: int) -> int:
    """The first of `count` consecutive free primary keys of `model`'s table, now taken.

    On PostgreSQL the sequence jumps by `count` in one statement. A concurrent insert into the
    same table between the two calls inside it could take an id of the block: the generators
    run on databases nobody else writes to."""
    if count <= 0:
        return 0
    table = model._meta.db_table
    column = model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, %s), "
                "nextval(pg_get_serial_sequence(%s, %s)) + %s - 1)",
                [table, column, table, column, count],
            )
            last = int(cursor.fetchone()[0])
            return last - count + 1
        quote = connection.ops.quote_name
        cursor.execute(f"SELECT COALESCE(MAX({quote(column)}), 0) FROM {quote(table)}")  # noqa: S608
        return int(cursor.fetchone()[0]) + 1


def fast_load() -> bool:
    """Skip foreign-key triggers for the rest of the transaction (PostgreSQL, superuser only).

    Django's foreign keys are checked at commit, one trigger call per row: at tens of millions of
    generated rows that is most of the load time. The generators build every reference from keys
    they reserved or read, and their tests run with the checks on. False when not allowed."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        row = cursor.fetchone()
        if not row or not row[0]:
            return False
        cursor.execute("SET LOCAL session_replication_role = replica")
    return True


def indexes_defer(tables: Iterable[str]) -> list[str]:
    """Drop the secondary indexes of those of `tables` that are empty, inside the caller's
    transaction, and return their definitions for `indexes_restore` (PostgreSQL; elsewhere
    nothing). One index built over millions of rows at the end is several times cheaper than
    the same index kept up to date row by row during a COPY — most of all the trigram (GIN)
    indexes of names. Primary keys and unique indexes stay: they keep the load correct. A table
    with rows keeps its indexes (a generation added to a live database). A transaction that
    fails gives the indexes back with everything else."""
    if connection.vendor != "postgresql":
        return []
    quote = connection.ops.quote_name
    definitions: list[str] = []
    with connection.cursor() as cursor:
        for table in sorted(set(tables)):
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {quote(table)})")  # noqa: S608
            if cursor.fetchone()[0]:
                continue
            cursor.execute(
                "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)"
                " FROM pg_index i WHERE i.indrelid = %s::regclass"
                " AND NOT i.indisprimary AND NOT i.indisunique AND NOT EXISTS"
                " (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)"
                " ORDER BY 1",
                [quote(table)],
            )
            for name, definition in cursor.fetchall():
                cursor.execute(f"DROP INDEX {name}")
                definitions.append(definition)
    return definitions


def indexes_restore(definitions: Sequence[str]) -> None:
    """Build again the indexes `indexes_defer` dropped, with their own definitions."""
    if not definitions:
        return
    with connection.cursor() as cursor:
        # For this transaction only: sorting in memory instead of on disk.
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        # A table with foreign-key checks still waiting for the commit cannot take an index:
        # run them now (every row they refer to is written), then defer again what follows.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for definition in definitions:
            cursor.execute(definition)
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def analyze(tables: Iterable[type[models.Model]]) -> None:
    """Fresh planner statistics after a bulk load; on PostgreSQL, outside a transaction, a
    VACUUM as well. Freshly copied pages are not marked all-visible until a vacuum passes, so
    until then every index-only scan (the name-key blocks of the live match, counts and pages
    of the case list) reads the table after all; autovacuum would get there on a live system
    (it may be off, as on the benchmark machine, or hours behind a load of millions of rows).
    SQLite: ANALYZE."""
    quote = connection.ops.quote_name
    names = ", ".join(dict.fromkeys(quote(m._meta.db_table) for m in tables))
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute("ANALYZE")
        elif connection.in_atomic_block:
            cursor.execute("ANALYZE " + names)
        else:
            cursor.execute("VACUUM (ANALYZE) " + names)


class Progress:
    """A one-line progress display on stderr (a line per tenth when it is not a terminal)."""

    def __init__(
        self, label: str, total: int, *, stream: IO[str] | None = None, enabled: bool = True
    ) -> None:
        self.label = label
        self.stream = stream or sys.stderr
        self.total = max(total, 1)
        self.enabled = enabled
        self.done = 0
        self.started = time.perf_counter()
        self.shown = 0.0
        self.tty = self.stream.isatty()
        self.next_tenth = 0.1

    def update(self, count: int) -> None:
        self.done += count
        if not self.enabled:
            return
        now = time.perf_counter()
        fraction = min(self.done / self.total, 1.0)
        if self.tty:
            if now - self.shown < 0.25 and self.done < self.total:
                return
        elif fraction < self.next_tenth and self.done < self.total:
            return
        self.shown = now
        self.next_tenth = (int(fraction * 10) + 1) / 10
        elapsed = now - self.started
        rate = self.done / elapsed if elapsed > 0 else 0.0
        remaining = max(self.total - self.done, 0) / rate if rate else 0.0
        bar = "#" * int(fraction * 30)
        line = (
            f"[{bar:<30}] {self.done:>{len(str(self.total))}}/{self.total} {self.label} "
            f"{fraction:6.1%}  {rate:,.0f}/s  ETA {remaining:5.0f} s"
        )
        if self.tty:
            self.stream.write("\r" + line)
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled and self.tty:
            self.stream.write("\n")
            self.stream.flush()
