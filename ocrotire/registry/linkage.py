"""Batch de-duplication of the whole registry with Splink on DuckDB, from a stored model (no retraining).

The model lives in `data/linkage_model.json`; `manage.py train_linkage_model` re-estimates it on
synthetic data with known truth. At scale the same settings run on Splink's Spark backend."""

from __future__ import annotations

import math
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
from django.db import transaction
from django.db.models import QuerySet

from ocrotire.registry.identifiers import NATIONAL_SCHEMES
from ocrotire.registry.models import (
    DuplicateCandidate,
    NotDuplicate,
    Person,
    PersonIdentifier,
    PersonStatus,
)
from ocrotire.registry.names import fold_diacritics, given_name_group, phonetic_key

MODEL_PATH = Path(__file__).resolve().parent / "data" / "linkage_model.json"
# Pairs above this match probability are proposed for review (a person decides; recall matters
# more than precision here); clusters join pairs above CLUSTER_AT. See docs/PERFORMANCE.md.
PROPOSE_AT = 0.1
CLUSTER_AT = 0.9
CHUNK = 20000
# Prediction runs over chunks of about this many records on each side (Splink's num_chunks_left
# and num_chunks_right), so DuckDB holds one slice of the blocked pairs at a time, and DuckDB may
# use at most DUCKDB_MEMORY before it spills to a temporary directory.
PREDICT_CHUNK_RECORDS = 1_000_000
DUCKDB_MEMORY = "3GB"

Progress = Callable[[int, str], None]


@dataclass
class LinkageResult:
    records: int
    pairs: int
    proposed: int
    seconds: float


def _null(value: str) -> str | None:
    return value or None


def records(persons: QuerySet[Person] | None = None) -> Iterator[dict[str, Any]]:
    """The registry as flat rows of matching columns, streamed in id order."""
    persons = persons if persons is not None else Person.objects.filter(status=PersonStatus.ACTIVE)
    national: dict[int, str] = {}
    for person_id, scheme, value in (
        PersonIdentifier.objects.filter(
            active=True, scheme__in=NATIONAL_SCHEMES, person__in=persons.values("pk")
        )
        .values_list("person_id", "scheme", "value")
        .iterator(chunk_size=CHUNK)
    ):
        national.setdefault(person_id, f"{scheme}:{value}")
    fields = ("pk", "given_name", "family_name", "sex", "birth_date", "birth_year")
    for pk, given, family, sex, born, year in (
        persons.order_by("pk").values_list(*fields).iterator(chunk_size=CHUNK)
    ):
        given_p = phonetic_key(given) if given else ""
        yield {
            "unique_id": pk,
            "given_a": _null(fold_diacritics(given)),
            "family_a": _null(fold_diacritics(family)),
            "given_p": _null(given_p),
            "family_p": _null(phonetic_key(family) if family else ""),
            "given_group": _null((given_name_group(given) or given_p) if given else ""),
            "sex": _null(sex),
            "birth_date": born.isoformat() if born else None,
            "birth_year": year,
            "national_id": national.get(pk),
        }


SCHEMA = pa.schema(
    [
        ("unique_id", pa.int64()),
        ("given_a", pa.string()),
        ("family_a", pa.string()),
        ("given_p", pa.string()),
        ("family_p", pa.string()),
        ("given_group", pa.string()),
        ("sex", pa.string()),
        ("birth_date", pa.string()),
        ("birth_year", pa.int32()),
        ("national_id", pa.string()),
    ]
)


def table(rows: Iterator[dict[str, Any]]) -> pa.Table:
    batches, batch = [], []
    for row in rows:
        batch.append(row)
        if len(batch) >= CHUNK:
            batches.append(pa.RecordBatch.from_pylist(batch, schema=SCHEMA))
            batch = []
    if batch:
        batches.append(pa.RecordBatch.from_pylist(batch, schema=SCHEMA))
    return pa.Table.from_batches(batches, schema=SCHEMA)


def settings() -> Any:
    """Comparisons and blocking rules; the m and u probabilities come from training."""
    import splink.internals.comparison_level_library as cll
    import splink.internals.comparison_library as cl
    from splink import SettingsCreator, block_on

    def name(column: str, extra: list[Any]) -> Any:
        return cl.CustomComparison(
            output_column_name=column,
            comparison_levels=[
                cll.NullLevel(f"{column}_p"),
                cll.ExactMatchLevel(f"{column}_a"),
                cll.ExactMatchLevel(f"{column}_p"),
                *extra,
                cll.JaroWinklerLevel(f"{column}_p", 0.92),
                cll.JaroWinklerLevel(f"{column}_p", 0.8),
                cll.ElseLevel(),
            ],
        )

    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=[
            name("family", [cll.ColumnsReversedLevel("family_p", "given_p")]),
            name(
                "given",
                [
                    cll.ExactMatchLevel("given_group"),
                    cll.ColumnsReversedLevel("given_p", "family_p"),
                ],
            ),
            cl.CustomComparison(
                output_column_name="birth",
                comparison_levels=[
                    cll.NullLevel("birth_year"),
                    cll.ExactMatchLevel("birth_date"),
                    cll.ExactMatchLevel("birth_year"),
                    cll.AbsoluteDifferenceLevel("birth_year", 2),
                    cll.ElseLevel(),
                ],
            ),
            cl.ExactMatch("sex"),
            # Synthetic training rarely holds both numbers of one person, so EM cannot see how often
            # true matches agree here; a valid national number shared by two records is near-certain.
            cl.CustomComparison(
                output_column_name="national_id",
                comparison_levels=[
                    cll.NullLevel("national_id"),
                    cll.ExactMatchLevel("national_id").configure(
                        m_probability=0.95, u_probability=1e-7
                    ),
                    cll.ElseLevel().configure(m_probability=0.02, u_probability=0.99),
                ],
            ),
        ],
        # Each rule asks the records to agree on a name and on the birth date, or on both names
        # and the birth year within two years: at 1 M persons these give about 10 M pairs to
        # score. Rules on a name and the birth year alone gave 330 M pairs (a common family name
        # shares each birth year with hundreds of children) and not one more pair above the
        # proposal threshold; see docs/PERFORMANCE.md, session 5.
        blocking_rules_to_generate_predictions=[
            block_on("family_p", "birth_date"),
            block_on("given_group", "birth_date"),
            block_on("given_p", "birth_date"),
            {
                "blocking_rule": "l.family_p = r.family_p and l.given_group = r.given_group"
                " and (l.birth_year is null or r.birth_year is null"
                " or abs(l.birth_year - r.birth_year) <= 2)"
            },
            # A typo in the family name and an estimated birth date together escape the rules above.
            {
                "blocking_rule": "substr(l.family_p, 1, 3) = substr(r.family_p, 1, 3)"
                " and l.given_group = r.given_group and l.birth_year = r.birth_year"
            },
            block_on("national_id"),
            {"blocking_rule": "l.given_p = r.family_p and l.family_p = r.given_p"},
        ],
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )


