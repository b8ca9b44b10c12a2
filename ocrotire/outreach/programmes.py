"""Benefit programmes and their certificates: who reads them, how a programme is set up, and each
step of a certificate — application, decision, issue with a unique number, redemption, expiry.

A programme pays `places` certificates of one amount (budget // amount). A place is taken only by
one conditional UPDATE (`taken < places`), so two keepers issuing the last certificate at the
same moment cannot both succeed: the database serialises the two updates and the second matches
no row. A household holds one live certificate per programme (the database's partial unique
constraint); a second application, even one sent at the same moment, is refused with a sentence.
Every step is audited in its transaction.

Reads: a programme is seen by its readers (`permissions.can_read_programmes`) whose area covers
its area or lies inside it (a community worker of a village sees the hromada's programme); its
certificates by those whose area covers the programme's, and by the others for the households of
their own area.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ocrotire.accounts.models import RoleCode, User
from ocrotire.accounts.permissions import has_role, scope_of
from ocrotire.core.audit import audit_record
from ocrotire.core.errors import Conflict, Invalid, NotAllowed, NotFound
from ocrotire.core.models import AuditAction
from ocrotire.geo.models import Unit
from ocrotire.outreach import eligibility as rules
from ocrotire.outreach.models import (
    LIVE_STATUSES,
    Certificate,
    CertificateStatus,
    Programme,
)
from ocrotire.outreach.permissions import (
    can_apply,
    can_keep_programme,
    can_read_programmes,
    covers_household,
    household_in_programme_area,
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


def _already_live() -> str:
    return _("This household already has an application or a certificate in this programme.")


@transaction.atomic
def certificate_apply(*, actor: User, programme: Programme, household: Household) -> Certificate:
    """An application for a household of the actor's area. Refused when the programme is not
    open, has no place left, the household is not eligible (with the reason), or already holds a
    live application or certificate of the programme — also when two are sent at once."""
    if not covers_household(actor, household):
        raise NotFound
    if not household_in_programme_area(programme, household):
        raise NotAllowed(_("The household does not live in the programme's area."))
    if not can_apply(actor, programme, household):
        raise NotAllowed
    today = timezone.localdate()
    if not is_open(programme, today):
        raise Invalid({"household": [_("The programme is not open for applications.")]})
    current = Programme.objects.only("taken", "places").get(pk=programme.pk)
    if current.taken >= current.places:
        raise Invalid({"household": [_("No place is left in the programme's budget.")]})
    live = Certificate.objects.filter(
        programme=programme, household=household, status__in=LIVE_STATUSES
    )
    if live.exists():
        raise Invalid({"household": [_already_live()]})
    reasons = rules.reasons_not_eligible(programme.eligibility, household, today)
    if reasons:
        raise Invalid({"household": reasons})
    try:
        # A savepoint: the partial unique constraint refuses an application sent at the same
        # moment for the same household; the refusal reads as the one above.
        with transaction.atomic():
            certificate = Certificate.objects.create(
                programme=programme, household=household, applied_by=actor
            )
    except IntegrityError:
        raise Invalid({"household": [_already_live()]}) from None
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=certificate,
        changes={
            "programme": programme.code,
            "household": household.pk,
            "status": CertificateStatus.APPLIED,
        },
    )
    return certificate


def _locked(certificate: Certificate, version: int | None) -> Certificate:
    locked = (
        Certificate.objects.select_for_update()
        .select_related("programme", "programme__unit")
        .get(pk=certificate.pk)
    )
    if version is not None and version != locked.version:
        raise Conflict
    return locked


def _copy_back(target: Certificate, source: Certificate) -> None:
    for name in (
        "status",
        "number",
        "decided_at",
        "decided_by",
        "reason",
        "expires_on",
        "redeemed_at",
        "redeemed_with",
        "version",
    ):
        setattr(target, name, getattr(source, name))


@transaction.atomic
def certificate_decide(
    *,
    actor: User,
    certificate: Certificate,
    issue: bool,
    reason: str = "",
    version: int | None = None,
) -> Certificate:
    """Refuse an application (with its reason) or issue its certificate. Issuing takes a place
    with one conditional UPDATE: when none is left, the decision is refused and the application
    stays as it was. The number is the programme's code and its next number; numbers are never
    reused. `version`: the one the keeper read; an older one is a conflict."""
    if not can_keep_programme(actor, certificate.programme.unit):
        raise NotAllowed
    locked = _locked(certificate, version)
    if locked.status != CertificateStatus.APPLIED:
        raise Invalid({"issue": [_("This application was already decided.")]})
    reason = reason.strip()
    now = timezone.now()
    if not issue:
        if not reason:
            raise Invalid({"reason": [_("Give the reason for the refusal.")]})
        locked.status = CertificateStatus.REFUSED
    else:
        took = Programme.objects.filter(pk=locked.programme_id, taken__lt=F("places")).update(
            taken=F("taken") + 1, last_number=F("last_number") + 1
        )
        if not took:
            raise Invalid(
                {
                    "issue": [
                        _("No place is left in the budget: every certificate it pays is issued.")
                    ]
                }
            )
        programme = Programme.objects.only("code", "last_number", "valid_days").get(
            pk=locked.programme_id
        )
        locked.status = CertificateStatus.ISSUED
        locked.number = f"{programme.code}-{programme.last_number:04d}"
        locked.expires_on = timezone.localdate() + timedelta(days=programme.valid_days)
    locked.decided_at, locked.decided_by, locked.reason = now, actor, reason
    locked.version += 1
    locked.save(
        update_fields=[
            "status",
            "number",
            "expires_on",
            "decided_at",
            "decided_by",
            "reason",
            "version",
        ]
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        changes={
            "status": locked.status,
            "number": locked.number,
            "expires_on": locked.expires_on.isoformat() if locked.expires_on else None,
            "reason": reason,
        },
    )
    _copy_back(certificate, locked)
    return certificate


@transaction.atomic
def certificate_redeem(
    *, actor: User, certificate: Certificate, redeemed_with: str, version: int | None = None
) -> Certificate:
    """The household used its certificate (`redeemed_with`: what it paid for, or the receipt).
    Only an issued certificate still valid is redeemed, once."""
    if not can_keep_programme(actor, certificate.programme.unit):
        raise NotAllowed
    locked = _locked(certificate, version)
    if locked.status != CertificateStatus.ISSUED:
        raise Invalid({"redeemed_with": [_("Only an issued certificate can be redeemed.")]})
    if locked.expires_on is not None and locked.expires_on < timezone.localdate():
        raise Invalid({"redeemed_with": [_("This certificate is no longer valid.")]})
    redeemed_with = redeemed_with.strip()
    if not redeemed_with:
        raise Invalid({"redeemed_with": [_("Say what the certificate paid for.")]})
    locked.status = CertificateStatus.REDEEMED
    locked.redeemed_at = timezone.now()
    locked.redeemed_with = redeemed_with[:300]
    locked.version += 1
    locked.save(update_fields=["status", "redeemed_at", "redeemed_with", "version"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        changes={"status": locked.status, "redeemed_with": locked.redeemed_with},
    )
    _copy_back(certificate, locked)
    return certificate


def certificates_expire(now: datetime | None = None) -> int:
    """Issued certificates past their last valid day become expired, each in its own
    transaction; returns how many. An expired certificate gives its place back (`taken` − 1):
    money never paid returns to the budget and another household may receive it. Its number is
    never reused: the next certificate takes the programme's next number. The deadline watcher
    runs this every round."""
    today = timezone.localdate(now)
    due = Certificate.objects.filter(status=CertificateStatus.ISSUED, expires_on__lt=today)
    count = 0
    for pk in list(due.values_list("pk", flat=True)[:1000]):
        with transaction.atomic():
            changed = Certificate.objects.filter(
                pk=pk, status=CertificateStatus.ISSUED, expires_on__lt=today
            ).update(status=CertificateStatus.EXPIRED, version=F("version") + 1)
            if not changed:
                continue  # redeemed or expired by another process meanwhile
            certificate = Certificate.objects.select_related("programme").get(pk=pk)
            Programme.objects.filter(pk=certificate.programme_id, taken__gt=0).update(
                taken=F("taken") - 1
            )
            audit_record(
                actor=None,
                actor_username="deadlines_watch",
                action=AuditAction.UPDATE,
                obj=certificate,
                changes={"status": CertificateStatus.EXPIRED, "place_returned": True},
            )
            count += 1
    return count
