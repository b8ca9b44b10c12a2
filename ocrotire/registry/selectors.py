"""Reads of the registry, always through the reader's scope; a person outside it is a 404."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL
from django.http import Http404

from ocrotire.accounts.models import User
from ocrotire.accounts.permissions import scope_of
from ocrotire.core.expressions import InIds
from ocrotire.registry.models import (
    DedupRun,
    DuplicateCandidate,
    Household,
    Merge,
    NameKey,
    Person,
    PersonIdentifier,
    PersonStatus,
)
from ocrotire.registry.names import name_keys, name_tokens
from ocrotire.registry.permissions import can_review_duplicates, can_use_registry


def scope_q(user: User, field: str = "scope_unit") -> Q | None:
    """None means no restriction; Q(pk__in=[]) means nothing. The scope's units go to the
    database as a list of ids when there are not too many (`Scope.unit_ids`)."""
    scope = scope_of(user)
    if scope.is_global:
        return None
    if scope.unit_ids is not None:
        return Q(**{f"{field}__in": scope.unit_ids})
    condition = Q(pk__in=[])
    for path in scope.unit_paths:
        condition |= Q(**{f"{field}__path__startswith": path})
    return condition


def person_scope(user: User, *, include_inactive: bool = False) -> QuerySet[Person]:
    if not can_use_registry(user):
        return Person.objects.none()
    qs = Person.objects.all()
    if not include_inactive:
        qs = qs.filter(status=PersonStatus.ACTIVE)
    condition = scope_q(user)
    return qs if condition is None else qs.filter(condition)


def person_list(
    *,
    user: User,
    search: str = "",
    unit_code: str = "",
    birth_year: int | None = None,
    sex: str = "",
) -> QuerySet[Person]:
    qs = person_scope(user)
    if search:
        # A name (every word of it, as the case list searches) or an identifier.
        named = person_ids_named(search)
        by_identifier = PersonIdentifier.objects.filter(value=search.strip(), active=True)
        qs = qs.filter(
            Q(pk__in=named if named is not None else [])
            | Q(pk__in=by_identifier.values("person_id"))
        )
    if unit_code:
        qs = qs.filter(unit__code=unit_code)
    if birth_year:
        qs = qs.filter(birth_year=birth_year)
    if sex:
        qs = qs.filter(sex=sex)
    return (
        qs.select_related("unit", "scope_unit")
        .prefetch_related("identifiers", "vulnerabilities")
        .order_by("family_name", "given_name", "id")
    )


def person_list_from_query(
    *, user: User, params: Mapping[str, Any]
) -> tuple[QuerySet[Person], dict[str, str]]:
    """The registry as the list page searches it from its query string (the export of the list
    reads it the same way): the persons and the filters as understood."""
    search = params.get("q", "").strip()[:100]
    return person_list(user=user, search=search), {"q": search}


def person_get(*, user: User, pk: int | str, include_inactive: bool = True) -> Person:
    try:
        return (
            person_scope(user, include_inactive=include_inactive)
            .select_related("unit", "scope_unit", "merged_into")
            .prefetch_related(
                "identifiers",
                "vulnerabilities",
                "relationships__related",
                "related_to__person",
                "household_memberships__household",
            )
            .get(pk=pk)
        )
    except (Person.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def household_list(*, user: User, search: str = "") -> QuerySet[Household]:
    if not can_use_registry(user):
        return Household.objects.none()
    qs = Household.objects.all()
    condition = scope_q(user)
    if condition is not None:
        qs = qs.filter(condition)
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(address__icontains=search))
    return (
        qs.select_related("unit", "scope_unit")
        .prefetch_related("members__person")
        .order_by("name", "id")
    )


def household_get(*, user: User, pk: int | str) -> Household:
    try:
        return household_list(user=user).get(pk=pk)
    except (Household.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def candidate_queue(
    *, user: User, status: str = DuplicateCandidate.Status.OPEN
) -> QuerySet[DuplicateCandidate]:
    """Pairs to review where the reviewer can see both persons."""
    if not can_review_duplicates(user):
        return DuplicateCandidate.objects.none()
    visible = person_scope(user).values("pk")
    return (
        DuplicateCandidate.objects.filter(
            status=status, person_low__in=visible, person_high__in=visible
        )
        .select_related("person_low", "person_high")
        .order_by("-score", "id")
    )


def candidate_get(*, user: User, pk: int | str) -> DuplicateCandidate:
    if not can_review_duplicates(user):
        raise Http404
    visible = person_scope(user).values("pk")
    try:
        return DuplicateCandidate.objects.select_related("person_low", "person_high").get(
            pk=pk, person_low__in=visible, person_high__in=visible
        )
    except (DuplicateCandidate.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def merge_get(*, user: User, pk: int | str) -> Merge:
    if not can_review_duplicates(user):
        raise Http404
    visible = person_scope(user, include_inactive=True).values("pk")
    try:
        return Merge.objects.select_related("survivor", "merged").get(
            pk=pk, survivor__in=visible, merged__in=visible
        )
    except (Merge.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def dedup_run_latest(*, user: User) -> DedupRun | None:
    if not can_review_duplicates(user):
        return None
    return DedupRun.objects.order_by("-created_at", "-id").first()


def dedup_run_get(*, user: User, pk: int | str) -> DedupRun:
    if not can_review_duplicates(user):
        raise Http404
    try:
        return DedupRun.objects.get(pk=pk)
    except (DedupRun.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


# Keys by which a searched word finds a name: the same word but for diacritics and case (a:), or
# sounding the same (p:, which also reads across scripts and through doubled letters: "Русу",
# "Russu"). The romanised key (r:) finds nobody these two miss, and reading it made a common
# name's search a third longer; given-name groups serve the live match, where a variant is a
# candidate to review, and in a search box would bury the child asked for among the variants.
SEARCH_KEY_PREFIXES = ("a:", "p:")
# Shorter words are matched as whole words only (an index of three-letter pieces cannot answer
# "is this a part of the name" for one or two letters).
SEARCH_PART_MIN = 3


def person_ids_named(term: str) -> RawSQL | None:
    """The ids of everyone (whatever the reader's scope: callers restrict) named by every word of
    `term`, in any order, as one SQL subquery (None: no word to search by). "Maria Rusu", "rusu
    maria" and "Мария Русу" find Maria Rusu: a word that is someone's name finds that name but
    for diacritics, case, script and sound, from the name keys; a word that is nobody's name
    (from three letters: "Lung", "Mari") finds the names it is part of, through the trigram
    indexes. The words' sets are intersected in the database: at 1 M, "Maria" names 42,000
    persons and "Rusu" 22,000, and "Maria Rusu" 876."""
    words = list(dict.fromkeys(word.casefold() for word in name_tokens(term)))
    if not words:
        return None
    keys_table = connection.ops.quote_name(NameKey._meta.db_table)
    persons_table = connection.ops.quote_name(Person._meta.db_table)
    parts: list[str] = []
    params: list[Any] = []
    for word in words:
        keys = sorted(key for key in name_keys(word) if key.startswith(SEARCH_KEY_PREFIXES))
        marks = ", ".join(["%s"] * len(keys)) or "NULL"
        by_key = f"SELECT person_id FROM {keys_table} WHERE key IN ({marks})"  # noqa: S608
        part = by_key
        params += keys
        if len(word) >= SEARCH_PART_MIN:
            # Read only when no name is this word (a constant condition: evaluated once).
            part += (
                f" UNION SELECT id FROM {persons_table}"  # noqa: S608 - quoted names
                " WHERE (UPPER(family_name) LIKE %s ESCAPE '\\'"
                " OR UPPER(given_name) LIKE %s ESCAPE '\\')"
                f" AND NOT EXISTS ({by_key})"
            )
            pattern = "%" + connection.ops.prep_for_like_query(word.upper()) + "%"
            params += [pattern, pattern, *keys]
        parts.append(f"SELECT person_id FROM ({part}) AS w{len(parts)}")  # noqa: S608
    return RawSQL(" INTERSECT ".join(parts), params)  # noqa: S611 - quoted names and parameters


def has_digits(term: str) -> bool:
    """A registration or case number, or an identifier: names have no digits."""
    return any(ch.isdigit() for ch in term)


# Children named by a search term, at most, handed to a query of cases or reports as one list of
# ids (see named_q).
SEARCH_CHILDREN_LIMIT = 50000


def named_q(field: str, term: str) -> Q:
    """`field` (a person's id: a case's child, a report's child) is someone `person_ids_named`
    finds. On PostgreSQL the persons are found first and handed over as one array of ids: the
    planner then knows how many there are and reads their rows from the field's index (as a
    subquery it scanned every case at 1 M); a term naming more persons than the list may hold,
    and SQLite (whose statements take a bounded number of parameters), keep the subquery."""
    persons = person_ids_named(term)
    if persons is None:
        return Q(**{f"{field}__in": []})
    if connection.vendor == "postgresql":
        sql, params = persons.sql, persons.params
        with connection.cursor() as cursor:
            cursor.execute(f"{sql} LIMIT %s", [*params, SEARCH_CHILDREN_LIMIT + 1])
            ids = [row[0] for row in cursor.fetchall()]
        if len(ids) <= SEARCH_CHILDREN_LIMIT:
            return Q(InIds(field, ids))
    return Q(**{f"{field}__in": persons})
