"""Writes to the registry: persons, identifiers, households, relationships, duplicates, merge and undo."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from ocrotire.accounts.models import User
from ocrotire.accounts.permissions import scope_of
from ocrotire.core.audit import audit_record, diff
from ocrotire.core.errors import Conflict, NotAllowed
from ocrotire.core.jobs import jobs_expire
from ocrotire.core.models import AuditAction
from ocrotire.geo.models import Unit
from ocrotire.geo.services import PACKS_DIR
from ocrotire.registry import links
from ocrotire.registry.identifiers import NATIONAL_SCHEMES, identifier_label, identifier_normalise
from ocrotire.registry.models import (
    BirthDatePrecision,
    DedupRun,
    DuplicateCandidate,
    Household,
    HouseholdMember,
    Merge,
    NameKey,
    NotDuplicate,
    Person,
    PersonIdentifier,
    PersonStatus,
    Relationship,
    VulnerabilityCategory,
)
from ocrotire.registry.names import name_keys
from ocrotire.registry.permissions import (
    can_edit_record,
    can_review_duplicates,
    can_run_dedup,
    can_use_registry,
    covers_unit,
)

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
# Fields a reviewer chooses between when merging; the birth date travels with its precision.
MERGE_FIELDS = (
    "given_name",
    "family_name",
    "patronymic",
    "other_names",
    "sex",
    "birth_date",
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
_FIELD_GROUPS = {"birth_date": ("birth_date", "birth_date_precision", "birth_date_estimated")}


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
def person_create_for_report(*, actor: User, data: PersonInput, unit: Unit) -> Person:
    """A child named in a report by someone outside the registry (a school reporter): the record
    belongs to the unit the report is about, whoever filed it."""
    return _person_insert(actor=actor, data=data, scope_unit=unit)


def _person_insert(*, actor: User, data: PersonInput, scope_unit: Unit | None) -> Person:
    values = _person_values(data)
    if not values["given_name"] and not values["family_name"]:
        raise ValidationError({"family_name": _("Enter at least a given name or a family name.")})
    scope_unit = scope_unit or _responsible_unit(actor, data)
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


@transaction.atomic
def relationship_add(
    *,
    actor: User,
    person: Person,
    related: Person,
    kind: str,
    legal_representative: bool = False,
    notes: str = "",
) -> Relationship:
    if not (can_edit_record(actor, person) and can_use_registry(actor)):
        raise NotAllowed
    if person.pk == related.pk:
        raise ValidationError({"related": _("A person cannot be related to themselves.")})
    if Relationship.objects.filter(person=person, related=related, kind=kind).exists():
        raise ValidationError({"related": _("This relationship is already recorded.")})
    relationship = Relationship(
        person=person,
        related=related,
        kind=kind,
        legal_representative=legal_representative,
        notes=notes.strip(),
    )
    relationship.full_clean()
    relationship.save(force_insert=True)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=relationship,
        changes={
            "person": person.pk,
            "related": related.pk,
            "kind": kind,
            "legal_representative": legal_representative,
        },
    )
    return relationship


@transaction.atomic
def relationship_remove(*, actor: User, relationship: Relationship) -> None:
    if not can_edit_record(actor, relationship.person):
        raise NotAllowed
    audit_record(
        actor=actor,
        action=AuditAction.DELETE,
        obj=relationship,
        changes={
            "person": relationship.person_id,
            "related": relationship.related_id,
            "kind": relationship.kind,
        },
    )
    relationship.delete()


@transaction.atomic
def household_create(
    *, actor: User, name: str, unit: Unit | None, address: str = "", scope_unit: Unit | None = None
) -> Household:
    if not can_use_registry(actor):
        raise NotAllowed
    responsible = _responsible_unit(actor, PersonInput(unit=unit, scope_unit=scope_unit))
    household = Household(
        name=name.strip(), unit=unit, address=address.strip(), scope_unit=responsible
    )
    household.full_clean()
    household.save(force_insert=True)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=household,
        changes={
            "name": household.name,
            "unit": unit.code if unit else None,
            "scope_unit": responsible.code,
        },
    )
    return household


@transaction.atomic
def household_member_add(
    *, actor: User, household: Household, person: Person, role: str = "member"
) -> HouseholdMember:
    if not (can_edit_record(actor, household) and covers_unit(actor, person.scope_unit)):
        raise NotAllowed
    if HouseholdMember.objects.filter(household=household, person=person).exists():
        raise ValidationError({"person": _("This person is already a member of the household.")})
    member = HouseholdMember(household=household, person=person, role=role)
    member.full_clean()
    member.save(force_insert=True)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=household,
        changes={"member_added": person.pk, "role": role},
    )
    return member


@transaction.atomic
def household_member_remove(*, actor: User, member: HouseholdMember) -> None:
    if not can_edit_record(actor, member.household):
        raise NotAllowed
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=member.household,
        changes={"member_removed": member.person_id},
    )
    member.delete()


def _pair(a: Person, b: Person) -> tuple[Person, Person]:
    return (a, b) if a.pk < b.pk else (b, a)


@transaction.atomic
def not_duplicate_mark(
    *, actor: User, person_a: Person, person_b: Person, reason: str = ""
) -> NotDuplicate:
    """Remember that two records are different people, so the pair is never proposed again."""
    if not (
        can_review_duplicates(actor)
        and covers_unit(actor, person_a.scope_unit)
        and covers_unit(actor, person_b.scope_unit)
    ):
        raise NotAllowed
    if person_a.pk == person_b.pk:
        raise ValidationError({"person": _("Choose two different records.")})
    low, high = _pair(person_a, person_b)
    decision, created = NotDuplicate.objects.get_or_create(
        person_low=low,
        person_high=high,
        defaults={"decided_by": actor, "reason": reason.strip()[:300]},
    )
    DuplicateCandidate.objects.filter(person_low=low, person_high=high).update(
        status=DuplicateCandidate.Status.DISTINCT
    )
    if created:
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=decision,
            changes={"persons": [low.pk, high.pk], "reason": decision.reason},
        )
    return decision


def _repoint_relationships(
    *, source: Person, target: Person, side: str
) -> tuple[list[int], list[dict[str, Any]]]:
    """Point the source's relationships (as `side`) at the target; a relationship that would point at
    the target itself or repeat one it has is removed, and kept in the merge record for undo."""
    other = "related" if side == "person" else "person"
    kept: list[int] = []
    dropped: list[dict[str, Any]] = []
    for rel in Relationship.objects.filter(**{side: source}):
        other_id = getattr(rel, f"{other}_id")
        repeats = Relationship.objects.filter(
            **{side: target, f"{other}_id": other_id, "kind": rel.kind}
        ).exists()
        if other_id == target.pk or repeats:
            dropped.append(
                {
                    "id": rel.pk,
                    "person": rel.person_id,
                    "related": rel.related_id,
                    "kind": rel.kind,
                    "legal_representative": rel.legal_representative,
                    "notes": rel.notes,
                }
            )
            rel.delete()
        else:
            kept.append(rel.pk)
    Relationship.objects.filter(pk__in=kept).update(**{side: target})
    return kept, dropped


def _move_registry_links(source: Person, target: Person) -> dict[str, Any]:
    moved: dict[str, Any] = {}
    survivor_ids = {(i.scheme, i.value) for i in target.identifiers.filter(active=True)}
    moved_ids, deactivated = [], []
    for identifier in source.identifiers.filter(active=True):
        if (identifier.scheme, identifier.value) in survivor_ids:
            identifier.active = False
            identifier.save(update_fields=["active"])
            deactivated.append(identifier.pk)
        else:
            moved_ids.append(identifier.pk)
    PersonIdentifier.objects.filter(pk__in=moved_ids).update(person=target)
    moved["identifiers"], moved["identifiers_deactivated"] = moved_ids, deactivated
    # Relationships: re-point both directions, dropping ones that would duplicate or point at the survivor itself.
    rel_out, dropped_out = _repoint_relationships(source=source, target=target, side="person")
    rel_in, dropped_in = _repoint_relationships(source=source, target=target, side="related")
    moved["relationships_out"], moved["relationships_in"] = rel_out, rel_in
    moved["relationships_dropped"] = dropped_out + dropped_in
    members, members_dropped = [], []
    for member in HouseholdMember.objects.filter(person=source):
        if HouseholdMember.objects.filter(household_id=member.household_id, person=target).exists():
            members_dropped.append({"household": member.household_id, "role": member.role})
            member.delete()
        else:
            members.append(member.pk)
    HouseholdMember.objects.filter(pk__in=members).update(person=target)
    moved["household_members"], moved["household_members_dropped"] = members, members_dropped
    added = [
        v.pk
        for v in source.vulnerabilities.all()
        if not target.vulnerabilities.filter(pk=v.pk).exists()
    ]
    target.vulnerabilities.add(*added)
    moved["vulnerabilities_added"] = added
    return moved


def _move_registry_links_back(moved: dict[str, Any], source: Person, target: Person) -> None:
    PersonIdentifier.objects.filter(pk__in=moved.get("identifiers", [])).update(person=source)
    PersonIdentifier.objects.filter(pk__in=moved.get("identifiers_deactivated", [])).update(
        active=True
    )
    Relationship.objects.filter(pk__in=moved.get("relationships_out", [])).update(person=source)
    Relationship.objects.filter(pk__in=moved.get("relationships_in", [])).update(related=source)
    for rel in moved.get("relationships_dropped", []):
        Relationship.objects.create(
            person_id=rel["person"],
            related_id=rel["related"],
            kind=rel["kind"],
            legal_representative=rel["legal_representative"],
            notes=rel["notes"],
        )
    HouseholdMember.objects.filter(pk__in=moved.get("household_members", [])).update(person=source)
    for member in moved.get("household_members_dropped", []):
        HouseholdMember.objects.create(
            household_id=member["household"], person=source, role=member["role"]
        )
    target.vulnerabilities.remove(*moved.get("vulnerabilities_added", []))


@transaction.atomic
def person_merge(
    *, actor: User, survivor: Person, merged: Person, choices: dict[str, str] | None = None
) -> Merge:
    """Merge `merged` into `survivor`: the reviewer picks, field by field, whose value survives; every link
    moves to the survivor; the merged record is kept, archived, and the whole step can be undone."""
    if not (
        can_review_duplicates(actor)
        and can_edit_record(actor, survivor)
        and can_edit_record(actor, merged)
    ):
        raise NotAllowed
    if survivor.pk == merged.pk:
        raise ValidationError({"merged": _("Choose two different records.")})
    survivor = Person.objects.select_for_update().get(pk=survivor.pk)
    merged = Person.objects.select_for_update().get(pk=merged.pk)
    if survivor.status != PersonStatus.ACTIVE or merged.status != PersonStatus.ACTIVE:
        raise ValidationError({"merged": _("Only active records can be merged.")})
    choices = dict(choices or {})
    unknown = sorted(set(choices) - set(MERGE_FIELDS))
    bad = sorted(k for k, v in choices.items() if v not in ("survivor", "merged"))
    if unknown or bad:
        raise ValidationError(
            {
                "fields": _('Choose "survivor" or "merged" for these fields: %(fields)s.')
                % {"fields": ", ".join(unknown + bad)}
            }
        )
    survivor_national = {
        i.scheme: i.value
        for i in survivor.identifiers.filter(active=True)
        if i.scheme in NATIONAL_SCHEMES
    }
    for identifier in merged.identifiers.filter(active=True):
        if survivor_national.get(identifier.scheme, identifier.value) != identifier.value:
            raise ValidationError(
                {
                    "merged": _(
                        "The two records have different %(scheme)s numbers: they are two "
                        "people and cannot be merged."
                    )
                    % {"scheme": identifier_label(identifier.scheme)}
                }
            )
    before = _snapshot(survivor)
    for name, side in choices.items():
        if side == "merged":
            for attribute in _FIELD_GROUPS.get(name, (name,)):
                source_attribute = "unit_id" if attribute == "unit" else attribute
                setattr(survivor, source_attribute, getattr(merged, source_attribute))
    survivor.birth_year = survivor.birth_date.year if survivor.birth_date else None
    survivor.full_clean(exclude=["created_by"])
    survivor.version = F("version") + 1
    survivor.save()
    survivor.refresh_from_db()
    moved: dict[str, Any] = {"registry": _move_registry_links(merged, survivor)}
    for mover in links.LINK_MOVERS:
        moved[mover.name] = mover.move(merged.pk, survivor.pk)
    Person.objects.filter(pk=merged.pk).update(
        status=PersonStatus.MERGED, merged_into=survivor, version=F("version") + 1
    )
    name_keys_refresh(survivor)
    NameKey.objects.filter(person=merged).delete()
    low, high = _pair(survivor, merged)
    DuplicateCandidate.objects.filter(person_low=low, person_high=high).update(
        status=DuplicateCandidate.Status.MERGED
    )
    record = Merge.objects.create(
        survivor=survivor,
        merged=merged,
        merged_by=actor,
        survivor_before=before,
        survivor_version_after=survivor.version,
        moved=moved,
    )
    changes = {
        "merge": record.pk,
        "merged": merged.pk,
        "fields": dict(choices.items()),
        "moved": json.loads(json.dumps(moved)),
    }
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=survivor, changes=changes)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=merged,
        changes={"status": ["active", "merged"], "merged_into": survivor.pk, "merge": record.pk},
    )
    return record


@transaction.atomic
def merge_undo(*, actor: User, merge: Merge) -> Merge:
    """Put both records back exactly as they were before the merge."""
    record = Merge.objects.select_for_update().get(pk=merge.pk)
    survivor = Person.objects.select_for_update().get(pk=record.survivor_id)
    merged = Person.objects.select_for_update().get(pk=record.merged_id)
    if not (
        can_review_duplicates(actor)
        and can_edit_record(actor, survivor)
        and can_edit_record(actor, merged)
    ):
        raise NotAllowed
    if record.undone_at is not None:
        raise ValidationError({"merge": _("This merge was already undone.")})
    if survivor.version != record.survivor_version_after:
        raise Conflict
    for name, value in record.survivor_before.items():
        attribute = "unit_id" if name == "unit" else name
        setattr(
            survivor,
            attribute,
            date.fromisoformat(value) if name == "birth_date" and value else value,
        )
    survivor.birth_year = survivor.birth_date.year if survivor.birth_date else None
    survivor.version = F("version") + 1
    survivor.save()
    survivor.refresh_from_db()
    _move_registry_links_back(record.moved.get("registry", {}), merged, survivor)
    for mover in links.LINK_MOVERS:
        mover.move_back(record.moved.get(mover.name, []), merged.pk)
    Person.objects.filter(pk=merged.pk).update(
        status=PersonStatus.ACTIVE, merged_into=None, version=F("version") + 1
    )
    merged.refresh_from_db()
    name_keys_refresh(survivor)
    name_keys_refresh(merged)
    low, high = _pair(survivor, merged)
    DuplicateCandidate.objects.filter(person_low=low, person_high=high).update(
        status=DuplicateCandidate.Status.OPEN
    )
    record.undone_at = timezone.now()
    record.undone_by = actor
    record.save(update_fields=["undone_at", "undone_by"])
    audit_record(
        actor=actor, action=AuditAction.UPDATE, obj=survivor, changes={"merge_undone": record.pk}
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=merged,
        changes={"status": ["merged", "active"], "merge_undone": record.pk},
    )
    return record


@transaction.atomic
def vulnerabilities_load(*, country: str, actor: User | None = None) -> int:
    """Load a country pack's vulnerability categories; returns how many were created. Only real
    changes are written and audited, so loading again changes nothing."""
    path = PACKS_DIR / country.lower() / "vulnerabilities.json"
    if not path.is_file():
        return 0
    data = json.loads(path.read_text(encoding="utf-8"))
    created = 0
    for row in data["categories"]:
        values = {
            "section": row.get("section", ""),
            "names": row["names"],
            "legal_reference": data.get("legal_reference", ""),
            "verified": data.get("verified", False),
        }
        category = VulnerabilityCategory.objects.filter(
            country=data["country"], code=row["code"]
        ).first()
        if category is None:
            category = VulnerabilityCategory.objects.create(
                country=data["country"], code=row["code"], **values
            )
            audit_record(actor=actor, action=AuditAction.CREATE, obj=category, changes=values)
            created += 1
            continue
        before = {name: getattr(category, name) for name in values}
        for name, value in values.items():
            setattr(category, name, value)
        changed = diff(category, before, values.keys())
        if changed:
            category.save(update_fields=list(changed))
            audit_record(actor=actor, action=AuditAction.UPDATE, obj=category, changes=changed)
    return created


def dedup_runs_expire(*, now: datetime | None = None) -> int:
    """Mark failed the de-duplication runs whose worker is gone; run by the deadline watcher and
    before a new run is queued. Returns how many."""
    return jobs_expire(DedupRun, error="the run was not finished: its worker stopped", now=now)


@transaction.atomic
def dedup_run_start(*, actor: User) -> DedupRun:
    """Queue a registry-wide de-duplication; while one is queued or running, that one is returned,
    unless its worker is gone (no beat for the heartbeat timeout): that one is marked failed
    first, and the new run starts."""
    if not can_run_dedup(actor):
        raise NotAllowed
    dedup_runs_expire()
    active = (
        DedupRun.objects.select_for_update()
        .filter(status__in=[DedupRun.Status.QUEUED, DedupRun.Status.RUNNING])
        .first()
    )
    if active is not None:
        return active
    run = DedupRun.objects.create(started_by=actor)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=run)
    from ocrotire.registry.tasks import dedup_run_execute

    transaction.on_commit(lambda: dedup_run_execute.enqueue(run.pk))
    return run