def _linker(data: pa.Table, model: Any, *, spill_to: str | None = None) -> Any:
    import duckdb
    from splink import DuckDBAPI, Linker

    connection = duckdb.connect()
    connection.execute("SET preserve_insertion_order = false")
    if spill_to is not None:
        connection.execute("SET memory_limit = ?", [DUCKDB_MEMORY])
        connection.execute("SET temp_directory = ?", [spill_to])
    db_api = DuckDBAPI(connection)
    return Linker(db_api.register(data), model, log_level=None)


def train(
    data: pa.Table, *, path: Path = MODEL_PATH, seed: int = 7, labels: dict[int, str] | None = None
) -> Path:
    """Estimate the model once, on synthetic data with realistic variation, and store it.

    With `labels` (record id → true entity, which the synthetic generator knows) the m probabilities
    are counted from the truth; without, they are estimated by expectation maximisation."""
    from splink import block_on

    if labels is not None:
        entity = pa.array(
            [labels.get(int(uid), f"u{uid}") for uid in data.column("unique_id").to_pylist()]
        )
        data = data.append_column("entity", entity)
    linker = _linker(data, settings())
    linker.training.estimate_probability_two_random_records_match(
        [block_on("national_id"), block_on("family_a", "given_a", "birth_date")], recall=0.8
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=seed)
    if labels is not None:
        linker.training.estimate_m_from_label_column("entity")
    else:
        # Each session blocks on some columns and learns the others.
        linker.training.estimate_parameters_using_expectation_maximisation(
            block_on("family_p", "given_p")
        )
        linker.training.estimate_parameters_using_expectation_maximisation(block_on("birth_date"))
    path.parent.mkdir(parents=True, exist_ok=True)
    linker.misc.save_model_to_json(str(path), overwrite=True)
    return path


def predict_pairs(
    data: pa.Table, *, threshold: float = PROPOSE_AT
) -> list[tuple[int, int, float, str]]:
    """(low id, high id, match probability, cluster id) for every pair above the threshold."""
    chunks = max(1, math.ceil(data.num_rows / PREDICT_CHUNK_RECORDS))
    with tempfile.TemporaryDirectory(prefix="ocrotire-linkage-") as spill_to:
        linker = _linker(data, str(MODEL_PATH), spill_to=spill_to)
        predictions = linker.inference.predict(
            threshold_match_probability=threshold,
            num_chunks_left=chunks if chunks > 1 else None,
            num_chunks_right=chunks if chunks > 1 else None,
        )
        clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
            predictions, CLUSTER_AT
        )
        cluster_of = {row["unique_id"]: str(row["cluster_id"]) for row in clusters.as_record_list()}
        pairs = []
        for row in predictions.as_record_list():
            low, high = sorted((int(row["unique_id_l"]), int(row["unique_id_r"])))
            pairs.append((low, high, float(row["match_probability"]), cluster_of.get(low, "")))
    return pairs


def find_duplicates(*, progress: Progress | None = None) -> LinkageResult:
    """Score the whole registry and propose new candidate pairs for review.

    Pairs already decided ("not the same person") or already proposed are not proposed again."""
    started = time.perf_counter()
    report = progress or (lambda percent, message: None)
    report(5, "export")
    data = table(records())
    report(35, "predict")
    pairs = predict_pairs(data) if data.num_rows > 1 else []
    report(80, "store")
    decided = set(NotDuplicate.objects.values_list("person_low_id", "person_high_id"))
    known = set(DuplicateCandidate.objects.values_list("person_low_id", "person_high_id"))
    new = [
        DuplicateCandidate(
            person_low_id=low,
            person_high_id=high,
            score=round(score, 4),
            cluster=cluster,
            source="batch",
        )
        for low, high, score, cluster in pairs
        if (low, high) not in decided and (low, high) not in known
    ]
    with transaction.atomic():
        DuplicateCandidate.objects.bulk_create(new, batch_size=5000, ignore_conflicts=True)
    report(100, "done")
    return LinkageResult(
        records=data.num_rows,
        pairs=len(pairs),
        proposed=len(new),
        seconds=round(time.perf_counter() - started, 2),
    )
