#!/usr/bin/env python
"""Registry benchmark: synthetic persons, live match latency and recall, batch de-duplication.

    python bench/registry_bench.py --scale 100000 \
        --database-url postgres://postgres@127.0.0.1:5432/ocrotire_bench

Creates (or empties) the bench database, migrates, loads the MD pack, generates the persons
(timed), then measures on that database: live match latency against the raw SQL blocking
query, recall against the generator's ground truth, batch de-duplication if
`ocrotire.registry.linkage.find_duplicates` is there, and peak memory. Prints a Markdown report
and appends it to docs/PERFORMANCE.md. No assertions: the figures are for people to read.
"""

from __future__ import annotations

import argparse
import csv
import gc
import os
import random
import resource
import statistics
import sys
import time
from array import array
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from common import (  # the bench directory is the script's own, first on the path
    INTRO,
    REPORT,
    ROOT,
    code_version,
    machine,
    manage,
    ms,
    percentile,
    recreate_database,
    rss_mb,
    rss_now_mb,
)


class Truth:
    """The ground truth, kept compact (arrays indexed by person id) so that the memory of the
    benchmark process stays close to what matching itself needs."""

    KINDS = ("original", "duplicate", "twin")

    def __init__(self, path: Path) -> None:
        ids: list[int] = []
        entities: list[int] = []
        kinds = bytearray()
        self.variations: dict[int, tuple[str, ...]] = {}
        with path.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                person = int(row["person_id"])
                ids.append(person)
                entities.append(int(row["entity"]))
                kinds.append(self.KINDS.index(row["kind"]))
                if row["variations"]:
                    self.variations[person] = tuple(row["variations"].split("+"))
        self.base = min(ids, default=0)
        size = max(ids, default=-1) - self.base + 1
        self._entity = array("q", [-1]) * size
        self._kind = bytearray(b"\xff") * size
        for person, entity, kind in zip(ids, entities, kinds, strict=True):
            self._entity[person - self.base] = entity
            self._kind[person - self.base] = kind
        # Only persons with more than one record need their records listed.
        members: dict[int, list[int]] = defaultdict(list)
        for person, entity in zip(ids, entities, strict=True):
            members[entity].append(person)
        self.members = {entity: found for entity, found in members.items() if len(found) > 1}
        self.count = len(ids)
        self.kind_counts = Counter(self.KINDS[k] for k in kinds)

    def entity(self, person: int) -> int | None:
        index = person - self.base
        if 0 <= index < len(self._entity) and self._entity[index] >= 0:
            return self._entity[index]
        return None

    def kind(self, person: int) -> str | None:
        index = person - self.base
        if 0 <= index < len(self._kind) and self._kind[index] != 0xFF:
            return self.KINDS[self._kind[index]]
        return None

    def of_kind(self, kind: str) -> list[int]:
        code = self.KINDS.index(kind)
        return [self.base + i for i, k in enumerate(self._kind) if k == code]

    def same(self, person: int) -> set[int]:
        entity = self.entity(person)
        return set(self.members.get(entity, ())) - {person} if entity is not None else set()

    def pairs(self) -> set[tuple[int, int]]:
        found = set()
        for persons in self.members.values():
            ordered = sorted(persons)
            for i, low in enumerate(ordered):
                for high in ordered[i + 1 :]:
                    found.add((low, high))
        return found


# -- measurements --------------------------------------------------------------------------------


BLOCK_SQL = """
SELECT person_id, count(*) AS hits FROM registry_namekey
WHERE key = ANY(%s) {year}
GROUP BY person_id ORDER BY hits DESC LIMIT %s
"""
BLOCK_COUNT_SQL = "SELECT count(*) FROM registry_namekey WHERE key = ANY(%s) {year}"


