"""Writes to the provider register: the country catalogues, providers and service points.
Every change is audited in its own transaction; edits name the version they read."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from ocrotire.accounts.models import Institution, InstitutionKind, User
from ocrotire.accounts.permissions import scope_of
from ocrotire.accounts.services import institution_create
from ocrotire.cases.models import Referral, ReferralStatus
from ocrotire.core.audit import audit_record, diff
from ocrotire.core.errors import Conflict, NotAllowed
from ocrotire.core.models import AuditAction
from ocrotire.geo.models import Unit
from ocrotire.geo.services import PACKS_DIR
from ocrotire.providers.models import (
    Enrolment,
    EnrolmentStatus,
    Provider,
    ProviderKind,
    ServiceBundle,
    ServicePoint,
    ServiceType,
)
from ocrotire.providers.permissions import (
    can_answer_referral,
    can_create_provider,
    can_edit_provider,
    can_edit_register_fields,
    can_enrol,
    can_override_capacity,
)
from ocrotire.registry.models import Person
from ocrotire.workflow.deadlines import event_fire

# Fields the register keepers record (the provider's staff cannot change them).
REGISTER_FIELDS = (
    "kind",
    "legal_form",
    "registration_number",
    "licence_number",
    "licence_valid_from",
    "licence_valid_until",
    "active",
)
# Fields the provider's own staff keep up to date as well.
CONTACT_FIELDS = ("contact_person", "phone", "email", "address", "target_groups", "last_verified")
POINT_FIELDS = (
    "name",
    "address",
    "capacity",
    "age_min_months",
    "age_max_months",
    "eligibility",
    "opening_hours",
    "languages",
    "last_verified",
    "active",
)
LANGUAGE_CODES = frozenset({"ro", "uk", "ru", "en", "ky", "hu", "rom", "bg", "gag", "sign"})


@transaction.atomic
def catalogue_load(*, country: str, actor: User | None = None) -> int:
    """A country's service catalogue and bundles from its pack; loading again changes nothing.
    Returns how many rows were created or changed."""
    path = PACKS_DIR / country.lower() / "services.json"
    if not path.is_file():
        return 0
    data = json.loads(path.read_text(encoding="utf-8"))
    code = country.upper()
    written = 0
    for index, row in enumerate(data["services"]):
        values = {
            "names": row["names"],
            "group": row["group"],
            "care_form": row.get("care_form", False),
            "classifier_code": row.get("classifier_code", ""),
            "ordering": index,
            "legal_reference": data.get("legal_reference", ""),
            "verified": data.get("verified", False),
        }
        service, created = ServiceType.objects.get_or_create(
            country=code, code=row["code"], defaults=values
        )
        if created:
            service.full_clean()
            audit_record(actor=actor, action=AuditAction.CREATE, obj=service, changes=values)
            written += 1
        elif any(getattr(service, k) != v for k, v in values.items()):
            ServiceType.objects.filter(pk=service.pk).update(**values)
            audit_record(actor=actor, action=AuditAction.UPDATE, obj=service, changes=values)
            written += 1
    types = {t.code: t for t in ServiceType.objects.filter(country=code)}
    for row in data.get("bundles", []):
        unknown = sorted(set(row["services"]) - set(types))
        if unknown:
            raise ValueError(f"{path}: bundle {row['code']} names unknown services {unknown}")
        values = {"names": row["names"], "legal_reference": row.get("legal_reference", "")}
        bundle, created = ServiceBundle.objects.get_or_create(
            country=code, code=row["code"], defaults=values
        )
        members = sorted(row["services"])
        current = sorted(bundle.types.values_list("code", flat=True))
        if created or current != members or any(getattr(bundle, k) != v for k, v in values.items()):
            ServiceBundle.objects.filter(pk=bundle.pk).update(**values)
            bundle.types.set([types[c] for c in members])
            audit_record(
                actor=actor,
                action=AuditAction.CREATE if created else AuditAction.UPDATE,
                obj=bundle,
                changes={**values, "services": members},
            )
            written += 1
    return written


def _check_licence(valid_from: date | None, valid_until: date | None) -> None:
    if valid_from and valid_until and valid_until < valid_from:
        raise ValidationError(
            {"licence_valid_until": _("The licence cannot end before it starts.")}
        )


@transaction.atomic
def provider_create(
    *,
    actor: User,
    kind: str,
    institution: Institution | None = None,
    name: str = "",
    abbreviation: str = "",
    units: list[Unit] | None = None,
    **fields: Any,
) -> Provider:
    """Enter a provider in the register: an existing institution (a public directorate that
    also runs services), or a new organisation with its name and the units it covers."""
    if not can_create_provider(actor):
        raise NotAllowed
    if kind not in ProviderKind.values:
        raise ValidationError({"kind": _("Choose public, NGO or private.")})
    if institution is None:
        if not name.strip():
            raise ValidationError({"name": _("Give the provider's name.")})
        institution = institution_create(
            actor=actor,
            name=name,
            abbreviation=abbreviation,
            kind=InstitutionKind.NGO
            if kind == ProviderKind.NGO
            else InstitutionKind.SERVICE_PROVIDER,
            units=units or [],
        )
    else:
        scope = scope_of(actor)
        if not scope.is_global and not any(
            scope.covers_path(u.path) for u in institution.units.all()
        ):
            raise ValidationError({"institution": _("This institution is outside your area.")})
        if Provider.objects.filter(institution=institution).exists():
            raise ValidationError(
                {"institution": _("This institution is already in the provider register.")}
            )
    unknown = set(fields) - set(REGISTER_FIELDS) - set(CONTACT_FIELDS)
    if unknown:
        raise TypeError(f"unknown provider fields: {sorted(unknown)}")
    _check_licence(fields.get("licence_valid_from"), fields.get("licence_valid_until"))
    provider = Provider(
        institution=institution,
        kind=kind,
        **{k: v.strip() if isinstance(v, str) else v for k, v in fields.items()},
    )
    provider.full_clean(exclude=["institution"])
    provider.save(force_insert=True)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=provider,
        changes={"institution": institution.pk, "kind": kind, **fields},
    )
    return provider


@transaction.atomic
def provider_update(*, actor: User, provider: Provider, version: int, **changes: Any) -> Provider:
    if not can_edit_provider(actor, provider):
        raise NotAllowed
    register = [f for f in REGISTER_FIELDS if f in changes]
    if register and not can_edit_register_fields(actor):
        raise ValidationError(
            {
                f: _("Only the keepers of the register record this; ask the directorate.")
                for f in register
            }
        )
    unknown = set(changes) - set(REGISTER_FIELDS) - set(CONTACT_FIELDS)
    if unknown:
        raise TypeError(f"unknown provider fields: {sorted(unknown)}")
    locked = Provider.objects.select_for_update().get(pk=provider.pk)
    if locked.version != version:
        raise Conflict
    fields = [f for f in (*REGISTER_FIELDS, *CONTACT_FIELDS) if f in changes]
    before = {f: getattr(locked, f) for f in fields}
    for name in fields:
        value = changes[name]
        setattr(locked, name, value.strip() if isinstance(value, str) else value)
    _check_licence(locked.licence_valid_from, locked.licence_valid_until)
    changed = diff(locked, before, fields)
    if not changed:
        return locked
    locked.full_clean(exclude=["institution"])
    locked.version = F("version") + 1
    locked.save(update_fields=[*changed, "version", "updated_at"])
    locked.refresh_from_db()
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=locked, changes=changed)
    return locked


def _check_point(
    provider: Provider, service_type: ServiceType, unit: Unit, values: dict[str, Any]
) -> None:
    errors: dict[str, list[str]] = {}
    if service_type.country != unit.country:
        errors.setdefault("service_type", []).append(
            _("This service is not in the catalogue of the unit's country.")
        )
    if not service_type.active:
        errors.setdefault("service_type", []).append(_("This service is no longer offered."))
    if provider.institution.country != unit.country:
        errors.setdefault("unit", []).append(_("The unit is in another country than the provider."))
    low, high = values.get("age_min_months"), values.get("age_max_months")
    if low is not None and high is not None and high < low:
        errors.setdefault("age_max_months", []).append(
            _("The oldest age cannot be below the youngest.")
        )
    languages = values.get("languages") or []
    if not isinstance(languages, list) or any(code not in LANGUAGE_CODES for code in languages):
        errors.setdefault("languages", []).append(
            _("Unknown language code; use: %(codes)s.")
            % {"codes": ", ".join(sorted(LANGUAGE_CODES))}
        )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def service_point_create(
    *,
    actor: User,
    provider: Provider,
    service_type: ServiceType,
    unit: Unit,
    name: str,
    capacity: int,
    **fields: Any,
) -> ServicePoint:
    if not can_edit_provider(actor, provider):
        raise NotAllowed
    unknown = set(fields) - set(POINT_FIELDS)
    if unknown:
        raise TypeError(f"unknown service point fields: {sorted(unknown)}")
    values = {"name": name.strip(), "capacity": capacity, **fields}
    _check_point(provider, service_type, unit, values)
    point = ServicePoint(
        provider=provider,
        service_type=service_type,
        unit=unit,
        **{k: v.strip() if isinstance(v, str) else v for k, v in values.items()},
    )
    point.full_clean(exclude=["provider", "service_type", "unit"])
    point.save(force_insert=True)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=point,
        changes={
            "provider": provider.pk,
            "service_type": service_type.code,
            "unit": unit.code,
            **values,
        },
    )
    return point


@transaction.atomic
def service_point_update(
    *, actor: User, point: ServicePoint, version: int, **changes: Any
) -> ServicePoint:
    if not can_edit_provider(actor, point.provider):
        raise NotAllowed
    unknown = set(changes) - set(POINT_FIELDS)
    if unknown:
        raise TypeError(f"unknown service point fields: {sorted(unknown)}")
    locked = ServicePoint.objects.select_for_update().get(pk=point.pk)
    if locked.version != version:
        raise Conflict
    fields = [f for f in POINT_FIELDS if f in changes]
    before = {f: getattr(locked, f) for f in fields}
    for name in fields:
        value = changes[name]
        setattr(locked, name, value.strip() if isinstance(value, str) else value)
    values = {f: getattr(locked, f) for f in POINT_FIELDS}
    _check_point(point.provider, locked.service_type, locked.unit, values)
    changed = diff(locked, before, fields)
    if not changed:
        return locked
    locked.full_clean(exclude=["provider", "service_type", "unit"])
    locked.version = F("version") + 1
    locked.save(update_fields=[*changed, "version", "updated_at"])
    locked.refresh_from_db()
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=locked, changes=changed)
    return locked


# -- referrals answered by the provider, enrolment and occupancy -------------------------------


def occupancy(point: ServicePoint, at: datetime | None = None) -> int:
    """Children enrolled at the service point at `at` (now by default)."""
    at = at or timezone.now()
    return (
        Enrolment.objects.filter(service_point=point, enrolled_at__lte=at)
        .exclude(ended_at__lte=at)
        .count()
    )


def _place_or_refuse(
    actor: User, point: ServicePoint, *, at: datetime, override_reason: str
) -> tuple[ServicePoint, int, str]:
    """Lock the service point (one enrolment at a time, so the count cannot change under us)
    and count the places taken at `at`. A full service point refuses, unless a register keeper
    of its area gives a reason. Returns the locked point, the places taken and the reason kept
    ('' when there was a free place)."""
    locked = ServicePoint.objects.select_for_update().get(pk=point.pk)
    if locked.closed_on is not None and timezone.localdate(at) >= locked.closed_on:
        raise ValidationError(
            {
                "service_point": _("This service closed on %(date)s.")
                % {"date": locked.closed_on.isoformat()}
            }
        )
    taken = occupancy(locked, at=at)
    if taken < locked.capacity:
        return locked, taken, ""
    reason = override_reason.strip()
    if not reason:
        raise ValidationError(
            {
                "override_reason": _(
                    "Every place is taken (%(taken)s of %(capacity)s): the child stays on the "
                    "waiting list unless the directorate enrols over capacity with a reason."
                )
                % {"taken": taken, "capacity": locked.capacity}
            }
        )
    if not can_override_capacity(actor, point.provider):
        raise NotAllowed
    return locked, taken, reason


def _enrolment_create(**fields: Any) -> Enrolment:
    """The database keeps one open enrolment per child and service point: a second one, however
    fast it comes, is a field error, not a crash."""
    try:
        with transaction.atomic():
            return Enrolment.objects.create(**fields)
    except IntegrityError as exc:
        raise ValidationError(
            {"child": _("This child is already on the list of this service point.")}
        ) from exc


def _lock_referral(actor: User, referral: Referral, version: int, allowed: bool) -> Referral:
    if not allowed:
        raise NotAllowed
    locked = (
        Referral.objects.select_for_update(of=("self",))
        .select_related("case__unit", "case__child", "service_point__provider__institution")
        .get(pk=referral.pk)
    )
    if locked.version != version:
        raise Conflict
    return locked


def _referral_step(
    *,
    actor: User,
    referral: Referral,
    kind: str,
    changes: dict[str, Any],
    data: dict[str, Any] | None = None,
    answers: bool = False,
    audited: dict[str, Any] | None = None,
) -> Referral:
    """Save the referral's new state, audit it and put the step on the case's timeline."""
    now = timezone.now()
    Referral.objects.filter(pk=referral.pk).update(**changes, version=F("version") + 1)
    # The locked row is current but for what was just written: no need to read it back (and
    # lose the case and service point read with it).
    for name, value in changes.items():
        setattr(referral, name, value)
    referral.version += 1
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=referral,
        changes={
            **{k: v for k, v in changes.items() if not k.endswith("_by")},
            **(audited or {}),
        },
    )
    tasks = [referral.response_task] if answers and referral.response_task else []
    event_fire(
        actor=actor,
        kind=kind,
        at=now,
        case=referral.case,
        data={
            "referral": referral.pk,
            "service": referral.service,
            "point": referral.service_point.name if referral.service_point else "",
            **(data or {}),
        },
        tasks=tasks,
    )
    return referral


def _expect(referral: Referral, *statuses: str) -> None:
    if referral.status not in statuses:
        raise ValidationError(
            {
                "status": _("This referral is %(status)s: this step does not apply.")
                % {"status": referral.get_status_display()}
            }
        )


@transaction.atomic
def referral_accept(*, actor: User, referral: Referral, version: int) -> Referral:
    """The provider takes the child: the child joins the service point's waiting list."""
    locked = _lock_referral(actor, referral, version, can_answer_referral(actor, referral))
    _expect(locked, ReferralStatus.SENT)
    now = timezone.now()
    assert locked.service_point is not None
    enrolment = _enrolment_create(
        service_point=locked.service_point,
        child=locked.case.child,
        referral=locked,
        queued_at=now,
        created_by=actor,
    )
    return _referral_step(
        actor=actor,
        referral=locked,
        kind="referral_accepted",
        changes={"status": ReferralStatus.ACCEPTED, "answered_at": now, "answered_by": actor},
        answers=True,
        audited={"enrolment": enrolment.pk, "waiting_since": now},
    )


