#!/usr/bin/env python
"""Cases benchmark: case list and search through the API, report creation under load, and the
memory of a web worker.

    python bench/cases_bench.py --scale 100000 \
        --database-url postgres://postgres@127.0.0.1:5432/ocrotire_bench_cases

Creates the bench database again (it is dropped first), migrates, loads the MD pack and runs
`manage.py generate` (timed), then measures on that database:

a. GET /api/v1/cases/ in-process through the whole Django + DRF stack (token authentication,
   filters, pagination, serialisation) as the supervisor of Chișinău and as a sector specialist:
   first and deep pages, filters, search by case number and by the child's family name; the same
   work in raw SQL as a baseline; SQL queries per request;
b. POST /api/v1/reports/ over loopback: gunicorn on the bench database driven by locust
   (headless, bounded in time and in count), every report with its own Idempotency-Key; and the
   same three-row transaction (counter, report, report child) in raw SQL from several threads;
c. the peak resident set (VmHWM) of each gunicorn worker after the load.

Prints a Markdown report and appends it to docs/PERFORMANCE.md. No assertions.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from common import (  # noqa: E402 - the bench directory is put on the path just above
    REPORT,
    code_version,
    machine,
    manage,
    ms,
    percentile,
    recreate_database,
)

BENCH_PASSWORD = "bench-ocrotire-2026"  # noqa: S105 - a throw-away bench database
SUPERVISOR = "bench-chisinau-head"
SPECIALIST = "bench-botanica-s1"
FILER = "bench-chisinau-filer"
CITY, SECTOR = "MD-CU", "MD-CU-BOT"


def stats(values: list[float]) -> dict[str, float]:
    return {
        "p50": percentile(values, 0.5),
        "p95": percentile(values, 0.95),
        "max": max(values) if values else float("nan"),
    }


# -- set-up --------------------------------------------------------------------------------------


def bench_users() -> None:
    """Three users with a known password and no second factor (as the demo loader does)."""
    from django.db import transaction

    from ocrotire.accounts.models import Role, RoleCode
    from ocrotire.accounts.services import role_policy_set, roles_ensure, user_upsert
    from ocrotire.geo.models import Unit

    roles_ensure()
    with transaction.atomic():
        for username, role, unit in (
            (SUPERVISOR, RoleCode.SUPERVISOR, CITY),
            (SPECIALIST, RoleCode.SPECIALIST, SECTOR),
            (FILER, RoleCode.SPECIALIST, CITY),
        ):
            user, _created = user_upsert(
                actor=None,
                username=username,
                password=BENCH_PASSWORD,
                first_name="Bench",
                last_name=username,
                roles=[role],
                units=list(Unit.objects.filter(code=unit)),
            )
            user.set_password(BENCH_PASSWORD)
            user.save(update_fields=["password"])
        for role_row in Role.objects.filter(mfa_required=True):
            role_policy_set(actor=None, role=role_row, mfa_required=False)


def token_for(username: str) -> str:
    from ocrotire.accounts.models import User
    from ocrotire.accounts.services import api_token_issue

    return api_token_issue(user=User.objects.get(username=username))


# -- a. case list --------------------------------------------------------------------------------

CASE_COLUMNS = """c.id, c.number, c.stage, c.risk_level, c.immediate_danger, c.opened_at, c.closed_at,
 c.closure_reason, c.times_reopened, c.version, c.child_id, p.given_name, p.family_name,
 u.code, m.username, m.first_name, m.last_name"""


def raw_case_list(
    cursor: Any, path: str, user_id: int, filters: dict[str, str], page: int
) -> list[Any]:
    """The work of one list request in hand-written SQL, in the best shape we know (the same
    as the application's since 2026-12-01: the scope's unit ids and the children found by name
    read first, then passed as arrays): the count, the page with its overdue steps counted, and
    the steps of the page's cases."""
    cursor.execute("SELECT id FROM geo_unit WHERE path LIKE %s", [path + "%"])
    units = [row[0] for row in cursor.fetchall()]
    cursor.execute(
        "SELECT cm.case_id FROM cases_casemember cm JOIN cases_case c ON c.id = cm.case_id"
        " WHERE cm.user_id = %s AND cm.active AND NOT c.unit_id = ANY(%s::bigint[])",
        [user_id, units],
    )
    elsewhere = [row[0] for row in cursor.fetchall()]
    if elsewhere:
        where = ["(c.unit_id = ANY(%s::bigint[]) OR c.id = ANY(%s::bigint[]))"]
        params: list[Any] = [units, elsewhere]
    else:
        where = ["c.unit_id = ANY(%s::bigint[])"]
        params = [units]
    if filters.get("stage"):
        where.append("c.stage = %s")
        params.append(filters["stage"])
    elif filters.get("open"):
        where.append("c.stage <> 'closed'")
    if filters.get("risk_level"):
        where.append("c.risk_level = %s")
        params.append(filters["risk_level"])
    if filters.get("after"):
        from ocrotire.api.pagination import _decode

        at, pk = _decode(filters["after"], "after")
        where.append("(c.opened_at, c.id) < (%s, %s)")
        params += [at, pk]
    if filters.get("search"):
        # As the application: a term with digits is a number; otherwise the persons named by
        # every word, found by the application's own hand-written SQL, passed as an array.
        from ocrotire.registry.selectors import has_digits, person_ids_named

        term = filters["search"]
        if has_digits(term):
            where.append("upper(c.number) = upper(%s)")
            params.append(term)
        else:
            named = person_ids_named(term)
            children: list[int] = []
            if named is not None:
                cursor.execute(named.sql, named.params)
                children = [row[0] for row in cursor.fetchall()]
            where.append("c.child_id = ANY(%s::bigint[])")
            params.append(children)
    condition = " AND ".join(where)
    joins = (
        "FROM cases_case c JOIN geo_unit u ON u.id = c.unit_id"
        " JOIN registry_person p ON p.id = c.child_id"
        " LEFT JOIN accounts_user m ON m.id = c.manager_id"
    )
    cursor.execute(f"SELECT count(*) FROM cases_case c WHERE {condition}", params)  # noqa: S608
    cursor.fetchone()
    cursor.execute(
        f"SELECT {CASE_COLUMNS}, (SELECT count(*) FROM cases_task t WHERE t.case_id = c.id"  # noqa: S608
        f" AND t.status = 'open' AND t.due_at < now()) {joins} WHERE {condition}"
        " ORDER BY c.opened_at DESC, c.id DESC LIMIT 50 OFFSET %s",
        [*params, (page - 1) * 50],
    )
    rows = cursor.fetchall()
    cursor.execute(
        "SELECT t.id, t.case_id, t.kind, t.due_at, t.done_at, t.status, r.code, r.version,"
        " r.legal_reference, r.verified, r.names FROM cases_task t"
        " JOIN cases_deadlinerule r ON r.id = t.rule_id WHERE t.case_id = ANY(%s)"
        " ORDER BY t.case_id, t.due_at, t.id",
        [[row[0] for row in rows]],
    )
    cursor.fetchall()
    return rows


