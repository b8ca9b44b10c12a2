"""The SQL that makes the audit table append-only, per database vendor (used by migrations).

Version 1 (migration 0002) refused every UPDATE and DELETE. Version 2 (migration 0003) allows
exactly one UPDATE per row: the chaining step that gives a row written without a hash its place
(`seq`), `prev_hash` and `hash`, with every other column unchanged."""

from __future__ import annotations

from typing import Any

PG_UP_V1 = """
CREATE OR REPLACE FUNCTION core_auditevent_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'core_auditevent is append-only';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS core_auditevent_no_update ON core_auditevent;
CREATE TRIGGER core_auditevent_no_update BEFORE UPDATE OR DELETE ON core_auditevent
  FOR EACH ROW EXECUTE FUNCTION core_auditevent_append_only();
"""
PG_DOWN_V1 = """
DROP TRIGGER IF EXISTS core_auditevent_no_update ON core_auditevent;
DROP FUNCTION IF EXISTS core_auditevent_append_only();
"""
SQLITE_UP_V1 = [
    """CREATE TRIGGER IF NOT EXISTS core_auditevent_no_update BEFORE UPDATE ON core_auditevent
       BEGIN SELECT RAISE(ABORT, 'core_auditevent is append-only'); END;""",
    """CREATE TRIGGER IF NOT EXISTS core_auditevent_no_delete BEFORE DELETE ON core_auditevent
       BEGIN SELECT RAISE(ABORT, 'core_auditevent is append-only'); END;""",
]
SQLITE_DOWN_V1 = [
    "DROP TRIGGER IF EXISTS core_auditevent_no_update;",
    "DROP TRIGGER IF EXISTS core_auditevent_no_delete;",
]


PG_UP_V2 = """
CREATE OR REPLACE FUNCTION core_auditevent_append_only() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.seq IS NULL AND OLD.hash IS NULL AND NEW.seq IS NOT NULL
     AND NEW.hash IS NOT NULL
     AND (to_jsonb(NEW) - 'seq' - 'hash' - 'prev_hash')
         = (to_jsonb(OLD) - 'seq' - 'hash' - 'prev_hash') THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'core_auditevent is append-only';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS core_auditevent_no_update ON core_auditevent;
CREATE TRIGGER core_auditevent_no_update BEFORE UPDATE OR DELETE ON core_auditevent
  FOR EACH ROW EXECUTE FUNCTION core_auditevent_append_only();
"""
PG_DOWN_V2 = PG_DOWN_V1
_SAME = " AND ".join(
    f"NEW.{column} IS OLD.{column}"
    for column in (
        "id",
        "at",
        "actor_id",
        "actor_username",
        "action",
        "object_type",
        "object_id",
        "object_repr",
        "ip",
        "request_id",
        "changes",
    )
)
SQLITE_UP_V2 = [
    f"""CREATE TRIGGER IF NOT EXISTS core_auditevent_no_update BEFORE UPDATE ON core_auditevent
       WHEN NOT (OLD.seq IS NULL AND OLD.hash IS NULL AND NEW.seq IS NOT NULL
                 AND NEW.hash IS NOT NULL AND {_SAME})
       BEGIN SELECT RAISE(ABORT, 'core_auditevent is append-only'); END;""",
    SQLITE_UP_V1[1],
]
SQLITE_DOWN_V2 = SQLITE_DOWN_V1


def _run(connection: Any, pg: str, sqlite: list[str]) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(pg)
        elif connection.vendor == "sqlite":
            for statement in sqlite:
                cursor.execute(statement)


def install_v1(connection: Any) -> None:
    _run(connection, PG_UP_V1, SQLITE_UP_V1)


def remove_v1(connection: Any) -> None:
    _run(connection, PG_DOWN_V1, SQLITE_DOWN_V1)


def install_v2(connection: Any) -> None:
    _run(connection, PG_UP_V2, SQLITE_UP_V2)


def remove_v2(connection: Any) -> None:
    _run(connection, PG_DOWN_V2, SQLITE_DOWN_V2)
