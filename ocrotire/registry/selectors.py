"""Reads of the registry, always through the reader's scope; a person outside it is a 404."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from ocrotire.accounts.models import User
from ocrotire.accounts.permissions import scope_of
from ocrotire.registry.models import (
    DedupRun,
    DuplicateCandidate,
    Household,
    Merge,
    Person,
    PersonStatus,
)
from ocrotire.registry.names import name_keys
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
        keys = set()
        for token in search.split():
            keys |= name_keys(token)
        by_key = Q(name_keys__key__in=sorted(keys)) if keys else Q(pk__in=[])
        by_text = (
            Q(family_name__icontains=search)
            | Q(given_name__icontains=search)
            | Q(identifiers__value=search.strip(), identifiers__active=True)
        )
        qs = qs.filter(pk__in=Person.objects.filter(by_key | by_text).values("pk"))
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