@transaction.atomic
def referral_decline(*, actor: User, referral: Referral, version: int, reason: str) -> Referral:
    locked = _lock_referral(actor, referral, version, can_answer_referral(actor, referral))
    _expect(locked, ReferralStatus.SENT)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the referral is declined.")})
    now = timezone.now()
    return _referral_step(
        actor=actor,
        referral=locked,
        kind="referral_declined",
        changes={
            "status": ReferralStatus.DECLINED,
            "answered_at": now,
            "answered_by": actor,
            "decline_reason": reason.strip(),
        },
        data={"reason": reason.strip()},
        answers=True,
    )


@transaction.atomic
def referral_enrol(
    *, actor: User, referral: Referral, version: int, override_reason: str = ""
) -> Referral:
    """From the waiting list into a place. A full service point refuses, unless an authorised
    user of the directorate overrides with a reason (kept on the enrolment and audited)."""
    locked = _lock_referral(actor, referral, version, can_enrol(actor, referral))
    _expect(locked, ReferralStatus.ACCEPTED)
    assert locked.service_point is not None
    now = timezone.now()
    point, taken, reason = _place_or_refuse(
        actor, locked.service_point, at=now, override_reason=override_reason
    )
    enrolment = Enrolment.objects.select_for_update().get(referral=locked)
    enrolment.status = EnrolmentStatus.ENROLLED
    enrolment.enrolled_at = now
    enrolment.over_capacity_reason = reason
    enrolment.save(update_fields=["status", "enrolled_at", "over_capacity_reason"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=enrolment,
        changes={
            "status": EnrolmentStatus.ENROLLED,
            "occupied_before": taken,
            "capacity": point.capacity,
            **({"over_capacity_reason": reason} if reason else {}),
        },
    )
    return _referral_step(
        actor=actor,
        referral=locked,
        kind="referral_enrolled",
        changes={"status": ReferralStatus.ENROLLED},
        data={"over_capacity": bool(reason)},
    )


@transaction.atomic
def referral_end(
    *, actor: User, referral: Referral, version: int, completed: bool, note: str = ""
) -> Referral:
    """The service ends: completed, or dropped (also from the waiting list)."""
    locked = _lock_referral(actor, referral, version, can_enrol(actor, referral))
    if completed:
        _expect(locked, ReferralStatus.ENROLLED)
    else:
        _expect(locked, ReferralStatus.ACCEPTED, ReferralStatus.ENROLLED)
        if not note.strip():
            raise ValidationError({"note": _("Say why the child left the service.")})
    now = timezone.now()
    Enrolment.objects.filter(referral=locked).exclude(status=EnrolmentStatus.ENDED).update(
        status=EnrolmentStatus.ENDED, ended_at=now
    )
    status = ReferralStatus.COMPLETED if completed else ReferralStatus.DROPPED
    return _referral_step(
        actor=actor,
        referral=locked,
        kind="referral_completed" if completed else "referral_dropped",
        changes={"status": status, "ended_at": now, "end_note": note.strip()},
        data={"note": note.strip()},
    )


@transaction.atomic
def enrolment_record(
    *,
    actor: User,
    point: ServicePoint,
    child: Person,
    enrolled_at: datetime,
    ended_at: datetime | None = None,
    override_reason: str = "",
) -> Enrolment:
    """A child who came to the service without a referral from a case (a day centre takes
    children directly), or one whose stay is recorded afterwards. The same capacity rule holds
    at the moment of enrolment."""
    if not can_edit_provider(actor, point.provider):
        raise NotAllowed
    now = timezone.now()
    if enrolled_at > now or (ended_at is not None and not enrolled_at <= ended_at <= now):
        raise ValidationError(
            {
                "enrolled_at": _(
                    "The stay must start before it ends, and neither lies in the future."
                )
            }
        )
    locked, _taken, reason = _place_or_refuse(
        actor, point, at=enrolled_at, override_reason=override_reason
    )
    enrolment = _enrolment_create(
        service_point=locked,
        child=child,
        status=EnrolmentStatus.ENDED if ended_at else EnrolmentStatus.ENROLLED,
        queued_at=enrolled_at,
        enrolled_at=enrolled_at,
        ended_at=ended_at,
        over_capacity_reason=reason,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=enrolment,
        changes={
            "service_point": locked.pk,
            "child": child.pk,
            "enrolled_at": enrolled_at,
            "ended_at": ended_at,
            **({"over_capacity_reason": reason} if reason else {}),
        },
    )
    return enrolment


REFERRAL_STEPS = ("accept", "decline", "enrol", "complete", "drop")
# The longest reason or note a step keeps (as the API's fields); longer text is refused, never cut.
TEXT_LIMIT = 4000


def referral_step(
    *,
    actor: User,
    referral: Referral,
    step: str,
    version: int,
    reason: str = "",
    override_reason: str = "",
) -> Referral:
    """One of the provider's steps by name, for the API and the inbox page alike. `reason` is
    why a referral is declined or why the child left."""
    for name, text in (("reason", reason), ("override_reason", override_reason)):
        if len(text) > TEXT_LIMIT:
            raise ValidationError(
                {name: _("At most %(limit)s characters.") % {"limit": TEXT_LIMIT}}
            )
    if step == "accept":
        return referral_accept(actor=actor, referral=referral, version=version)
    if step == "decline":
        return referral_decline(actor=actor, referral=referral, version=version, reason=reason)
    if step == "enrol":
        return referral_enrol(
            actor=actor, referral=referral, version=version, override_reason=override_reason
        )
    if step in ("complete", "drop"):
        return referral_end(
            actor=actor,
            referral=referral,
            version=version,
            completed=step == "complete",
            note=reason,
        )
    raise ValueError(f"unknown referral step {step!r}")