def block_query(probe: Any, *, count: bool = False) -> tuple[str, list[Any]]:
    from ocrotire.registry.matching import MAX_BLOCK, YEAR_WINDOW
    from ocrotire.registry.names import name_keys

    keys = sorted(name_keys(probe.given_name) | name_keys(probe.family_name))
    params: list[Any] = [keys]
    year = ""
    if probe.birth_year is not None:
        year = "AND (birth_year IS NULL OR birth_year BETWEEN %s AND %s)"
        params += [probe.birth_year - YEAR_WINDOW, probe.birth_year + YEAR_WINDOW]
    if count:
        return BLOCK_COUNT_SQL.format(year=year), params
    return BLOCK_SQL.format(year=year), [*params, MAX_BLOCK]


def measure_match(truth: Truth, probe_count: int, seed: int) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ocrotire.registry.matching import match, probe_of
    from ocrotire.registry.models import Person

    duplicates = truth.of_kind("duplicate")
    chooser = random.Random(seed)  # noqa: S311 - a reproducible sample, not a secret
    chosen = chooser.sample(duplicates, min(len(duplicates), probe_count + 30))
    warmup_ids, probe_ids = chosen[:30], chosen[30:]
    loaded = {p.pk: p for p in Person.objects.filter(pk__in=chosen).prefetch_related("identifiers")}
    probes = [(pk, probe_of(loaded[pk])) for pk in probe_ids if pk in loaded]
    everyone = Person.objects.all()
    rss_before = rss_now_mb()
    for pk in warmup_ids:
        if pk in loaded:
            match(probe_of(loaded[pk]), persons=everyone, exclude=[pk])
    # As a web worker does (config/gunicorn.conf.py → ocrotire.core.runtime.settle_heap), the
    # bench's own set-up — above all the ground truth of every generated person — is moved out
    # of the cyclic collector's way and the collector runs as often as in a worker: a full
    # collection would otherwise walk the truth again and again, and those pauses (up to 0.7 s
    # at 1 M) would be the bench's, not the match's.
    from ocrotire.core.runtime import settle_heap

    settle_heap()

    gc_pauses: list[float] = []
    gc_started: list[float] = [0.0]

    def on_gc(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            gc_started[0] = time.perf_counter()
        elif info["generation"] == 2:
            gc_pauses.append(time.perf_counter() - gc_started[0])

    latencies: list[float] = []
    hits1 = hits5 = 0
    gc.callbacks.append(on_gc)
    by_variation: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    misses: list[tuple[int, Any, list[Any]]] = []
    for pk, probe in probes:
        started = time.perf_counter()
        candidates = match(probe, persons=everyone, exclude=[pk])
        latencies.append(time.perf_counter() - started)
        expected = truth.same(pk)
        top1 = bool(candidates) and candidates[0].person.pk in expected
        top5 = any(c.person.pk in expected for c in candidates[:5])
        hits1 += top1
        hits5 += top5
        for variation in truth.variations.get(pk) or ("exact",):
            counts = by_variation[variation]
            counts[0] += 1
            counts[1] += top1
            counts[2] += top5
        if not top5 and len(misses) < 12:
            misses.append((pk, probe, candidates[:1]))
    gc.callbacks.remove(on_gc)

    raw: list[float] = []
    fanout: list[int] = []
    with connection.cursor() as cursor:
        for _pk, probe in probes:
            query, params = block_query(probe)
            started = time.perf_counter()
            cursor.execute(query, params)
            cursor.fetchall()
            raw.append(time.perf_counter() - started)
            query, params = block_query(probe, count=True)
            cursor.execute(query, params)
            fanout.append(cursor.fetchone()[0])

    with CaptureQueriesContext(connection) as captured:
        for _pk, probe in probes[:20]:
            match(probe, persons=everyone, exclude=[_pk])
    queries = len(captured.captured_queries) / max(1, min(20, len(probes)))

    return {
        "probes": len(probes),
        "latencies": latencies,
        "raw": raw,
        "fanout": fanout,
        "queries": queries,
        "recall1": hits1 / max(1, len(probes)),
        "recall5": hits5 / max(1, len(probes)),
        "by_variation": dict(by_variation),
        "misses": misses,
        "rss_mb": rss_mb(),
        "rss_before": rss_before,
        "rss_after": rss_now_mb(),
        "probe_list": probes,
        "gc_pauses": gc_pauses,
        "loop_seconds": sum(latencies),
    }


def profile_match(truth: Truth, probes: list[tuple[int, Any]]) -> dict[str, Any]:
    """Where the time of a live match goes: SQL against Python, and the time inside each helper
    of `matching` that exists (wrapped while profiling, so this follows the module as it changes)."""
    from django.db import connection

    from ocrotire.registry import matching
    from ocrotire.registry.models import Person, PersonStatus

    phases: dict[str, list[float]] = defaultdict(list)
    inside: dict[str, float] = defaultdict(float)
    originals: dict[str, Any] = {}

    def timed(name: str, function: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                inside[name] += time.perf_counter() - started

        return wrapper

    for name in ("_block", "_records", "_score", "score_pair"):
        if callable(getattr(matching, name, None)):
            originals[name] = getattr(matching, name)
            setattr(matching, name, timed(name, originals[name]))
    sql = {"seconds": 0.0, "count": 0}

    def on_query(execute: Any, query: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(query, params, many, context)
        finally:
            sql["seconds"] += time.perf_counter() - started
            sql["count"] += 1

    everyone = Person.objects.all()
    try:
        with connection.execute_wrapper(on_query):
            for pk, probe in probes:
                inside.clear()
                sql["seconds"] = 0.0
                started = time.perf_counter()
                matching.match(probe, persons=everyone, exclude=[pk])
                total = time.perf_counter() - started
                phases["whole match"].append(total)
                phases["SQL (every query, with its rows)"].append(sql["seconds"])
                phases["Python (the rest)"].append(total - sql["seconds"])
                for name in originals:
                    phases[f"inside matching.{name}()"].append(inside[name])
    finally:
        for name, function in originals.items():
            setattr(matching, name, function)

    # Is the true match among the persons the live match scores?
    scored_limit = getattr(matching, "MAX_BLOCK", 0)
    in_block = in_scored = 0
    for pk, probe in probes:
        ranked = list(matching._block(probe, Person.objects.filter(status=PersonStatus.ACTIVE)))
        same = truth.same(pk)
        in_block += bool(same & set(ranked))
        in_scored += bool(same & set(ranked[:scored_limit] if scored_limit else ranked))

    # What-if: the same probes with the cyclic garbage collector paused.
    without_gc: list[float] = []
    gc.collect()
    gc.disable()
    try:
        for pk, probe in probes:
            started = time.perf_counter()
            matching.match(probe, persons=everyone, exclude=[pk])
            without_gc.append(time.perf_counter() - started)
    finally:
        gc.enable()
    return {
        "without_gc": without_gc,
        "phases": {name: (statistics.mean(v), percentile(v, 0.95)) for name, v in phases.items()},
        "queries": sql["count"] / max(1, len(probes)),
        "block_recall": in_block / max(1, len(probes)),
        "scored_recall": in_scored / max(1, len(probes)),
        "scored_limit": scored_limit,
        "count": len(probes),
    }


# Ways to rank the block, all with the same keys, birth-year window and limit.
ALTERNATIVES = {
    "by hits, as the live match ranks": "hits DESC, person_id",
    "name fields hit (given, family), then hits, then nearest birth year": (
        "(bool_or(key = ANY(%(given)s)))::int + (bool_or(key = ANY(%(family)s)))::int DESC, "
        "hits DESC, min(abs(coalesce(birth_year, %(year)s) - %(year)s)), person_id"
    ),
}
ALTERNATIVE_SQL = """
SELECT person_id, count(*) AS hits FROM registry_namekey
WHERE key = ANY(%(keys)s) {year}
GROUP BY person_id ORDER BY {order} LIMIT %(limit)s
"""


def blocking_alternatives(truth: Truth, probes: list[tuple[int, Any]]) -> dict[str, Any]:
    """Recall and SQL time of other ways to rank the same block; and of taking everyone born on
    the probe's exact birth date (with an index on the birth date, created for this measurement
    inside a transaction that is rolled back)."""
    from django.db import connection, transaction

    from ocrotire.registry.matching import MAX_BLOCK, YEAR_WINDOW
    from ocrotire.registry.names import name_keys

    results: dict[str, Any] = {}
    with transaction.atomic(), connection.cursor() as cursor:
        blocks: dict[str, list[set[int]]] = {}
        for label, order in ALTERNATIVES.items():
            found = 0
            seconds: list[float] = []
            per_probe: list[set[int]] = []
            for pk, probe in probes:
                given, family = name_keys(probe.given_name), name_keys(probe.family_name)
                year = probe.birth_year or 0
                params: dict[str, Any] = {
                    "keys": sorted(given | family),
                    "given": sorted(given),
                    "family": sorted(family),
                    "year": year,
                    "limit": MAX_BLOCK,
                    "low": year - YEAR_WINDOW,
                    "high": year + YEAR_WINDOW,
                }
                window = (
                    "AND (birth_year IS NULL OR birth_year BETWEEN %(low)s AND %(high)s)"
                    if probe.birth_year
                    else ""
                )
                started = time.perf_counter()
                cursor.execute(ALTERNATIVE_SQL.format(year=window, order=order), params)
                ids = {row[0] for row in cursor.fetchall()}
                seconds.append(time.perf_counter() - started)
                found += bool(truth.same(pk) & ids)
                per_probe.append(ids)
            results[label] = (found / max(1, len(probes)), seconds)
            blocks[label] = per_probe
        cursor.execute("CREATE INDEX bench_person_birth_date ON registry_person (birth_date)")
        cursor.execute("ANALYZE registry_person")
        found = 0
        sizes: list[int] = []
        seconds = []
        union = dict.fromkeys(ALTERNATIVES, 0)
        for index, (pk, probe) in enumerate(probes):
            if not probe.exact_birth_date:
                for label in ALTERNATIVES:
                    union[label] += bool(truth.same(pk) & blocks[label][index])
                continue
            started = time.perf_counter()
            cursor.execute(
                "SELECT id FROM registry_person WHERE birth_date = %s AND status = 'active'",
                [probe.birth_date],
            )
            ids = {row[0] for row in cursor.fetchall()}
            seconds.append(time.perf_counter() - started)
            sizes.append(len(ids))
            found += bool(truth.same(pk) & ids)
            for label in ALTERNATIVES:
                union[label] += bool(truth.same(pk) & (ids | blocks[label][index]))
        results["exact_date"] = (found / max(1, len(sizes)), seconds, sizes)
        results["union"] = {label: n / max(1, len(probes)) for label, n in union.items()}
        transaction.set_rollback(True)
    return results


def largest_keys(limit: int = 8) -> list[tuple[str, int]]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT key, count(*) FROM registry_namekey GROUP BY key ORDER BY 2 DESC LIMIT %s",
            [limit],
        )
        return [(key, count) for key, count in cursor.fetchall()]


def measure_dedup(truth: Truth) -> dict[str, Any] | None:
    try:
        from ocrotire.registry.linkage import find_duplicates
    except Exception as exc:  # being written concurrently; any import failure means "skip"
        print(f"Batch de-duplication skipped: cannot import find_duplicates ({exc}).")
        return None
    from ocrotire.registry.models import DuplicateCandidate

    DuplicateCandidate.objects.filter(source="batch").delete()
    started = time.perf_counter()
    try:
        result = find_duplicates(progress=None)
    except Exception as exc:
        print(f"Batch de-duplication failed: {type(exc).__name__}: {exc}")
        return {"error": f"{type(exc).__name__}: {exc}", "wall": time.perf_counter() - started}
    wall = time.perf_counter() - started
    pairs = getattr(result, "pairs", None)
    if isinstance(pairs, int) or pairs is None:
        found = set(
            DuplicateCandidate.objects.filter(source="batch").values_list(
                "person_low_id", "person_high_id"
            )
        )
    else:
        found = {tuple(sorted((int(p[0]), int(p[1])))) for p in pairs}
    expected = truth.pairs()
    correct = len(found & expected)
    twins = {
        (min(a, b), max(a, b))
        for a, b in found
        if truth.entity(a) != truth.entity(b) and "twin" in {truth.kind(a), truth.kind(b)}
    }
    return {
        "seconds": getattr(result, "seconds", wall),
        "wall": wall,
        "pairs": len(found),
        "precision": correct / len(found) if found else float("nan"),
        "recall": correct / len(expected) if expected else float("nan"),
        "expected": len(expected),
        "twin_pairs": len(twins),
        "rss_mb": rss_mb(),
    }


# -- report --------------------------------------------------------------------------------------


def report(
    args: argparse.Namespace,
    gen: dict[str, Any],
    live: dict[str, Any],
    prof: dict[str, Any] | None,
    alternatives: dict[str, Any] | None,
    keys: list[tuple[str, int]],
    dedup: dict[str, Any] | None,
) -> str:
    lat, raw = live["latencies"], live["raw"]
    p95, raw95 = percentile(lat, 0.95), percentile(raw, 0.95)
    lines = [
        f"## Registry, {args.scale:,} persons — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "",
        "```",
        " ".join(["python", "bench/registry_bench.py", *sys.argv[1:]]),
        "```",
        "",
        f"Machine: {machine()}; {gen['postgres']}. Load average at start / end: "
        f"{gen['load_start']} / {os.getloadavg()[0]:.2f}. Code: {code_version()}.",
        "",
        "| Measure | Result | Target (SPEC §4) |",
        "|---|---|---|",
        f"| Persons generated | {args.scale:,} ({gen['duplicates']:,} duplicates, "
        f"{gen['twins']:,} twins), {gen['keys']:,} name keys, {gen['identifiers']:,} identifiers "
        "| 1,000,000 |",
        (
            f"| Generation (`generate_persons`, COPY) | {gen['seconds']:.1f} s, "
            f"{args.scale / gen['seconds']:,.0f} persons/s | — |"
            if not args.reuse
            else "| Generation | not run (`--reuse`: persons of an earlier run) | — |"
        ),
        f"| Live match p50 / p95 / max ({live['probes']} probes) | {ms(percentile(lat, 0.5))} / "
        f"**{ms(p95)}** / {ms(max(lat))} | p95 ≤ 25 ms |",
        f"| Raw SQL blocking query p50 / p95 / max | {ms(percentile(raw, 0.5))} / {ms(raw95)} / "
        f"{ms(max(raw))} | baseline |",
        f"| Live match ÷ raw SQL (p95) | {p95 / raw95:.1f}× | — |",
        f"| SQL queries per live match | {live['queries']:.1f} | — |",
        f"| Name-key rows per blocking query p50 / p95 / max | "
        f"{percentile(live['fanout'], 0.5):,.0f} / {percentile(live['fanout'], 0.95):,.0f} / "
        f"{max(live['fanout']):,} | — |",
        f"| Live match recall@1 / recall@5 | **{live['recall1']:.1%}** / "
        f"**{live['recall5']:.1%}** | — |",
    ]
    if dedup is None:
        why = "`--skip-dedup`" if args.skip_dedup else "`find_duplicates` not importable"
        lines.append(f"| Batch de-duplication | not run ({why}) | 1 M ≤ 120 s |")
    elif "error" in dedup:
        lines.append(
            f"| Batch de-duplication | failed after {dedup['wall']:.1f} s: "
            f"{dedup['error'][:120]} | 1 M ≤ 120 s |"
        )
    else:
        lines += [
            f"| Batch de-duplication (`find_duplicates`) | **{dedup['seconds']:.1f} s** "
            f"(wall {dedup['wall']:.1f} s) | 1 M ≤ 120 s |",
            f"| De-duplication pairs: precision / recall | {dedup['precision']:.1%} / "
            f"{dedup['recall']:.1%} ({dedup['pairs']:,} proposed, {dedup['expected']:,} true; "
            f"{dedup['twin_pairs']} twin pairs proposed) | — |",
        ]
    lines.append(
        f"| Peak RSS, bench process after live match | {live['rss_mb']:.0f} MB (resident "
        f"{live['rss_before']:.0f} MB before the matches, {live['rss_after']:.0f} MB after) | "
        "web worker ≤ 300 MB |"
    )
    if dedup is not None and "rss_mb" in dedup:
        lines.append(
            f"| Peak RSS, bench process after de-duplication | {dedup['rss_mb']:.0f} MB | — |"
        )
    if not args.reuse:
        lines.append(f"| Peak RSS, `generate_persons` process | {gen['rss_mb']:.0f} MB | — |")

    lines += [
        "",
        "Live match recall by variation of the probe (a probe may have two):",
        "",
        "| Variation | Probes | Recall@1 | Recall@5 |",
        "|---|---|---|---|",
    ]
    for variation, (count, top1, top5) in sorted(
        live["by_variation"].items(), key=lambda item: -item[1][0]
    ):
        lines.append(f"| {variation} | {count} | {top1 / count:.1%} | {top5 / count:.1%} |")

    if prof is not None:
        lines += [
            "",
            f"Where a live match spends its time ({prof['count']} probes, "
            f"{prof['queries']:.1f} queries each):",
            "",
            "| Phase | Mean | p95 |",
            "|---|---|---|",
        ]
        for name, (mean, p) in prof["phases"].items():
            lines.append(f"| {name} | {ms(mean)} | {ms(p)} |")
        pauses = live["gc_pauses"]
        nogc = prof["without_gc"]
        lines += [
            "",
            f"Cyclic garbage collector during the timed live matches: {len(pauses)} full "
            f"(generation 2) collections, {sum(pauses) * 1000:,.0f} ms in all "
            f"({sum(pauses) / live['loop_seconds']:.0%} of the loop), longest "
            f"{max(pauses, default=0) * 1000:,.0f} ms. The same {len(nogc)} probes with the "
            f"collector paused: p50 {ms(percentile(nogc, 0.5))}, "
            f"p95 {ms(percentile(nogc, 0.95))}, max {ms(max(nogc))}.",
            "",
            f"The true match is in the ranked block for {prof['block_recall']:.1%} of these "
            f"probes, and among the {prof['scored_limit']} persons the live match scores for "
            f"{prof['scored_recall']:.1%}.",
        ]
    if alternatives is not None:
        lines += [
            "",
            "Other ways to rank the same block (raw SQL, same keys and birth-year window, "
            "first MAX_BLOCK persons):",
            "",
            "| Block ranking | True match in block | SQL p50 | SQL p95 |",
            "|---|---|---|---|",
        ]
        for label in ALTERNATIVES:
            share, seconds = alternatives[label]
            lines.append(
                f"| {label} | {share:.1%} | {ms(percentile(seconds, 0.5))} | "
                f"{ms(percentile(seconds, 0.95))} |"
            )
        for label in ALTERNATIVES:
            lines.append(
                f"| {label}, plus everyone born on the probe's exact birth date | "
                f"{alternatives['union'][label]:.1%} | + exact-date query | |"
            )
        share, seconds, sizes = alternatives["exact_date"]
        lines += [
            "",
            "Everyone born on the probe's exact birth date (with an index on "
            f"`registry_person.birth_date`; {len(sizes)} probes have an exact date): "
            f"{percentile(sizes, 0.5):.0f} persons at the median, {max(sizes, default=0)} at "
            f"most; the true match is among them for {share:.1%}; SQL p50 "
            f"{ms(percentile(seconds, 0.5))}, p95 {ms(percentile(seconds, 0.95))}.",
        ]
    lines += [
        "",
        "Largest blocks (name-key rows, all birth years): "
        + ", ".join(f"`{key}` {count:,}" for key, count in keys)
        + ".",
        "",
    ]
    if live["misses"]:
        lines += ["Some probes whose person was not in the first five:", ""]
        for pk, probe, top in live["misses"][:8]:
            first = top[0].person if top else None
            found = f"{first.given_name} {first.family_name} {first.birth_date}" if first else "—"
            lines.append(
                f"* #{pk} `{probe.given_name} {probe.family_name} {probe.birth_date}` "
                f"({'+'.join(live_variations(pk)) or 'exact'}) → top: {found}"
            )
        lines.append("")
    return "\n".join(lines) + "\n"


_TRUTH: Truth | None = None


def live_variations(pk: int) -> tuple[str, ...]:
    return _TRUTH.variations.get(pk, ()) if _TRUTH is not None else ()


def main() -> None:
    global _TRUTH
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=100_000, help="persons to generate")
    parser.add_argument("--database-url", required=True, help="postgres://… (recreated!)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--probes", type=int, default=1000, help="live match probes (≥ 500)")
    parser.add_argument("--profile", type=int, default=300, help="probes to profile phase by phase")
    parser.add_argument("--reuse", action="store_true", help="keep the database and its persons")
    parser.add_argument("--skip-dedup", action="store_true")
    parser.add_argument("--no-append", action="store_true", help="print only")
    args = parser.parse_args()
    args.probes = max(args.probes, 500)

    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["DATABASE_URL"] = args.database_url
    sys.path.insert(0, str(ROOT))
    truth_path = ROOT / "var" / "bench" / f"truth-{args.scale}-{args.seed}.csv"

    gen: dict[str, Any] = {"load_start": f"{os.getloadavg()[0]:.2f}"}
    if not args.reuse:
        print(f"Recreating {args.database_url} …", flush=True)
        recreate_database(args.database_url)
        manage("migrate", "--noinput", "--verbosity", "0")
        manage("load_packs", "MD")
        print(f"Generating {args.scale:,} persons …", flush=True)
        gen["seconds"] = manage(
            "generate_persons",
            "--count",
            str(args.scale),
            "--seed",
            str(args.seed),
            "--country",
            "MD",
            "--truth",
            str(truth_path),
        )
        gen["rss_mb"] = rss_mb(resource.RUSAGE_CHILDREN)
    else:
        # A reused database still gets the code's newest migrations (indexes matter here).
        manage("migrate", "--noinput", "--verbosity", "0")
    import django

    django.setup()
    from django.db import connection

    from ocrotire.registry.models import NameKey, PersonIdentifier

    if args.reuse:
        gen["seconds"], gen["rss_mb"] = float("nan"), float("nan")
    truth = _TRUTH = Truth(truth_path)
    kinds = truth.kind_counts
    with connection.cursor() as cursor:
        # As autovacuum would on a live registry (it may be off, or not yet through the copied
        # rows): without a visibility map an index-only scan reads the table after all.
        started = time.perf_counter()
        cursor.execute(
            "VACUUM (ANALYZE) registry_person, registry_namekey, registry_personidentifier"
        )
        print(
            f"VACUUM (ANALYZE) of the registry: {time.perf_counter() - started:.1f} s", flush=True
        )
        cursor.execute("SHOW server_version")
        gen["postgres"] = f"PostgreSQL {cursor.fetchone()[0]}"
    gen["duplicates"], gen["twins"] = kinds["duplicate"], kinds["twin"]
    gen["keys"] = NameKey.objects.count()
    gen["identifiers"] = PersonIdentifier.objects.count()

    print(f"Live match over {args.probes} probes …", flush=True)
    live = measure_match(truth, args.probes, args.seed)
    prof = profile_match(truth, live["probe_list"][: args.profile]) if args.profile else None
    keys = largest_keys()
    dedup = None
    if not args.skip_dedup:
        print("Batch de-duplication …", flush=True)
        dedup = measure_dedup(truth)
    alternatives = None
    if args.profile:
        print("Blocking alternatives …", flush=True)
        alternatives = blocking_alternatives(truth, live["probe_list"][: args.profile])
    text = report(args, gen, live, prof, alternatives, keys, dedup)
    print()
    print(text)
    if not args.no_append:
        REPORT.parent.mkdir(parents=True, exist_ok=True)
        existing = REPORT.read_text(encoding="utf-8") if REPORT.exists() else INTRO
        REPORT.write_text(existing.rstrip("\n") + "\n\n" + text, encoding="utf-8")
        print(f"Appended to {REPORT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
