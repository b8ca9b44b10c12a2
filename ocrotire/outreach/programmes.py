"""Benefit programmes: who reads them and their certificates, and how a programme is set up.
Each step of a certificate (application, decision, redemption, expiry) is in `certificates.py`.

A programme pays `places` certificates of one amount (budget // amount), to the households its
eligibility rule (`eligibility.py`) admits in its area.

Reads: a programme is seen by its readers (`permissions.can_read_programmes`) whose area covers
its area or lies inside it (a community worker of a village sees the hromada's programme); its
certificates by those whose area covers the programme's, and by the others for the households of
their own area.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from ocrotire.accounts.models import RoleCode, User
from ocrotire.accounts.permissions import has_role, scope_of
from ocrotire.core.audit import audit_record
from ocrotire.core.errors import Invalid, NotAllowed, NotFound
from ocrotire.core.models import AuditAction
from ocrotire.geo.models import Unit
from ocrotire.outreach import eligibility as rules
from ocrotire.outreach.models import (
    LIVE_STATUSES,
    Certificate,
    Programme,
)
from ocrotire.outreach.permissions import (
    can_keep_programme,
    can_read_programmes,
    covers_household,
)
from ocrotire.registry.models import Household
from ocrotire.registry.selectors import scope_q

# ---------------------------------------------------------------------------------------------
# Reads


def _area_q(user: User, field: str) -> Q | None:
    """Rows whose unit (`field`) is in the user's area; None: no restriction."""
    return scope_q(user, field)


def programme_scope(user: User) -> QuerySet[Programme]:
    if not can_read_programmes(user):
        return Programme.objects.none()
    scope = scope_of(user)
    if scope.is_global:
        return Programme.objects.all()
    inside = _area_q(user, "unit") or Q()
    return Programme.objects.filter(inside | Q(unit__code__in=scope.ancestor_codes))


def programme_list(*, user: User) -> QuerySet[Programme]:
    return programme_scope(user).select_related("unit").order_by("-opens_on", "code")


def programme_get(*, user: User, pk: int | str) -> Programme:
    programme = programme_scope(user).select_related("unit").filter(pk=pk).first()
    if programme is None:
        raise NotFound
    return programme


def reads_whole_programme(user: User, programme: Programme) -> bool:
    """Every certificate of the programme (its keepers, and readers of a wider area)."""
    return can_read_programmes(user) and scope_of(user).covers_path(programme.unit.path)


def can_export(user: User, programme: Programme) -> bool:
    """The donor's list: the programme's keepers and the planners of its area."""
    return can_keep_programme(user, programme.unit) or (
        has_role(user, RoleCode.PLANNER) and reads_whole_programme(user, programme)
    )


def certificate_scope(user: User) -> QuerySet[Certificate]:
    if not can_read_programmes(user):
        return Certificate.objects.none()
    qs = Certificate.objects.filter(programme__in=programme_scope(user))
    whole = _area_q(user, "programme__unit")
    if whole is None:
        return qs
    own = (_area_q(user, "household__scope_unit") or Q()) | (
        _area_q(user, "household__unit") or Q()
    )
    return qs.filter(whole | own)


def certificate_list(
    *, user: User, programme: Programme, status: str = ""
) -> QuerySet[Certificate]:
    qs = certificate_scope(user).filter(programme=programme)
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("household", "applied_by", "decided_by").order_by("-applied_at", "-id")


def certificate_get(*, user: User, pk: int | str) -> Certificate:
    certificate = (
        certificate_scope(user)
        .select_related("programme", "programme__unit", "household", "applied_by", "decided_by")
        .filter(pk=pk)
        .first()
    )
    if certificate is None:
        raise NotFound
    return certificate


def household_choices(*, user: User, programme: Programme, search: str = "") -> QuerySet[Household]:
    """The households the user may apply for: of their area, in the programme's area, without a
    live certificate of the programme."""
    own = (_area_q(user, "scope_unit") or Q(pk__isnull=False)) | (
        _area_q(user, "unit") or Q(pk__isnull=False)
    )
    in_programme = Q(unit__path__startswith=programme.unit.path) | Q(
        unit__isnull=True, scope_unit__path__startswith=programme.unit.path
    )
    live = Certificate.objects.filter(programme=programme, status__in=LIVE_STATUSES)
    qs = (
        Household.objects.filter(own, in_programme)
        .exclude(pk__in=live.values("household_id"))
        .select_related("unit")
    )
    if search.strip():
        qs = qs.filter(Q(name__icontains=search.strip()) | Q(address__icontains=search.strip()))
    return qs.order_by("name", "id")


def household_for_application(*, user: User, pk: int | str) -> Household:
    """A household of the user's area, else not found (missing or not theirs look the same)."""
    household = Household.objects.select_related("unit", "scope_unit").filter(pk=pk).first()
    if household is None or not covers_household(user, household):
        raise NotFound
    return household


def places_left(programme: Programme) -> int:
    return max(programme.places - programme.taken, 0)


def is_open(programme: Programme, today: date) -> bool:
    return programme.opens_on <= today and (
        programme.closes_on is None or today <= programme.closes_on
    )


# ---------------------------------------------------------------------------------------------
# Writes


# Also a sheet's title in the export and part of every certificate's number.
CODE = re.compile(r"[A-Z0-9][A-Z0-9_-]{0,29}")


@dataclass(frozen=True)
class ProgrammeInput:
    code: str
    name: str
    unit: Unit
    currency: str
    amount: Decimal
    budget: Decimal
    opens_on: date
    closes_on: date | None = None
    eligibility: dict[str, Any] = field(default_factory=dict)
    valid_days: int = 365
    donor: str = ""


@transaction.atomic
def programme_create(*, actor: User, data: ProgrammeInput) -> Programme:
    """A programme of the actor's area. Its places are what the budget pays, whole certificates
    only; a budget that pays none is refused."""
    if not can_keep_programme(actor, data.unit):
        raise NotAllowed
    errors: dict[str, list[str]] = {}
    places = int(data.budget // data.amount) if data.amount > 0 else 0
    if data.amount <= 0:
        errors["amount"] = [_("The amount of a certificate must be above zero.")]
    elif places < 1:
        errors["budget"] = [_("The budget does not pay a single certificate of this amount.")]
    if data.closes_on is not None and data.closes_on < data.opens_on:
        errors["closes_on"] = [_("The programme cannot close before it opens.")]
    code = data.code.strip().upper()
    if not CODE.fullmatch(code):
        errors["code"] = [_("A code has Latin letters, digits and dashes only.")]
    elif Programme.objects.filter(code=code).exists():
        errors["code"] = [_("Another programme has this code.")]
    errors.update(rules.rule_errors(data.eligibility))
    if errors:
        raise Invalid(errors)
    programme = Programme(
        country=data.unit.country,
        code=code,
        name=data.name.strip(),
        unit=data.unit,
        currency=data.currency.strip().upper(),
        amount=data.amount,
        budget=data.budget,
        places=places,
        eligibility=data.eligibility,
        valid_days=data.valid_days,
        opens_on=data.opens_on,
        closes_on=data.closes_on,
        donor=data.donor.strip(),
        created_by=actor,
    )
    programme.full_clean()
    programme.save(force_insert=True)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=programme,
        changes={
            "code": programme.code,
            "unit": data.unit.code,
            "amount": str(programme.amount),
            "budget": str(programme.budget),
            "currency": programme.currency,
            "places": places,
            "eligibility": programme.eligibility,
        },
    )
    return programme
