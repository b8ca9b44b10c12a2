"""Live matching: block on name keys and birth year, then score candidates with reasons."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import connections
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from rapidfuzz.distance import Levenshtein

from ocrotire.registry.identifiers import NATIONAL_SCHEMES, identifier_label, identifier_normalise
from ocrotire.registry.models import (
    BirthDatePrecision,
    DuplicateCandidate,
    NameKey,
    Person,
    PersonIdentifier,
    PersonStatus,
)
from ocrotire.registry.names import (
    given_name_group,
    given_name_lookup_keys,
    name_keys,
    name_similarity,
    romanise,
)

# How far apart birth years may be and still be compared (estimated dates are often off by one or two).
YEAR_WINDOW = 2
MAX_BLOCK = 150
# Ids read beyond MAX_BLOCK by the first read of candidates, for those that are out of scope.
READ_AHEAD = 10


@dataclass
class Probe:
    given_name: str = ""
    family_name: str = ""
    patronymic: str = ""
    sex: str = ""
    birth_date: date | None = None
    birth_date_precision: str = BirthDatePrecision.DAY
    birth_date_estimated: bool = False
    identifiers: list[tuple[str, str]] = field(default_factory=list)

    @property
    def birth_year(self) -> int | None:
        return self.birth_date.year if self.birth_date else None

    @property
    def exact_birth_date(self) -> bool:
        return (
            self.birth_date is not None
            and self.birth_date_precision == BirthDatePrecision.DAY
            and not (self.birth_date_estimated)
        )


@dataclass
class Candidate:
    person: Person
    score: float
    reasons: list[str]


def probe_of(person: Person) -> Probe:
    return Probe(
        given_name=person.given_name,
        family_name=person.family_name,
        patronymic=person.patronymic,
        sex=person.sex,
        birth_date=person.birth_date,
        birth_date_precision=person.birth_date_precision,
        birth_date_estimated=person.birth_date_estimated,
        identifiers=[(i.scheme, i.value) for i in person.identifiers.all() if i.active],
    )


def _probe_identifiers(probe: Probe) -> list[tuple[str, str]]:
    normalised = []
    for scheme, value in probe.identifiers:
        try:
            normalised.append((scheme, identifier_normalise(scheme, value)))
        except Exception:  # noqa: S112 - an invalid number cannot match anything; skip it
            continue
    return normalised


def _block(
    probe: Probe, persons: QuerySet[Person], probe_ids: Iterable[tuple[str, str]] = ()
) -> list[int]:
    """Ids of likely candidates, best first, in one query.

    First the persons holding one of `probe_ids` (they must be scored even when names share no
    key), then everyone born on the probe's exact birth date, then the persons sharing name
    keys with the probe. The key index is read alone (a join made PostgreSQL hash the whole
    person table) and the database ranks persons by how many name fields they share with the
    probe (given, family), then by key hits, then by the nearest birth year: a stranger sharing
    one name in the probe's own script must not outrank the right person written in the other
    script. The caller's scope is applied when the rows are read. Records that leave the
    registry (merged, archived) lose their keys."""
    connection = connections[persons.db]
    quote = connection.ops.quote_name
    parts: list[str] = []
    params: list[Any] = []
    columns = "0 AS fields, 0 AS hits, 0 AS year_gap"
    pairs = list(dict.fromkeys(probe_ids))
    if pairs:
        either = " OR ".join(["(scheme = %s AND value = %s)"] * len(pairs))
        parts.append(
            f"SELECT person_id, 0 AS part, {columns} "  # noqa: S608
            f"FROM {quote(PersonIdentifier._meta.db_table)} WHERE active = %s AND ({either})"
        )
        params += [True, *(item for pair in pairs for item in pair)]
    if probe.exact_birth_date:
        parts.append(
            f"SELECT * FROM (SELECT id AS person_id, 1 AS part, {columns} "  # noqa: S608
            f"FROM {quote(Person._meta.db_table)} WHERE birth_date = %s AND status = %s "
            f"ORDER BY id LIMIT %s) AS born"
        )
        params += [
            connection.ops.adapt_datefield_value(probe.birth_date),
            PersonStatus.ACTIVE.value,
            MAX_BLOCK // 2,
        ]
    given_keys = given_name_lookup_keys(probe.given_name)
    family_keys = name_keys(probe.family_name)
    if given_keys or family_keys:
        sql, key_params = _ranked_by_keys_sql(given_keys, family_keys, probe.birth_year, quote)
        parts.append(f"SELECT * FROM ({sql}) AS named")  # noqa: S608
        params += key_params
    if not parts:
        return []
    # Columns: person_id, part, fields, hits, year_gap in every part.
    query = (
        " UNION ALL ".join(parts) + " ORDER BY part, fields DESC, hits DESC, year_gap, person_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return list(dict.fromkeys(row[0] for row in cursor.fetchall()))


def _in(column: str, values: list[str]) -> tuple[str, list[str]]:
    if not values:
        return "0 = 1", []
    return f"{column} IN ({', '.join(['%s'] * len(values))})", values


def _ranked_by_keys_sql(
    given_keys: frozenset[str] | set[str],
    family_keys: frozenset[str] | set[str],
    year: int | None,
    quote: Callable[[str], str],
) -> tuple[str, list[Any]]:
    """Person ids sharing name keys with the probe, ranked by name fields hit, key hits, nearest
    birth year; at most MAX_BLOCK * 4.

    Plain SQL (the same on PostgreSQL and SQLite): the year window and the persons without a
    birth year are read in two branches, so that each is a range on the (key, birth_year)
    index, which holds the person id too (an index-only scan on PostgreSQL, no table reads)."""
    table = quote(NameKey._meta.db_table)
    key = quote("key")
    keys = sorted(set(given_keys) | set(family_keys))
    in_keys, key_params = _in(key, keys)
    in_given, given_params = _in(key, sorted(given_keys))
    in_family, family_params = _in(key, sorted(family_keys))
    params: list[Any] = [*given_params, *family_params]
    if year is None:
        source = f"SELECT person_id, {key}, birth_year FROM {table} WHERE {in_keys}"  # noqa: S608
        source_params: list[Any] = key_params
        gap = "0"
    else:
        source = (
            f"SELECT person_id, {key}, birth_year FROM {table} "  # noqa: S608
            f"WHERE {in_keys} AND birth_year BETWEEN %s AND %s "
            f"UNION ALL SELECT person_id, {key}, birth_year FROM {table} "
            f"WHERE {in_keys} AND birth_year IS NULL"
        )
        source_params = [*key_params, year - YEAR_WINDOW, year + YEAR_WINDOW, *key_params]
        gap = "MIN(ABS(COALESCE(birth_year, %s) - %s))"
        params += [year, year]
    sql = (
        f"SELECT person_id, 2 AS part, "  # noqa: S608
        f"MAX(CASE WHEN {in_given} THEN 1 ELSE 0 END) "
        f"+ MAX(CASE WHEN {in_family} THEN 1 ELSE 0 END) AS fields, "
        f"COUNT(*) AS hits, {gap} AS year_gap "
        f"FROM ({source}) AS block GROUP BY person_id "
        f"ORDER BY fields DESC, hits DESC, year_gap, person_id LIMIT %s"
    )
    return sql, [*params, *source_params, MAX_BLOCK * 4]


@dataclass(frozen=True)
class _Record:
    """What scoring needs of a person: read as plain values, without building model objects."""

    pk: int
    given_name: str
    family_name: str
    sex: str
    birth_date: date | None
    birth_date_precision: str
    birth_date_estimated: bool
    identifiers: frozenset[tuple[str, str]]


def _record_of(person: Person) -> _Record:
    return _Record(
        person.pk,
        person.given_name,
        person.family_name,
        person.sex,
        person.birth_date,
        person.birth_date_precision,
        person.birth_date_estimated,
        frozenset((i.scheme, i.value) for i in person.identifiers.all() if i.active),
    )


def _birth_factor(probe: Probe, person: _Record) -> tuple[float, list[str]]:
    if probe.birth_date is None or person.birth_date is None:
        return 0.75, []
    exact_both = (
        probe.exact_birth_date
        and person.birth_date_precision == BirthDatePrecision.DAY
        and not (person.birth_date_estimated)
    )
    if probe.birth_date == person.birth_date:
        return 1.0, ["same_birth_date"]
    years = abs(probe.birth_date.year - person.birth_date.year)
    if exact_both:
        a, b = probe.birth_date, person.birth_date
        if a.year == b.year and (a.month == b.day and a.day == b.month):
            return 0.85, ["birth_date_day_month_swapped"]
        days = abs((a - b).days)
        if days <= 31 or (a.year == b.year and (a.month == b.month or a.day == b.day)):
            return 0.7, ["birth_date_close"]
        if years == 0:
            return 0.4, ["birth_date_close"]
        return 0.05, ["different_birth_date"]
    # One of the dates is estimated, or only a year or month is known.
    if years == 0:
        return 0.9, ["birth_year_matches"]
    if years == 1:
        return 0.75, ["birth_year_close"]
    if years <= YEAR_WINDOW:
        return 0.55, ["birth_year_close"]
    return 0.1, ["different_birth_date"]


def _names(probe: Probe, person: _Record) -> tuple[float, list[str], bool]:
    given, given_why = name_similarity(probe.given_name, person.given_name, given=True)
    family, family_why = name_similarity(probe.family_name, person.family_name)
    swapped_given, swapped_given_why = name_similarity(probe.given_name, person.family_name)
    swapped_family, swapped_family_why = name_similarity(
        probe.family_name, person.given_name, given=True
    )
    swapped = swapped_given * swapped_family > given * family + 0.05
    if swapped:
        given, family = swapped_family, swapped_given
        given_why, family_why = swapped_family_why, swapped_given_why
    why = set(given_why) | set(family_why)
    if not ("exact" in given_why and "exact" in family_why):
        why.discard("exact")
    if swapped:
        why.add("names_swapped")
    if probe.given_name and probe.family_name and person.given_name and person.family_name:
        score = math.sqrt(given * family)
    else:
        score = 0.85 * max(given, family)
    return score, sorted(why), swapped


def _different_given_names(a: str, b: str) -> bool:
    """Twins have two given names that are clearly not one name misspelt: both known and in
    different variant groups, or more than one edit apart once romanised."""
    if not a or not b:
        return False
    similarity, codes = name_similarity(a, b, given=True)
    if codes & {"exact", "diacritics", "cross_script", "variant"}:
        return False
    group_a, group_b = given_name_group(a), given_name_group(b)
    if group_a and group_b:
        return group_a != group_b
    return Levenshtein.distance(romanise(a), romanise(b)) > 1 and similarity < 0.85


# What scoring one probe has worked out for a pair of names: the name score, its reasons, and
# how alike the family names are. A block holds the same few names many times over.
NameMemo = dict[tuple[str, str], tuple[float, list[str], float]]


def _score(
    probe: Probe,
    person: _Record,
    probe_ids: list[tuple[str, str]],
    names_memo: NameMemo | None = None,
) -> tuple[float, list[str]]:
    person_ids = person.identifiers
    reasons: list[str] = []
    shared = [pair for pair in probe_ids if pair in person_ids and pair[0] in NATIONAL_SCHEMES]
    if shared:
        return 1.0, [f"same_identifier:{shared[0][0]}"]
    names_key = (person.given_name, person.family_name)
    known = names_memo.get(names_key) if names_memo is not None else None
    if known is None:
        name_score, name_why, _swapped = _names(probe, person)
        family_same, _ = name_similarity(probe.family_name, person.family_name)
        known = (name_score, name_why, family_same)
        if names_memo is not None:
            names_memo[names_key] = known
    name_score, name_why, family_same = known
    birth, birth_why = _birth_factor(probe, person)
    sex = 1.0 if not probe.sex or not person.sex or probe.sex == person.sex else 0.35
    score = name_score**2 * birth * sex
    reasons += name_why + birth_why
    if sex < 1:
        reasons.append("different_sex")
    # Twins share a family name and a birth date; a different given name keeps them apart.
    if (
        birth == 1.0
        and family_same >= 0.9
        and _different_given_names(probe.given_name, person.given_name)
    ):
        score = min(score, 0.3)
        reasons.append("possible_twin")
    probe_schemes = {scheme: value for scheme, value in probe_ids if scheme in NATIONAL_SCHEMES}
    conflicts = [s for s, v in person_ids if s in probe_schemes and probe_schemes[s] != v]
    if conflicts:
        score = min(score, 0.15)
        reasons.append(f"different_identifier:{conflicts[0]}")
    return round(max(0.0, min(score, 1.0)), 4), reasons


def score_pair(
    probe: Probe, person: Person, probe_ids: Iterable[tuple[str, str]] | None = None
) -> Candidate:
    """A score in 0..1 with reason codes. Certain when a national identifier is the same."""
    ids = list(probe_ids if probe_ids is not None else _probe_identifiers(probe))
    score, reasons = _score(probe, _record_of(person), ids)
    return Candidate(person, score, reasons)


def _records(
    persons: QuerySet[Person], ranked: list[int], schemes: Iterable[str] = ()
) -> list[_Record]:
    """The in-scope rows among `ranked` ids (best first), at most MAX_BLOCK, as plain values. Ids
    are read a block at a time, so a user who may see everyone reads only what is scored; the
    first read takes a few ids more than it keeps (the probe's own record and merged ones are
    left out), so one query is usually enough. Only the identifiers of `schemes` (the national
    schemes of the probe: scoring compares nothing else) are read, and none when it has none."""
    fields = (
        "pk",
        "given_name",
        "family_name",
        "sex",
        "birth_date",
        "birth_date_precision",
        "birth_date_estimated",
    )
    kept: list[tuple[Any, ...]] = []
    start = 0
    while start < len(ranked) and len(kept) < MAX_BLOCK:
        size = (MAX_BLOCK - len(kept)) * 2 if start else MAX_BLOCK + READ_AHEAD
        chunk = ranked[start : start + size]
        start += size
        rows = {row[0]: row for row in persons.filter(pk__in=chunk).values_list(*fields)}
        kept += [rows[pk] for pk in chunk if pk in rows]
    kept = kept[:MAX_BLOCK]
    identifiers: dict[int, set[tuple[str, str]]] = {}
    schemes = sorted(set(schemes))
    if schemes and kept:
        for person_id, scheme, value in PersonIdentifier.objects.filter(
            person_id__in=[row[0] for row in kept], active=True, scheme__in=schemes
        ).values_list("person_id", "scheme", "value"):
            identifiers.setdefault(person_id, set()).add((scheme, value))
    return [
        _Record(
            pk, given, family, sex, born, precision, estimated, frozenset(identifiers.get(pk, ()))
        )
        for pk, given, family, sex, born, precision, estimated in kept
    ]


def match(
    probe: Probe,
    *,
    persons: QuerySet[Person],
    limit: int = 10,
    minimum: float = 0.3,
    exclude: Iterable[int] = (),
) -> list[Candidate]:
    """The best candidates among `persons` (already scoped by the caller), best first."""
    persons = persons.filter(status=PersonStatus.ACTIVE).exclude(pk__in=list(exclude))
    probe_ids = _probe_identifiers(probe)
    ranked = _block(probe, persons, probe_ids)
    if not ranked:
        return []
    # Score plain rows; build model objects only for the few that are returned.
    names_memo: NameMemo = {}
    scored = [
        (record.pk, *_score(probe, record, probe_ids, names_memo))
        for record in _records(
            persons, ranked, [scheme for scheme, _value in probe_ids if scheme in NATIONAL_SCHEMES]
        )
    ]
    best = sorted((row for row in scored if row[1] >= minimum), key=lambda row: (-row[1], row[0]))[
        :limit
    ]
    if not best:
        return []
    loaded = {
        person.pk: person
        for person in persons.filter(pk__in=[pk for pk, _score_value, _why in best])
        .prefetch_related("identifiers", "vulnerabilities")
        .select_related("unit", "scope_unit")
    }
    return [Candidate(loaded[pk], score, why) for pk, score, why in best if pk in loaded]


def reason_text(code: str) -> str:
    """A reason code as a sentence for people."""
    key, _sep, argument = code.partition(":")
    texts = {
        "same_identifier": _("Same %(identifier)s"),
        "different_identifier": _("Different %(identifier)s"),
        "same_birth_date": _("Same birth date"),
        "birth_date_close": _("Birth dates are close"),
        "birth_date_day_month_swapped": _("Birth date with day and month swapped"),
        "birth_year_matches": _("Same birth year (one date is estimated)"),
        "birth_year_close": _("Birth years are close (one date is estimated)"),
        "different_birth_date": _("Different birth date"),
        "different_sex": _("Different sex"),
        "possible_twin": _(
            "Same family name and birth date but another given name: possibly a twin"
        ),
        "names_swapped": _("Given and family names are swapped"),
        "exact": _("Same name"),
        "diacritics": _("Name matches without diacritics"),
        "cross_script": _("Name matches across scripts"),
        "variant": _("Given names are variants of the same name"),
        "similar": _("Names differ by a typo"),
    }
    text = texts.get(key)
    if text is None:
        return code
    return text % {"identifier": identifier_label(argument)} if argument else text


def candidate_reason_codes(candidate: DuplicateCandidate) -> list[str]:
    """Batch runs store only a probability; the reasons are worked out when a pair is shown."""
    return (
        list(candidate.reasons)
        or score_pair(probe_of(candidate.person_high), candidate.person_low).reasons
    )
