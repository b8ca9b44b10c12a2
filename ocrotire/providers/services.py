"""Writes to the provider register: the country catalogues, providers and service points.
Every change is audited in its own transaction; edits name the version they read."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from ocrotire.accounts.models import Institution, InstitutionKind, User
from ocrotire.accounts.permissions import scope_of
from ocrotire.accounts.services import ConflictError, institution_create
from ocrotire.core.audit import audit_record, diff
from ocrotire.core.models import AuditAction
from ocrotire.geo.models import Unit
from ocrotire.geo.services import PACKS_DIR
from ocrotire.providers.models import (
    Provider,
    ProviderKind,
    ServiceBundle,
    ServicePoint,
    ServiceType,
)
from ocrotire.providers.permissions import (
    can_create_provider,
    can_edit_provider,
    can_edit_register_fields,
)

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
        raise PermissionError
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
        raise PermissionError
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
        raise ConflictError
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
        raise PermissionError
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
        raise PermissionError
    unknown = set(changes) - set(POINT_FIELDS)
    if unknown:
        raise TypeError(f"unknown service point fields: {sorted(unknown)}")
    locked = ServicePoint.objects.select_for_update().get(pk=point.pk)
    if locked.version != version:
        raise ConflictError
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
