"""The triggers that note, in `analytics_figurechange`, every report whose dashboard figures
change, per database vendor (used by migrations). A trigger sees every writer (the services, a
merge's bulk update, an administrator's SQL), which code paths calling a hook would not.

What is noted: a report written, moved to another unit or day, or given another channel or
reporter (its old and new unit and moment), a concern or child added to or taken from a report,
a child's sex, birth date, displacement, disability or marks changed (every report naming them).
On PostgreSQL a session may set `ocrotire.figures = 'off'` to skip the noting during a bulk load
that counts the figures afresh at its end (the generator does; so does
`session_replication_role = replica`, under which no ordinary trigger fires)."""

from __future__ import annotations

from typing import Any

TABLE = "analytics_figurechange"
REPORT_COLUMNS = ("unit_id", "received_at", "channel", "reporter_kind", "reporter_sector")
PERSON_COLUMNS = ("sex", "birth_date", "displacement", "disability")


def _changed(columns: tuple[str, ...], distinct: str) -> str:
    return " OR ".join(f"OLD.{c} {distinct} NEW.{c}" for c in columns)


def _of_report(row: str) -> str:
    return (
        f"INSERT INTO {TABLE} (unit_id, received_at) "  # noqa: S608 (fixed names)
        f"SELECT unit_id, received_at FROM intake_report WHERE id = {row}.report_id;"
    )


def _of_person(row: str) -> str:
    return (
        f"INSERT INTO {TABLE} (unit_id, received_at) "  # noqa: S608 (fixed names)
        "SELECT r.unit_id, r.received_at FROM intake_reportchild c "
        f"JOIN intake_report r ON r.id = c.report_id WHERE c.person_id = {row}.id;"
    )


def _of_marks(row: str) -> str:
    return (
        f"INSERT INTO {TABLE} (unit_id, received_at) "  # noqa: S608 (fixed names)
        "SELECT r.unit_id, r.received_at FROM intake_reportchild c "
        f"JOIN intake_report r ON r.id = c.report_id WHERE c.person_id = {row}.person_id;"
    )


def _own(row: str) -> str:
    values = f"({row}.unit_id, {row}.received_at)"
    return f"INSERT INTO {TABLE} (unit_id, received_at) VALUES {values};"  # noqa: S608


# (name, table, event, WHEN condition or "", statements); OLD/NEW as the event allows.
def _triggers(distinct: str) -> list[tuple[str, str, str, str, list[str]]]:
    linked = []
    for table in ("intake_reportchild", "intake_report_concerns"):
        short = "child" if table.endswith("child") else "concern"
        linked += [
            (f"analytics_fig_{short}_ins", table, "INSERT", "", [_of_report("NEW")]),
            (
                f"analytics_fig_{short}_upd",
                table,
                "UPDATE",
                "",
                [_of_report("OLD"), _of_report("NEW")],
            ),
            (f"analytics_fig_{short}_del", table, "DELETE", "", [_of_report("OLD")]),
        ]
    marks = "registry_person_vulnerabilities"
    return [
        ("analytics_fig_report_ins", "intake_report", "INSERT", "", [_own("NEW")]),
        (
            "analytics_fig_report_upd",
            "intake_report",
            "UPDATE",
            _changed(REPORT_COLUMNS, distinct),
            [_own("OLD"), _own("NEW")],
        ),
        ("analytics_fig_report_del", "intake_report", "DELETE", "", [_own("OLD")]),
        *linked,
        (
            "analytics_fig_person_upd",
            "registry_person",
            "UPDATE",
            _changed(PERSON_COLUMNS, distinct),
            [_of_person("NEW")],
        ),
        ("analytics_fig_marks_ins", marks, "INSERT", "", [_of_marks("NEW")]),
        ("analytics_fig_marks_upd", marks, "UPDATE", "", [_of_marks("OLD"), _of_marks("NEW")]),
        ("analytics_fig_marks_del", marks, "DELETE", "", [_of_marks("OLD")]),
    ]


def _postgres_up() -> list[str]:
    statements = []
    for name, table, event, when, body in _triggers("IS DISTINCT FROM"):
        returned = "OLD" if event == "DELETE" else "NEW"
        statements.append(
            f"""CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$
BEGIN
  IF coalesce(current_setting('ocrotire.figures', true), '') <> 'off' THEN
    {" ".join(body)}
  END IF;
  RETURN {returned};
END;
$$ LANGUAGE plpgsql;"""
        )
        condition = f" WHEN ({when})" if when else ""
        statements.append(f"DROP TRIGGER IF EXISTS {name} ON {table};")
        statements.append(
            f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW{condition} "
            f"EXECUTE FUNCTION {name}();"
        )
    return statements


def _postgres_down() -> list[str]:
    statements = []
    for name, table, _event, _when, _body in _triggers("IS DISTINCT FROM"):
        statements.append(f"DROP TRIGGER IF EXISTS {name} ON {table};")
        statements.append(f"DROP FUNCTION IF EXISTS {name}();")
    return statements


def _sqlite_up() -> list[str]:
    statements = []
    for name, table, event, when, body in _triggers("IS NOT"):
        condition = f" WHEN {when}" if when else ""
        statements.append(f"DROP TRIGGER IF EXISTS {name};")
        statements.append(
            f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW{condition} "
            f"BEGIN {' '.join(body)} END;"
        )
    return statements


def _sqlite_down() -> list[str]:
    return [f"DROP TRIGGER IF EXISTS {name};" for name, *_rest in _triggers("IS NOT")]


def _run(connection: Any, postgres: list[str], sqlite: list[str]) -> None:
    with connection.cursor() as cursor:
        statements = {"postgresql": postgres, "sqlite": sqlite}.get(connection.vendor, [])
        for statement in statements:
            cursor.execute(statement)


def install(connection: Any) -> None:
    _run(connection, _postgres_up(), _sqlite_up())


def remove(connection: Any) -> None:
    _run(connection, _postgres_down(), _sqlite_down())
