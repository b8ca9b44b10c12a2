"""Writes to a person's record: register, edit, archive, read; its identifiers and name keys."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from ocrotire.accounts.models import User
from ocrotire.accounts.permissions import scope_of
from ocrotire.core.audit import audit_record
from ocrotire.core.errors import Conflict, NotAllowed
from ocrotire.core.models import AuditAction
from ocrotire.geo.models import Unit
from ocrotire.registry.identifiers import NATIONAL_SCHEMES, identifier_label, identifier_normalise
from ocrotire.registry.models import (
    BirthDatePrecision,
    NameKey,
    Person,
    PersonIdentifier,
    PersonStatus,
    VulnerabilityCategory,
)
from ocrotire.registry.names import name_keys
from ocrotire.registry.permissions import can_edit_record, can_use_registry

PERSON_FIELDS = (
    "given_name",
    "family_name",
    "patronymic",
    "other_names",
    "sex",
    "birth_date",
    "birth_date_precision",
    "birth_date_estimated",
    "citizenship",
    "displacement",
    "disability",
    "disability_notes",
    "languages",
    "unit",
    "address",
    "phone",
    "email",
)


@dataclass
class PersonInput:
    given_name: str = ""
    family_name: str = ""
    patronymic: str = ""
    other_names: str = ""
    sex: str = ""
    birth_date: date | None = None
    birth_date_precision: str = BirthDatePrecision.DAY
    birth_date_estimated: bool = False
    citizenship: str = ""
    displacement: str = "none"
    disability: bool | None = None
    disability_notes: str = ""
    languages: list[str] = field(default_factory=list)
    unit: Unit | None = None
    address: str = ""
    phone: str = ""
    email: str = ""
    identifiers: list[tuple[str, str]] = field(default_factory=list)
    vulnerabilities: list[str] = field(default_factory=list)
    scope_unit: Unit | None = None


def _clean_birth_date(value: date | None, precision: str) -> date | None:
    if value is None:
        return None
    if value > timezone.localdate():
        raise ValidationError({"birth_date": _("The birth date cannot be in the future.")})
    if value.year < 1900:
        raise ValidationError({"birth_date": _("The birth date is too far in the past.")})
    if precision == BirthDatePrecision.YEAR:
        return value.replace(month=1, day=1)
    if precision == BirthDatePrecision.MONTH:
        return value.replace(day=1)
    return value


def _identifiers_clean(
    identifiers: Iterable[tuple[str, str]], *, person: Person | None
) -> list[tuple[str, str]]:
    cleaned: list[tuple[str, str]] = []
    errors: list[str] = []
    for index, (scheme, value) in enumerate(identifiers, start=1):
        try:
            normalised = identifier_normalise(scheme, value)
        except ValidationError as exc:
            errors.append(
                _("Identifier %(index)s (%(scheme)s): %(error)s")
                % {
                    "index": index,
                    "scheme": identifier_label(scheme),
                    "error": " ".join(exc.messages),
                }
            )
            continue
        if (scheme, normalised) in cleaned:
            continue
        taken = PersonIdentifier.objects.filter(scheme=scheme, value=normalised, active=True)
        if person is not None:
            taken = taken.exclude(person=person)
        if taken.exists():
            errors.append(
                _(
                    "Identifier %(index)s (%(scheme)s) is already registered for another person: "
                    "search the registry before registering again."
                )
                % {"index": index, "scheme": identifier_label(scheme)}
            )
            continue
        cleaned.append((scheme, normalised))
    national = [scheme for scheme, _value in cleaned if scheme in NATIONAL_SCHEMES]
    if len(national) != len(set(national)):
        errors.append(_("A person has one number per national scheme."))
    if errors:
        raise ValidationError({"identifiers": errors})
    return cleaned


def _vulnerabilities(codes: Iterable[str], *, country: str) -> list[VulnerabilityCategory]:
    codes = list(dict.fromkeys(codes))
    found = list(VulnerabilityCategory.objects.filter(country=country, code__in=codes, active=True))
    missing = sorted(set(codes) - {v.code for v in found})
    if missing:
        raise ValidationError(
            {
                "vulnerabilities": _("Unknown categories for this country: %(codes)s.")
                % {"codes": ", ".join(missing)}
            }
        )
    return found


def name_keys_refresh(person: Person) -> None:
    keys = (
        name_keys(person.given_name) | name_keys(person.family_name) | name_keys(person.other_names)
    )
    NameKey.objects.filter(person=person).delete()
    NameKey.objects.bulk_create(
        [NameKey(person=person, key=key[:80], birth_year=person.birth_year) for key in sorted(keys)]
    )


def _responsible_unit(actor: User, data: PersonInput) -> Unit:
    scope = scope_of(actor)
    for candidate in (data.scope_unit, data.unit):
        if candidate is not None and scope.covers_path(candidate.path):
            return candidate
    if data.scope_unit is not None:
        raise ValidationError({"scope_unit": _("This unit is outside your area.")})
    first = actor.units.order_by("path").first()
    if first is None:
        raise ValidationError({"unit": _("Choose the unit responsible for this person.")})
    return first


def _person_values(data: PersonInput) -> dict[str, Any]:
    values = {name: getattr(data, name) for name in PERSON_FIELDS}
    for name in (
        "given_name",
        "family_name",
        "patronymic",
        "other_names",
        "address",
        "phone",
        "email",
        "disability_notes",
    ):
        values[name] = (values[name] or "").strip()
    values["citizenship"] = (values["citizenship"] or "").upper()
    values["birth_date"] = _clean_birth_date(data.birth_date, data.birth_date_precision)
    return values


def _snapshot(person: Person) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in PERSON_FIELDS:
        value = getattr(person, "unit_id" if name == "unit" else name)
        values[name] = value.isoformat() if isinstance(value, date) else value
    return values


@transaction.atomic
def person_create(*, actor: User, data: PersonInput) -> Person:
    if not can_use_registry(actor):
        raise NotAllowed
    return _person_insert(actor=actor, data=data, scope_unit=None)


@transaction.atomic
def person_create_for_report(*, actor: User | None, data: PersonInput, unit: Unit) -> Person:
    """A child named in a report by someone outside the registry (a school reporter, or nobody
    signed in: the public channel, `actor` None): the record belongs to the unit the report is
    about, whoever filed it."""
    return _person_insert(actor=actor, data=data, scope_unit=unit)


def _person_insert(*, actor: User | None, data: PersonInput, scope_unit: Unit | None) -> Person:
    values = _person_values(data)
    if not values["given_name"] and not values["family_name"]:
        raise ValidationError({"family_name": _("Enter at least a given name or a family name.")})
    if scope_unit is None:
        # Only `person_create_for_report` goes without an actor, and it always names the unit.
        assert actor is not None
        scope_unit = _responsible_unit(actor, data)
    identifiers = _identifiers_clean(data.identifiers, person=None)
    vulnerabilities = _vulnerabilities(data.vulnerabilities, country=scope_unit.country)
    person = Person(**values, scope_unit=scope_unit, created_by=actor)
    person.birth_year = person.birth_date.year if person.birth_date else None
    person.full_clean(exclude=["created_by"])
    person.save(force_insert=True)
    PersonIdentifier.objects.bulk_create(
        [PersonIdentifier(person=person, scheme=s, value=v) for s, v in identifiers]
    )
    person.vulnerabilities.set(vulnerabilities)
    name_keys_refresh(person)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=person,
        changes={
            **_snapshot(person),
            "scope_unit": scope_unit.code,
            "identifiers": [f"{s}:{v}" for s, v in identifiers],
            "vulnerabilities": sorted(v.code for v in vulnerabilities),
        },
    )
    return person


@transaction.atomic
def person_update(*, actor: User, person: Person, version: int, data: dict[str, Any]) -> Person:
    """Change the given fields (a partial update) if nobody saved the person since `version`."""
    if not can_edit_record(actor, person):
        raise NotAllowed
    locked = Person.objects.select_for_update().get(pk=person.pk)
    if locked.version != version:
        raise Conflict
    if locked.status != PersonStatus.ACTIVE:
        raise ValidationError(
            {"status": _("This record was merged or archived and can no longer be changed.")}
        )
    before = _snapshot(locked)
    current = PersonInput(**{name: getattr(locked, name) for name in PERSON_FIELDS})
    for name, value in data.items():
        if name in PERSON_FIELDS:
            setattr(current, name, value)
    values = _person_values(current)
    if not values["given_name"] and not values["family_name"]:
        raise ValidationError({"family_name": _("Enter at least a given name or a family name.")})
    for name, value in values.items():
        setattr(locked, name, value)
    locked.birth_year = locked.birth_date.year if locked.birth_date else None
    after = _snapshot(locked)
    changes = {
        name: [before[name], after[name]] for name in PERSON_FIELDS if before[name] != after[name]
    }
    if "identifiers" in data:
        identifiers = _identifiers_clean(data["identifiers"], person=locked)
        old = sorted(f"{i.scheme}:{i.value}" for i in locked.identifiers.filter(active=True))
        new = sorted(f"{s}:{v}" for s, v in identifiers)
        if old != new:
            locked.identifiers.filter(active=True).delete()
            PersonIdentifier.objects.bulk_create(
                [PersonIdentifier(person=locked, scheme=s, value=v) for s, v in identifiers]
            )
            changes["identifiers"] = [old, new]
    if "vulnerabilities" in data:
        found = _vulnerabilities(data["vulnerabilities"], country=locked.scope_unit.country)
        old = sorted(locked.vulnerabilities.values_list("code", flat=True))
        if old != sorted(v.code for v in found):
            locked.vulnerabilities.set(found)
            changes["vulnerabilities"] = [old, sorted(v.code for v in found)]
    if not changes:
        return locked
    locked.full_clean(exclude=["created_by"])
    locked.version = F("version") + 1
    locked.save()
    locked.refresh_from_db()
    name_keys_refresh(locked)
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=locked, changes=changes)
    return locked


@transaction.atomic
def person_archive(*, actor: User, person: Person, version: int, reason: str = "") -> Person:
    """The registry's "delete": the record leaves lists and matching but is kept, audited, and restorable."""
    if not can_edit_record(actor, person):
        raise NotAllowed
    updated = Person.objects.filter(
        pk=person.pk, version=version, status=PersonStatus.ACTIVE
    ).update(status=PersonStatus.ARCHIVED, version=F("version") + 1)
    if not updated:
        raise Conflict
    person.refresh_from_db()
    NameKey.objects.filter(person=person).delete()
    audit_record(
        actor=actor,
        action=AuditAction.DELETE,
        obj=person,
        changes={"status": ["active", "archived"], "reason": reason},
    )
    return person


@transaction.atomic
def person_view_record(*, actor: User, person: Person) -> None:
    """A read of a person's record is audited: who looked at which child, and when."""
    audit_record(actor=actor, action=AuditAction.VIEW, obj=person)
