"""Indexes for the case search on PostgreSQL: the case number compared without case, and the
children's names searched by any part (pg_trgm). SQLite has no such indexes and needs none."""

from typing import Any

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS cases_case_number_upper ON cases_case (UPPER(number))",
    "CREATE INDEX IF NOT EXISTS registry_person_family_trgm ON registry_person"
    " USING gin (UPPER(family_name) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS registry_person_given_trgm ON registry_person"
    " USING gin (UPPER(given_name) gin_trgm_ops)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS registry_person_given_trgm",
    "DROP INDEX IF EXISTS registry_person_family_trgm",
    "DROP INDEX IF EXISTS cases_case_number_upper",
]


def _run(statements: list[str]) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0002_initial"),
        ("registry", "0003_person_birth_date_index"),
    ]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
