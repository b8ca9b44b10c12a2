"""Writes about duplicates: a pair marked distinct, merge and its undo, the de-duplication run."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from ocrotire.accounts.models import User
from ocrotire.core.audit import audit_record
from ocrotire.core.errors import Conflict, NotAllowed
from ocrotire.core.jobs import jobs_expire
from ocrotire.core.models import AuditAction
from ocrotire.registry import links
from ocrotire.registry.identifiers import NATIONAL_SCHEMES, identifier_label
from ocrotire.registry.models import (
    DedupRun,
    DuplicateCandidate,
    HouseholdMember,
    Merge,
    NameKey,
    NotDuplicate,
    Person,
    PersonIdentifier,
    PersonStatus,
    Relationship,
)
from ocrotire.registry.permissions import (
    can_edit_record,
    can_review_duplicates,
    can_run_dedup,
    covers_unit,
)
from ocrotire.registry.persons import _snapshot, name_keys_refresh

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
