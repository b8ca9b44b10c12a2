#!/usr/bin/env python
"""Analytics benchmark: the dashboards, the HG 270 annual report and the DHIS2 export through
the API, on a generated PostgreSQL database.

    python bench/analytics_bench.py --database-url postgres://postgres@127.0.0.1:5432/ocrotire_big

The database must hold generated data (`manage.py generate`, e.g. through
`bench/cases_bench.py --reuse` or by hand); `--generate N` creates it first (dropped and made
again, N persons). Each request goes in-process through the whole Django + DRF stack (token
authentication, scope, the queries, serialisation), as the supervisor of Chișinău (the whole
city, exact figures), a sector specialist and a planner of the city (small counts suppressed).
The HG 270 report is compared with one hand-written SQL statement counting its first rows (the
work the database cannot avoid), to show our overhead.

Prints a Markdown report and appends it to docs/PERFORMANCE.md. No assertions.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from cases_bench import (  # noqa: E402 - the bench directory is put on the path just above
    BENCH_PASSWORD,
    CITY,
    SECTOR,
    SPECIALIST,
    SUPERVISOR,
    bench_users,
    stats,
    token_for,
)
from common import (  # noqa: E402 - the bench directory is put on the path just above
    REPORT,
    code_version,
    machine,
    manage,
    ms,
    recreate_database,
)

PLANNER = "bench-chisinau-planner"

RAW_HG270 = """
SELECT (r.channel = 'self_referral') AS self, r.reporter_sector, count(*)
FROM intake_report r
WHERE r.received_at >= %s AND r.received_at < %s AND r.unit_id = ANY(%s::bigint[])
GROUP BY 1, 2
"""


def planner_user() -> None:
    from ocrotire.accounts.models import RoleCode
    from ocrotire.accounts.services import user_upsert
    from ocrotire.geo.models import Unit

    user, _created = user_upsert(
        actor=None,
        username=PLANNER,
        password=BENCH_PASSWORD,
        first_name="Bench",
        last_name=PLANNER,
        roles=[RoleCode.PLANNER],
        units=list(Unit.objects.filter(code=CITY)),
    )
    user.set_password(BENCH_PASSWORD)
    user.save(update_fields=["password"])


def measure(client: Any, url: str, requests: int) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    latencies, queries = [], []
    for index in range(requests + 2):
        # The connection keeps the last 9,000 queries: once full, a capture counts none.
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise SystemExit(f"{url}: {response.status_code} {response.content[:300]!r}")
        if index < 2:
            continue  # warm-up
        latencies.append(elapsed)
        queries.append(len(captured.captured_queries))
    return {"api": stats(latencies), "queries": max(queries), "n": len(latencies)}


def raw_hg270(year: int, requests: int) -> dict[str, float]:
    from django.db import connection

    from ocrotire.analytics.official.hg270 import year_bounds
    from ocrotire.geo.models import Unit

    start, end = year_bounds(year)
    city = Unit.objects.get(code=CITY).path
    latencies = []
    for _ in range(requests):
        with connection.cursor() as cursor:
            began = time.perf_counter()
            cursor.execute("SELECT id FROM geo_unit WHERE path LIKE %s", [city + "%"])
            units = [row[0] for row in cursor.fetchall()]
            cursor.execute(RAW_HG270, [start, end, units])
            cursor.fetchall()
            latencies.append(time.perf_counter() - began)
    return stats(latencies)


CHANGED_DAYS = 100


def note_changes(days: int, today: Any) -> list[int]:
    """Note a change on `days` days of the city's last twelve months, as the triggers would for
    reports changed since the last refresh (the figures stay exact: those days are counted from
    the records); the ids noted, deleted after the measurement."""
    import random
    from datetime import datetime, time, timedelta

    from django.utils import timezone

    from ocrotire.analytics.models import FigureChange
    from ocrotire.geo.models import Unit

    city = Unit.objects.get(code=CITY)
    units = list(Unit.objects.filter(path__startswith=city.path).values_list("pk", flat=True))
    rng = random.Random(days)  # noqa: S311 - sample days, not secrets
    rows = [
        FigureChange(
            unit_id=rng.choice(units),
            received_at=timezone.make_aware(
                datetime.combine(today - timedelta(days=rng.randrange(330)), time(12))
            ),
        )
        for _ in range(days)
    ]
    return [row.pk for row in FigureChange.objects.bulk_create(rows)]


def day_figures() -> float:
    """Count the day figures of every report when they are not yet (a database generated before
    they existed), then vacuum their tables for index-only scans; the seconds it took."""
    from django.db import connection

    from ocrotire.analytics.common import figures

    started = time.perf_counter()
    if not figures.is_built():
        print("Counting the day figures of every report …", flush=True)
        figures.rebuild()
    figures.refresh()
    tables = ", ".join(f.model._meta.db_table for f in figures.FAMILIES)
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {tables}")
    return time.perf_counter() - started


def scenarios(args: argparse.Namespace) -> list[dict[str, Any]]:
    from django.urls import NoReverseMatch, reverse
    from django.utils import timezone
    from rest_framework.test import APIClient

    year = args.year or timezone.localdate().year - 1
    today = timezone.localdate()
    results = []
    clients = {}
    for username in (SUPERVISOR, SPECIALIST, PLANNER):
        client = APIClient(HTTP_HOST="localhost")
        client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(username)}")
        clients[username] = client
    plan: list[tuple[str, str, str]] = [
        (
            "HG 270 report, city, last year",
            SUPERVISOR,
            f"/api/v1/analytics/hg270/?year={year}&unit={CITY}",
        ),
        (
            "HG 270 report, city, this year",
            SUPERVISOR,
            f"/api/v1/analytics/hg270/?year={today.year}&unit={CITY}",
        ),
        (
            "HG 270 report, sector",
            SPECIALIST,
            f"/api/v1/analytics/hg270/?year={year}&unit={SECTOR}",
        ),
        (
            "HG 270 report, city, planner (suppressed)",
            PLANNER,
            f"/api/v1/analytics/hg270/?year={year}&unit={CITY}",
        ),
        (
            "HG 270 workbook, city",
            SUPERVISOR,
            f"/api/v1/analytics/hg270.xlsx?year={year}&unit={CITY}",
        ),
        (
            "DHIS2 dataValueSets, city + sectors, a month",
            SUPERVISOR,
            f"/api/v1/analytics/dhis2/?period={year}06&unit={CITY}",
        ),
    ]
    try:
        dashboard = reverse("api:analytics-dashboard")
    except NoReverseMatch:
        dashboard = ""
    if dashboard:
        plan += [
            ("dashboard, city, last 12 months", SUPERVISOR, f"{dashboard}?unit={CITY}"),
            ("dashboard, sector, last 12 months", SPECIALIST, f"{dashboard}?unit={SECTOR}"),
            ("dashboard, city, planner", PLANNER, f"{dashboard}?unit={CITY}"),
            (
                "dashboard, city, a whole year",
                SUPERVISOR,
                f"{dashboard}?unit={CITY}&since={year}-01-01&until={year}-12-31",
            ),
        ]
    from django.core.cache import cache
    from django.test.utils import override_settings

    for label, username, url in plan:
        if "dhis2" in url and not args.dhis2:
            continue
        # Dashboards read afresh at every request (from the kept day figures), then as readers
        # get them, cached a short while for the area; the city's twelve months also with days
        # changed since the last refresh (counted live over the kept figures), and counted from
        # the records alone (the kept figures not used), the cost the day figures take away.
        modes: list[tuple[str, int, dict[str, Any], int]] = [("", 0, {}, 0)]
        if "/dashboard/" in url:
            modes = [(", not cached", 0, {}, 0)]
            if label == "dashboard, city, last 12 months":
                modes += [
                    (f", not cached, {CHANGED_DAYS} days changed", 0, {}, CHANGED_DAYS),
                    (
                        ", counted from the records alone",
                        0,
                        {"OCROTIRE_FIGURES_PENDING_LIMIT": -1},
                        0,
                    ),
                ]
            modes.append((", cached", 120, {}, 0))
        for suffix, seconds, overrides, changed in modes:
            print(f"  {label}{suffix} …", flush=True)
            cache.clear()
            noted = note_changes(changed, today) if changed else []
            with override_settings(OCROTIRE_DASHBOARD_CACHE_SECONDS=seconds, **overrides):
                result = measure(clients[username], url, args.requests)
            if noted:
                from ocrotire.analytics.models import FigureChange

                FigureChange.objects.filter(pk__in=noted).delete()
            result["label"] = label + suffix
            result["url"] = url
            results.append(result)
    raw = raw_hg270(year, args.requests)
    results.append({"label": "raw SQL: one GROUP BY of the year's city reports", "raw": raw})
    return results


def dhis2_mapping() -> None:
    from ocrotire.demo.analytics import dhis2_demo_load

    dhis2_demo_load()


def report(args: argparse.Namespace, gen: dict[str, Any], results: list[dict[str, Any]]) -> str:
    lines = [
        f"### Analytics benchmark — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "",
        f"Command: `python bench/analytics_bench.py --database-url <db> --requests {args.requests}"
        + (f" --year {args.year}" if args.year else "")
        + "`",
        f"Machine: {machine()}; {gen.get('postgres', '')}; code {code_version('ocrotire/analytics')}",
        f"Data: {gen.get('persons', 0):,} persons, {gen.get('reports', 0):,} reports, "
        f"{gen.get('cases', 0):,} cases, {gen.get('events', 0):,} timeline events; "
        f"{gen.get('figures_rows', 0):,} day figures kept for the dashboards (counted or "
        f"refreshed and vacuumed before the run in {gen.get('figures_seconds', 0):.1f} s).",
        "",
        "| Request | p50 | p95 | max | SQL queries | target |",
        "|---|---|---|---|---|---|",
    ]
    for row in results:
        if "api" in row:
            target = "≤ 2 s" if "HG 270" in row["label"] else "p95 ≤ 500 ms"
            api = row["api"]
            lines.append(
                f"| {row['label']} | {ms(api['p50'])} | {ms(api['p95'])} | {ms(api['max'])}"
                f" | {row['queries']} | {target} |"
            )
        else:
            raw = row["raw"]
            lines.append(
                f"| {row['label']} | {ms(raw['p50'])} | {ms(raw['p95'])} | {ms(raw['max'])} | 1 | — |"
            )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/ocrotire_big")
    parser.add_argument("--generate", type=int, default=0, help="persons to generate first")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--until", default="2026-11-30", help="generate --until")
    parser.add_argument("--requests", type=int, default=20, help="timed requests per scenario")
    parser.add_argument("--year", type=int, default=0, help="the report's year (default: last)")
    parser.add_argument("--no-dhis2", dest="dhis2", action="store_false")
    parser.add_argument("--no-append", action="store_true", help="print only")
    args = parser.parse_args()

    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["DATABASE_URL"] = args.database_url
    sys.path.insert(0, str(ROOT))
    if args.generate:
        recreate_database(args.database_url)
        manage("migrate", "--noinput", "--verbosity", "0")
        manage("load_packs", "MD")
        manage(
            "generate",
            "--persons",
            str(args.generate),
            "--seed",
            str(args.seed),
            "--until",
            args.until,
        )
    else:
        manage("migrate", "--noinput", "--verbosity", "0")
    import django

    django.setup()
    from django.db import connection

    from ocrotire.cases.models import Case
    from ocrotire.intake.models import Report
    from ocrotire.registry.models import Person
    from ocrotire.workflow.models import TimelineEvent

    gen: dict[str, Any] = {}
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        gen["postgres"] = f"PostgreSQL {cursor.fetchone()[0]}"
        cursor.execute("ANALYZE")
    gen["persons"] = Person.objects.count()
    gen["cases"] = Case.objects.count()
    gen["reports"] = Report.objects.count()
    gen["events"] = TimelineEvent.objects.count()
    bench_users()
    planner_user()
    dhis2_mapping()
    gen["figures_seconds"] = day_figures()
    from ocrotire.analytics.models import ChildDayFigure, ConcernDayFigure, ReportDayFigure

    gen["figures_rows"] = sum(
        m.objects.count() for m in (ReportDayFigure, ConcernDayFigure, ChildDayFigure)
    )
    print("Analytics …", flush=True)
    results = scenarios(args)
    text = report(args, gen, results)
    print()
    print(text)
    if not args.no_append:
        existing = REPORT.read_text(encoding="utf-8")
        REPORT.write_text(existing.rstrip("\n") + "\n\n" + text, encoding="utf-8")
        print(f"Appended to {REPORT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
