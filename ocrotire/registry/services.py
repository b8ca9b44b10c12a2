"""Writes to the registry: relationships, households and the vulnerability catalogue. A person's
record is written in persons.py, duplicates and merges in duplicates.py; their writes are offered
here too, so that `services` stays the one door to every write of the registry."""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from ocrotire.accounts.models import User
from ocrotire.core.audit import audit_record, diff
from ocrotire.core.errors import Conflict, NotAllowed
from ocrotire.core.models import AuditAction
from ocrotire.geo.models import Unit
from ocrotire.geo.services import PACKS_DIR
from ocrotire.registry.duplicates import MERGE_FIELDS as MERGE_FIELDS
from ocrotire.registry.duplicates import dedup_run_start as dedup_run_start
from ocrotire.registry.duplicates import dedup_runs_expire as dedup_runs_expire
from ocrotire.registry.duplicates import merge_undo as merge_undo
from ocrotire.registry.duplicates import not_duplicate_mark as not_duplicate_mark
from ocrotire.registry.duplicates import person_merge as person_merge
from ocrotire.registry.models import (
    Household,
    HouseholdMember,
    Person,
    Relationship,
    VulnerabilityCategory,
)
from ocrotire.registry.permissions import can_edit_record, can_use_registry, covers_unit
from ocrotire.registry.persons import PERSON_FIELDS as PERSON_FIELDS
from ocrotire.registry.persons import PersonInput as PersonInput
from ocrotire.registry.persons import _responsible_unit
from ocrotire.registry.persons import name_keys_refresh as name_keys_refresh
from ocrotire.registry.persons import person_archive as person_archive
from ocrotire.registry.persons import person_create as person_create
from ocrotire.registry.persons import person_create_for_report as person_create_for_report
from ocrotire.registry.persons import person_update as person_update
from ocrotire.registry.persons import person_view_record as person_view_record


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


HOUSEHOLD_FIELDS = ("name", "address")


@transaction.atomic
def household_update(
    *, actor: User, household: Household, version: int, data: dict[str, str]
) -> Household:
    """A household's name or address, based on `version`: one conditional UPDATE, so a newer
    version is a Conflict and nothing is written (a device that worked offline sends it)."""
    if not can_edit_record(actor, household):
        raise NotAllowed
    cleaned = {name: str(data[name]).strip() for name in HOUSEHOLD_FIELDS if name in data}
    before = {name: getattr(household, name) for name in HOUSEHOLD_FIELDS}
    written = Household.objects.filter(pk=household.pk, version=version).update(
        **cleaned, version=F("version") + 1
    )
    if not written:
        raise Conflict
    household.refresh_from_db()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=household,
        changes={**diff(household, before, HOUSEHOLD_FIELDS), "version": household.version},
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
