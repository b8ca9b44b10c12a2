"""What the benchmarks share: where the report goes and its introduction, the bench database,
`manage.py` timed, percentiles, memory, the machine and the code version a figure was taken on."""

from __future__ import annotations

import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import unquote, urlparse

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "docs" / "PERFORMANCE.md"
INTRO = """# Performance

Benchmarks of the scale targets in SPEC §4, run with `bench/` scripts on PostgreSQL. They
are measurements, not tests: nothing fails when a figure misses its target, and each run is
appended below with its exact command, date and machine.

The registry benchmark (`bench/registry_bench.py`, see `bench/README.md`) generates synthetic
Moldovan persons with a known ground truth (about 10 % duplicates with script, diacritics,
typo, swapped-name, estimated-date and Russified-name variations; about 1 % twins) and measures:

* **Live match** — `ocrotire.registry.matching.match` called in-process for at least 500 of
  the duplicates, against the whole registry: latency p50/p95/max, and the same probes' raw
  SQL blocking query alone as a baseline. Target: **p95 ≤ 25 ms**.
* **Recall@1 / @5** of the live match: is another record of the same person first / in the
  first five?
* **Batch de-duplication** (`linkage.find_duplicates`): time, and pair precision and recall
  against the ground truth. Target: **1,000,000 persons ≤ 120 s**.
* **Peak memory** (resident set) of the benchmark process, which does what a web worker does
  when it matches. Target for a web worker: **≤ 300 MB**.

Target machine: 2 cores.
"""


# -- set-up --------------------------------------------------------------------------------------


def recreate_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    parts = urlparse(url)
    name = unquote(parts.path.lstrip("/"))
    if not name or parts.scheme not in {"postgres", "postgresql"}:
        raise SystemExit(f"Expected a postgres:// URL with a database name, got {url!r}.")
    with psycopg.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=unquote(parts.username or "postgres"),
        password=unquote(parts.password) if parts.password else None,
        dbname="postgres",
        autocommit=True,
    ) as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def manage(*arguments: str) -> float:
    started = time.perf_counter()
    subprocess.run(  # noqa: S603 - our own manage.py with our arguments
        [sys.executable, str(ROOT / "manage.py"), *arguments], cwd=ROOT, check=True
    )
    return time.perf_counter() - started


# -- helpers -------------------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # kilobytes on Linux


def rss_now_mb() -> float:
    """The resident set size now (not the peak)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def machine() -> str:
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f", {int(line.split()[1]) / 1024 / 1024:.0f} GB RAM"
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores ({model}){memory}, Python {platform.python_version()}"


def code_version(*paths: str) -> str:
    """The commit, and which files under `paths` (default: the registry) differ from it."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        command = ["git", "status", "--porcelain", "--", *(paths or ("ocrotire/registry",))]
        changed = subprocess.run(  # noqa: S603 - git with paths given by the bench itself
            command,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split("\n")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    dirty = sorted(line[3:] for line in changed if line.strip())
    return f"commit {commit}" + (
        f" with uncommitted changes in {', '.join(dirty)}" if dirty else ""
    )
