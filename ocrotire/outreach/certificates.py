"""Each step of a benefit certificate: the application, the decision (issue with a unique number,
or refusal), the redemption and the expiry. Who may read them and the programme itself are in
`programmes.py`.

A place is taken only by one conditional UPDATE (`taken < places`), so two keepers issuing the
last certificate at the same moment cannot both succeed: the database serialises the two updates
and the second matches no row. A household holds one live certificate per programme (the
database's partial unique constraint); a second application, even one sent at the same moment,
is refused with a sentence. Every step is audited in its transaction.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from ocrotire.accounts.models import User
from ocrotire.core.audit import audit_record
from ocrotire.core.errors import Conflict, Invalid, NotAllowed, NotFound
from ocrotire.core.models import AuditAction
from ocrotire.outreach import eligibility as rules
from ocrotire.outreach.models import LIVE_STATUSES, Certificate, CertificateStatus, Programme
from ocrotire.outreach.permissions import (
    can_apply,
    can_keep_programme,
    covers_household,
    household_in_programme_area,
)
from ocrotire.outreach.programmes import is_open
from ocrotire.registry.models import Household


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