def case_scenarios(requests: int, seed: int) -> list[dict[str, Any]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    from ocrotire.accounts.models import User
    from ocrotire.cases.models import Case

    rng = random.Random(seed)  # noqa: S311 - sampling, not security
    results = []
    for username, unit in ((SUPERVISOR, CITY), (SPECIALIST, SECTOR)):
        user = User.objects.get(username=username)
        path = f"MD/{CITY}/" if unit == CITY else f"MD/{CITY}/{SECTOR}/"
        in_scope = Case.objects.filter(unit__path__startswith=path)
        total = in_scope.count()
        numbers = list(in_scope.order_by("?").values_list("number", flat=True)[:50])
        family = in_scope.values_list("child__family_name", flat=True).order_by(
            "child__family_name"
        )
        names = sorted({n for n in family[:2000] if n})
        common = rng.choice(names[: max(1, len(names) // 3)]) if names else "Rusu"
        named = in_scope.order_by("?").values_list("child__given_name", "child__family_name")
        given_family = " ".join(named.first() or ("Maria", "Rusu"))
        deep = max(1, total // 50 // 2)
        # The same rows as the deep page, by keyset: the cursor of the row just before it.
        from ocrotire.api.pagination import cursor_of

        before_deep = in_scope.order_by("-opened_at", "-id").values_list("pk", "opened_at")[
            (deep - 1) * 50 - 1 if deep > 1 else 0
        ]
        cursor = cursor_of(before_deep[1], before_deep[0])
        client = APIClient(HTTP_HOST="localhost")
        client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(username)}")
        plan: list[tuple[str, dict[str, Any], int]] = [
            ("first page", {}, 1),
            (f"deep page ({deep})", {}, deep),
            (f"deep page ({deep}) by keyset cursor", {"after": cursor}, 1),
            ("open", {"open": "true"}, 1),
            ("stage=implementation", {"stage": "implementation"}, 1),
            ("open, risk=high", {"open": "true", "risk_level": "high"}, 1),
            ("search: case number", {"search": "#number"}, 1),
            (f"search: family name ({common})", {"search": common}, 1),
            (f"search: given and family name ({given_family})", {"search": given_family}, 1),
            # The most common given name of the synthetic registry: the worst case.
            ("search: a common given name (Maria)", {"search": "Maria"}, 1),
        ]
        for label, filters, page in plan:
            latencies, raw, queries, rows = [], [], [], 0
            for index in range(requests + 5):
                params = dict(filters)
                if params.get("search") == "#number":
                    params["search"] = numbers[index % len(numbers)]
                query = "&".join(f"{k}={v}" for k, v in params.items())
                url = f"/api/v1/cases/?page={page}" + (f"&{query}" if query else "")
                # The connection keeps the last 9,000 queries: once full, a capture counts none.
                connection.queries_log.clear()
                with CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    response = client.get(url)
                    elapsed = time.perf_counter() - started
                if response.status_code != 200:
                    raise SystemExit(f"{url}: {response.status_code} {response.content[:300]!r}")
                with connection.cursor() as cursor:
                    started = time.perf_counter()
                    raw_rows = raw_case_list(cursor, path, user.pk, params, page)
                    raw_elapsed = time.perf_counter() - started
                if index < 5:
                    continue  # warm-up
                latencies.append(elapsed)
                raw.append(raw_elapsed)
                queries.append(len(captured.captured_queries))
                rows = len(response.json()["results"])
                if len(raw_rows) != rows:
                    print(f"  note: {label}: API {rows} rows, raw SQL {len(raw_rows)}")
            results.append(
                {
                    "who": f"{username} ({unit}, {total:,} cases)",
                    "label": label,
                    "api": stats(latencies),
                    "raw": stats(raw),
                    "rps": len(latencies) / sum(latencies),
                    "queries": max(queries),
                    "rows": rows,
                    "count": response.json()["count"],
                }
            )
            last = results[-1]
            print(
                f"  {username} {label}: p50 {ms(last['api']['p50'])} p95 {ms(last['api']['p95'])}"
                f" raw p95 {ms(last['raw']['p95'])} queries {last['queries']}",
                flush=True,
            )
    return results


# -- b. report creation --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"gunicorn did not listen on {port}")


def worker_memory(master: int) -> list[dict[str, float]]:
    """VmHWM (peak) and VmRSS of each gunicorn worker, in MB."""
    found = []
    children = Path(f"/proc/{master}/task/{master}/children")
    for pid in children.read_text().split() if children.exists() else []:
        values: dict[str, float] = {"pid": float(pid)}
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(("VmHWM:", "VmRSS:")):
                values[line.split(":")[0]] = int(line.split()[1]) / 1024
        found.append(values)
    return found


def report_load(args: argparse.Namespace) -> dict[str, Any]:
    from ocrotire.intake.models import ConcernCategory, Report
    from ocrotire.registry.models import Person

    out_dir = ROOT / "var" / "bench"
    out_dir.mkdir(parents=True, exist_ok=True)
    persons = list(
        Person.objects.filter(scope_unit__path__startswith=f"MD/{CITY}/", status="active")
        .order_by("?")
        .values_list("pk", flat=True)[:5000]
    )
    persons_file = out_dir / "cases-bench-persons.txt"
    persons_file.write_text("\n".join(map(str, persons)))
    concerns = ",".join(
        ConcernCategory.objects.filter(country="MD", violence_form=False).values_list(
            "code", flat=True
        )
    )
    before = Report.objects.count()
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    gunicorn_cmd = [
        str(Path(sys.executable).parent / "gunicorn"),
        "config.wsgi:application",
        "-c",
        "config/gunicorn.conf.py",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(args.workers),
        "--threads",
        str(args.threads),
        *args.gunicorn_arg,
    ]
    log = (out_dir / "cases-bench-gunicorn.log").open("w")
    server = subprocess.Popen(gunicorn_cmd, cwd=ROOT, env=env, stderr=log, stdout=log)  # noqa: S603
    try:
        wait_for(port)
        time.sleep(2)
        prefix = out_dir / "cases-bench-locust"
        locust_cmd = [
            str(Path(sys.executable).parent / "locust"),
            "-f",
            str(ROOT / "bench" / "locust_reports.py"),
            "--headless",
            "--users",
            str(args.users),
            "--spawn-rate",
            str(args.users),
            "--run-time",
            args.run_time,
            "--host",
            f"http://127.0.0.1:{port}",
            "--csv",
            str(prefix),
            "--only-summary",
            "--reset-stats",
            "--loglevel",
            "WARNING",
        ]
        load_env = {
            **os.environ,
            "BENCH_USERNAME": FILER,
            "BENCH_PASSWORD": BENCH_PASSWORD,
            "BENCH_PERSONS": str(persons_file),
            "BENCH_UNIT": SECTOR,
            "BENCH_CONCERNS": concerns,
            "BENCH_NEW_CHILD": str(args.new_child),
            "BENCH_MAX_REQUESTS": str(args.max_requests),
        }
        load_start = os.getloadavg()[0]
        started = time.perf_counter()
        subprocess.run(locust_cmd, cwd=ROOT, env=load_env, check=False)  # noqa: S603
        wall = time.perf_counter() - started
        memory = worker_memory(server.pid)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
    row: dict[str, str] = {}
    with open(f"{prefix}_stats.csv", newline="") as handle:
        for line in csv.DictReader(handle):
            if line["Name"] == "create report":
                row = line
    failures = []
    failures_file = Path(f"{prefix}_failures.csv")
    if failures_file.exists():
        with open(failures_file, newline="") as handle:
            failures = [
                f"{line['Occurrences']} × {line['Error'][:160]}"
                for line in csv.DictReader(handle)
                if line["Name"] == "create report"
            ]
    return {
        "command": " ".join(["gunicorn", *gunicorn_cmd[1:]]).replace(str(port), "PORT")
        + "\n"
        + " ".join(["locust", *locust_cmd[1:]])
        .replace(str(ROOT) + "/", "")
        .replace(str(port), "PORT"),
        "requests": int(row.get("Request Count", 0) or 0),
        "failures": int(row.get("Failure Count", 0) or 0),
        "rps": float(row.get("Requests/s", 0) or 0),
        "p50": float(row.get("50%", "nan") or "nan") / 1000,
        "p95": float(row.get("95%", "nan") or "nan") / 1000,
        "max": float(row.get("Max Response Time", "nan") or "nan") / 1000,
        "created": Report.objects.count() - before,
        "wall": wall,
        "load": load_start,
        "failure_lines": failures,
        "memory": memory,
    }


def raw_report_baseline(url: str, threads: int, seconds: float) -> dict[str, Any]:
    """The three rows of a filing in raw SQL: counter update, report, report child."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as setup:
        template = setup.execute("SELECT * FROM intake_report ORDER BY id LIMIT 1")
        assert template.description is not None
        names = [d.name for d in template.description]
        values = list(template.fetchone() or ())
        child = setup.execute("SELECT person_id FROM intake_reportchild LIMIT 1").fetchone()
        setup.execute(
            "INSERT INTO intake_registrationcounter (prefix, year, kind, last)"
            " VALUES ('RAWBENCH', 2026, 'raw', 0) ON CONFLICT DO NOTHING"
        )
    columns = [n for n in names if n != "id"]
    row = dict(zip(names, values, strict=True))
    insert = (
        f"INSERT INTO intake_report ({', '.join(columns)}) VALUES"  # noqa: S608
        f" ({', '.join(['%s'] * len(columns))}) RETURNING id"
    )
    latencies: list[list[float]] = [[] for _ in range(threads)]
    stop = time.perf_counter() + seconds

    def run(index: int) -> None:
        with psycopg.connect(url) as conn:
            while time.perf_counter() < stop:
                started = time.perf_counter()
                with conn.transaction():
                    last = conn.execute(
                        "UPDATE intake_registrationcounter SET last = last + 1"
                        " WHERE prefix = 'RAWBENCH' AND year = 2026 AND kind = 'raw' RETURNING last"
                    ).fetchone()
                    assert last is not None
                    now = datetime.now(UTC)
                    values = {
                        **row,
                        "number": f"RAW-2026-{last[0]}",
                        "received_at": now,
                        "created_at": now,
                        "updated_at": now,
                    }
                    report = conn.execute(insert, [values[c] for c in columns]).fetchone()
                    assert report is not None
                    assert child is not None
                    conn.execute(
                        "INSERT INTO intake_reportchild (report_id, person_id) VALUES (%s, %s)",
                        [report[0], child[0]],
                    )
                latencies[index].append(time.perf_counter() - started)

    workers = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    wall = time.perf_counter() - started
    every = [x for chunk in latencies for x in chunk]
    with psycopg.connect(url, autocommit=True) as cleanup:
        cleanup.execute(
            "DELETE FROM intake_reportchild WHERE report_id IN"
            " (SELECT id FROM intake_report WHERE number LIKE 'RAW-2026-%%')"
        )
        cleanup.execute("DELETE FROM intake_report WHERE number LIKE 'RAW-2026-%%'")
        cleanup.execute("DELETE FROM intake_registrationcounter WHERE prefix = 'RAWBENCH'")
    return {"count": len(every), "rps": len(every) / wall, **stats(every), "threads": threads}


# -- report --------------------------------------------------------------------------------------


def report(
    args: argparse.Namespace,
    gen: dict[str, Any],
    cases: list[dict[str, Any]],
    load: dict[str, Any] | None,
    raw: dict[str, Any] | None,
) -> str:
    lines = [
        f"## Cases and reports, {args.scale:,} persons — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "",
        "```",
        " ".join(["python", "bench/cases_bench.py", *sys.argv[1:]]),
        "```",
        "",
        f"Machine: {machine()}; {gen['postgres']}. Load average at start / end: "
        f"{gen['load_start']} / {os.getloadavg()[0]:.2f}. Code: {code_version('ocrotire', 'config')}. "
        + (
            f"Data: `manage.py generate --persons {args.scale} --seed {args.seed} --until "
            f"{args.until}` in {gen['seconds']:.0f} s; "
            if gen.get("seconds")
            else "Data: reused database; "
        )
        + f"{gen['cases']:,} cases, {gen['reports']:,} reports, {gen['events']:,} timeline events.",
        "",
    ]
    if cases:
        lines += [
            "### Case list and search: GET /api/v1/cases/ in-process (Django test client, token)",
            "",
            f"{args.requests} requests per line after 5 warm-ups, one at a time; raw SQL is the "
            "count, the page with its overdue steps and the steps of the page, hand-written. "
            "Target (SPEC §4): **p95 ≤ 100 ms**.",
            "",
            "| User (scope) | Request | Count | p50 | p95 | max | req/s | SQL queries "
            "| Raw SQL p50 / p95 | API ÷ raw (p95) |",
            "|---|---|---|---|---|---|---|---|---|---|",
        ]
        for r in cases:
            ratio = r["api"]["p95"] / r["raw"]["p95"] if r["raw"]["p95"] else float("nan")
            lines.append(
                f"| {r['who']} | {r['label']} | {r['count']:,} | {ms(r['api']['p50'])} "
                f"| {ms(r['api']['p95'])} | {ms(r['api']['max'])} | {r['rps']:.1f} "
                f"| {r['queries']} | {ms(r['raw']['p50'])} / {ms(r['raw']['p95'])} "
                f"| {ratio:.1f}× |"
            )
        lines.append("")
    if load:
        lines += [
            "### Report creation: POST /api/v1/reports/ over loopback",
            "",
            "```",
            load["command"],
            "```",
            "",
            f"{args.users} locust users without waits, {args.new_child:.0%} of the reports about "
            "a new child (registry match, new record), the rest about an existing child of "
            "Chișinău by person id; each with its own Idempotency-Key. Target: **≥ 350/s "
            "without errors**.",
            "",
            "| Measure | Result |",
            "|---|---|",
            f"| Reports created (201) / requests / errors | {load['created']:,} / "
            f"{load['requests']:,} / {load['failures']:,} |",
            f"| Throughput | **{load['rps']:.1f} reports/s** |",
            f"| Latency p50 / p95 / max | {ms(load['p50'])} / {ms(load['p95'])} / "
            f"{ms(load['max'])} |",
            f"| Load average at the start of the load | {load['load']:.2f} |",
        ]
        if raw:
            lines.append(
                f"| Raw SQL, same three rows ({raw['threads']} threads, psycopg) | "
                f"{raw['rps']:,.0f} transactions/s, p50 {ms(raw['p50'])} / p95 {ms(raw['p95'])}"
                f" ({raw['count']:,} in {args.raw_seconds:.0f} s) |"
            )
            lines.append(
                f"| Raw SQL ÷ API throughput | {raw['rps'] / max(load['rps'], 0.1):.1f}× |"
            )
        for worker in load["memory"]:
            lines.append(
                f"| Web worker {int(worker['pid'])}: peak RSS (VmHWM) / RSS now | "
                f"**{worker.get('VmHWM', float('nan')):.0f} MB** / "
                f"{worker.get('VmRSS', float('nan')):.0f} MB |"
            )
        for failure in load["failure_lines"][:5]:
            lines.append(f"| Error | {failure} |")
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=100_000, help="persons to generate")
    parser.add_argument("--database-url", required=True, help="postgres://… (recreated!)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--until", default="2026-11-30", help="generate --until")
    parser.add_argument("--reuse", action="store_true", help="keep the generated database")
    parser.add_argument("--requests", type=int, default=60, help="case list requests per line")
    parser.add_argument("--skip-cases", action="store_true")
    parser.add_argument("--skip-load", action="store_true")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker")
    parser.add_argument("--gunicorn-arg", action="append", default=[], help="extra, repeatable")
    parser.add_argument("--users", type=int, default=30, help="locust users (20–50)")
    parser.add_argument("--run-time", default="60s", help="locust --run-time")
    parser.add_argument("--max-requests", type=int, default=30000, help="reports at most")
    parser.add_argument("--new-child", type=float, default=0.2, help="share about a new child")
    parser.add_argument("--raw-threads", type=int, default=8)
    parser.add_argument("--raw-seconds", type=float, default=10)
    parser.add_argument("--no-append", action="store_true", help="print only")
    args = parser.parse_args()

    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["DATABASE_URL"] = args.database_url
    sys.path.insert(0, str(ROOT))
    gen: dict[str, Any] = {"load_start": f"{os.getloadavg()[0]:.2f}"}
    if not args.reuse:
        print(f"Recreating {args.database_url} …", flush=True)
        recreate_database(args.database_url)
        manage("migrate", "--noinput", "--verbosity", "0")
        manage("load_packs", "MD")
        gen["seconds"] = manage(
            "generate",
            "--persons",
            str(args.scale),
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
    from ocrotire.workflow.models import TimelineEvent

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        gen["postgres"] = f"PostgreSQL {cursor.fetchone()[0]}"
    gen["cases"] = Case.objects.count()
    gen["reports"] = Report.objects.count()
    gen["events"] = TimelineEvent.objects.count()
    bench_users()

    cases = []
    if not args.skip_cases:
        print("Case list …", flush=True)
        cases = case_scenarios(args.requests, args.seed)
    load = raw = None
    if not args.skip_load:
        print("Report creation under load …", flush=True)
        connection.close()
        load = report_load(args)
        print("Raw SQL baseline of a filing …", flush=True)
        raw = raw_report_baseline(args.database_url, args.raw_threads, args.raw_seconds)
    text = report(args, gen, cases, load, raw)
    print()
    print(text)
    if not args.no_append:
        existing = REPORT.read_text(encoding="utf-8")
        REPORT.write_text(existing.rstrip("\n") + "\n\n" + text, encoding="utf-8")
        print(f"Appended to {REPORT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
