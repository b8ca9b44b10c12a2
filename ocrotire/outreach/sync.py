"""The changes a worker's device sends after working without network (F8, issue 22): each is
applied once by its `client_id`, in a transaction (a savepoint) of its own; one based on an old
version is kept beside the server's value as a conflict, for the worker to settle or discard.

A change is `{client_id, object: {type, id}, base_version, fields}`; its answer is `applied`
(with the object's new value), `conflict` (with the server's value, nothing written) or
`rejected` (with field messages). The answer is stored in `SyncChange` with the change, so the
same `client_id` again — a replayed batch, or the same batch sent twice at the same moment — gets
the same answer and changes nothing. The writes go through the services that own them
(`screening`), which check the scope and write the audit rows."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from ocrotire.accounts.models import User
from ocrotire.core.audit import audit_record
from ocrotire.core.errors import Conflict, Invalid, NotAllowed, NotFound
from ocrotire.core.models import AuditAction
from ocrotire.outreach.models import FollowUp, Screening, SyncChange, SyncOutcome
from ocrotire.outreach.package import DeliveryInput, delivery_record
from ocrotire.outreach.permissions import can_sync, covers_household
from ocrotire.outreach.screening import (
    follow_up_visit,
    place_of,
    screening_record,
    screening_update,
)
from ocrotire.providers.models import ServiceType
from ocrotire.registry.models import Household, Person
from ocrotire.registry.services import household_update

BATCH_LIMIT = 200
OBJECT_TYPES = ("household", "screening", "follow_up", "delivery")


@dataclass(frozen=True)
class Change:
    """One change as the API read it. `errors`, when given, are the messages of fields the API
    refused: the change is answered `rejected` with them (and kept, like any other answer)."""

    client_id: UUID
    object_type: str
    object_id: int | None
    base_version: int
    fields: dict[str, Any]
    settles: UUID | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)


def _not_found() -> dict[str, list[str]]:
    return {"object": [_("Not found.")]}


# --- the value of each object, as a device keeps it -----------------------------------------


def household_value(household: Household) -> dict[str, Any]:
    return {"name": household.name, "address": household.address, "version": household.version}


def screening_value(screening: Screening) -> dict[str, Any]:
    return {
        "household": screening.household_id,
        "answers": screening.answers,
        "flags": screening.flags,
        "screened_on": screening.screened_on.isoformat(),
        "version": screening.version,
    }


def follow_up_value(follow_up: FollowUp) -> dict[str, Any]:
    return {
        "screening": follow_up.screening_id,
        "child": follow_up.child_id,
        "kind": follow_up.kind,
        "visit_on": follow_up.visit_on.isoformat() if follow_up.visit_on else None,
        "note": follow_up.note,
        "version": 1,
    }


# --- the writes ------------------------------------------------------------------------------


def _household_for(actor: User, pk: Any) -> Household:
    """The household if it is in the actor's area; missing and elsewhere look the same."""
    household = (
        Household.objects.select_related("unit", "scope_unit").filter(pk=pk).first()
        if isinstance(pk, int)
        else None
    )
    if household is None or not covers_household(actor, household):
        raise NotFound
    return household


def _screening_for(actor: User, pk: Any) -> Screening:
    screening = (
        Screening.objects.select_related("household__unit", "household__scope_unit", "unit")
        .filter(pk=pk)
        .first()
        if isinstance(pk, int)
        else None
    )
    if screening is None or not covers_household(actor, screening.household):
        raise NotFound
    return screening


@transaction.atomic
def _household(actor: User, change: Change) -> tuple[int, dict[str, Any]]:
    if change.object_id is None:
        raise Invalid({"object": [_("Name the household to change.")]})
    household = _household_for(actor, change.object_id)
    household = household_update(
        actor=actor, household=household, version=change.base_version, data=change.fields
    )
    return household.pk, household_value(household)


def _screening(actor: User, change: Change) -> tuple[int, dict[str, Any]]:
    fields = change.fields
    screened_on: date | None = fields.get("screened_on")
    if change.object_id is None:
        try:
            household = _household_for(actor, fields.get("household"))
        except NotFound:
            raise Invalid({"household": [_("Not found.")]}) from None
        screening = screening_record(
            actor=actor, household=household, answers=fields["answers"], screened_on=screened_on
        )
    else:
        screening = screening_update(
            actor=actor,
            screening=_screening_for(actor, change.object_id),
            answers=fields["answers"],
            base_version=change.base_version,
            screened_on=screened_on,
        )
    return screening.pk, screening_value(screening)


def _follow_up(actor: User, change: Change) -> tuple[int, dict[str, Any]]:
    if change.object_id is not None:
        raise Invalid({"object": [_("A follow-up visit is only recorded once, not changed.")]})
    fields = change.fields
    try:
        screening = _screening_for(actor, fields.get("screening"))
    except NotFound:
        raise Invalid({"screening": [_("Not found.")]}) from None
    child = Person.objects.filter(pk=int(fields["child"])).first()
    if child is None:
        raise Invalid({"child": [_("Choose a child of this household.")]})
    follow_up = follow_up_visit(
        actor=actor,
        screening=screening,
        child=child,
        visit_on=fields["visit_on"],
        note=fields.get("note", ""),
    )
    return follow_up.pk, follow_up_value(follow_up)


def _delivery(actor: User, change: Change) -> tuple[int, dict[str, Any]]:
    """A service of a package given to a family, recorded once: the change's client_id names
    it (package.delivery_record answers the same record again)."""
    if change.object_id is not None:
        raise Invalid({"object": [_("A service given is only recorded once, not changed.")]})
    fields = change.fields
    household = _household_for(actor, fields.get("household"))
    # Codes repeat across countries' catalogues (`counselling` in Ukraine and Romania): the
    # service is the one of the household's country.
    service = ServiceType.objects.filter(
        country=place_of(household).country, code=fields.get("service"), active=True
    ).first()
    if service is None:
        raise Invalid({"service": [_("Unknown service.")]})
    delivery = delivery_record(
        actor=actor,
        household=household,
        data=DeliveryInput(
            service=service,
            delivered_on=fields["delivered_on"],
            minutes=int(fields["minutes"]),
            note=fields.get("note", ""),
            client_id=change.client_id,
        ),
    )
    return delivery.pk, {
        "household": delivery.household_id,
        "service": service.code,
        "delivered_on": delivery.delivered_on.isoformat(),
        "minutes": delivery.minutes,
        "note": delivery.note,
    }


APPLY: dict[str, Callable[[User, Change], tuple[int, dict[str, Any]]]] = {
    "household": _household,
    "screening": _screening,
    "follow_up": _follow_up,
    "delivery": _delivery,
}


def _server_value(actor: User, change: Change) -> dict[str, Any]:
    """The object as the server holds it, for a conflict (the scope was checked before)."""
    if change.object_type == "household":
        return household_value(_household_for(actor, change.object_id))
    return screening_value(_screening_for(actor, change.object_id))


# --- a batch ---------------------------------------------------------------------------------


def answer_of(row: SyncChange) -> dict[str, Any]:
    """The answer to a change, as stored (a replay gets it again)."""
    answer: dict[str, Any] = {
        "client_id": str(row.client_id),
        "outcome": row.outcome,
        "object": {"type": row.object_type, "id": row.object_id},
    }
    if row.outcome == SyncOutcome.APPLIED:
        answer["version"] = (row.server_value or {}).get("version")
    elif row.outcome == SyncOutcome.CONFLICT:
        answer["server"] = row.server_value
    else:
        answer["errors"] = row.errors or {}
    return answer


def _messages(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {key: [str(m) for m in value] for key, value in exc.message_dict.items()}
    return {"non_field_errors": [str(m) for m in exc.messages]}


def _someone_elses(change: Change) -> dict[str, Any]:
    """A client_id another user sent: refused, telling nothing of their change."""
    return {
        "client_id": str(change.client_id),
        "outcome": SyncOutcome.REJECTED,
        "object": {"type": change.object_type, "id": change.object_id},
        "errors": {"client_id": [_("This change cannot be accepted: send it with a new id.")]},
    }


def _replay(actor: User, row: SyncChange, change: Change) -> dict[str, Any]:
    return answer_of(row) if row.user_id == actor.pk else _someone_elses(change)


def _settled(actor: User, change: Change) -> SyncChange | None:
    """The open conflict of the actor that this change settles, or Invalid."""
    if change.settles is None:
        return None
    conflict = (
        open_conflicts(user=actor).select_for_update().filter(client_id=change.settles).first()
    )
    if conflict is None or (conflict.object_type, conflict.object_id) != (
        change.object_type,
        change.object_id,
    ):
        raise Invalid({"settles": [_("You have no open conflict of this object with this id.")]})
    return conflict


def _decide(actor: User, change: Change, row: SyncChange) -> None:
    """Apply the change in a savepoint and write its answer on `row`: a refusal undoes the
    change's own writes and nothing else."""
    try:
        if change.errors:
            raise Invalid(change.errors)
        with transaction.atomic():
            conflict = _settled(actor, change)
            row.object_id, row.server_value = APPLY[change.object_type](actor, change)
            row.outcome = SyncOutcome.APPLIED
            if conflict is not None:
                conflict.settled_at = timezone.now()
                conflict.settled_by = row
                conflict.save(update_fields=["settled_at", "settled_by"])
    except Conflict:
        row.outcome = SyncOutcome.CONFLICT
        row.server_value = _server_value(actor, change)
    except (NotFound, Http404):
        row.outcome, row.errors = SyncOutcome.REJECTED, _not_found()
    except (NotAllowed, PermissionDenied) as exc:
        reason = getattr(exc, "reason", None)
        row.outcome = SyncOutcome.REJECTED
        row.errors = {"object": [str(reason or _("You may not make this change."))]}
    except ValidationError as exc:
        row.outcome, row.errors = SyncOutcome.REJECTED, _messages(exc)


def _one(actor: User, change: Change) -> dict[str, Any]:
    try:
        with transaction.atomic():
            stored = SyncChange.objects.filter(client_id=change.client_id).first()
            if stored is not None:
                return _replay(actor, stored, change)
            row = SyncChange(
                client_id=change.client_id,
                user=actor,
                object_type=change.object_type,
                object_id=change.object_id,
                base_version=change.base_version,
                fields=_jsonable(change.fields),
                outcome=SyncOutcome.REJECTED,
            )
            # Claims the client_id first: the same change arriving at the same moment waits
            # here for this one's commit, then fails on the unique id and reads its answer.
            row.save(force_insert=True)
            _decide(actor, change, row)
            row.save()
            return answer_of(row)
    except IntegrityError:
        stored = SyncChange.objects.filter(client_id=change.client_id).first()
        if stored is None:
            raise
        return _replay(actor, stored, change)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def sync_batch(*, actor: User, changes: Iterable[Change]) -> list[dict[str, Any]]:
    """Every change of a device's batch, in the order sent, each in its own transaction: one
    refused never undoes another. Answers one answer per change."""
    if not can_sync(actor):
        raise NotAllowed
    listed = list(changes)
    if len(listed) > BATCH_LIMIT:
        raise Invalid({"changes": [_("Send at most 200 changes at a time.")]})
    return [_one(actor, change) for change in listed]


# --- conflicts -------------------------------------------------------------------------------


def open_conflicts(*, user: User) -> QuerySet[SyncChange]:
    """The user's conflicts not yet settled or discarded, oldest first."""
    return SyncChange.objects.filter(
        user=user, outcome=SyncOutcome.CONFLICT, settled_at__isnull=True
    ).order_by("received_at", "id")


@transaction.atomic
def sync_conflict_discard(*, actor: User, client_id: UUID) -> SyncChange:
    """The worker keeps the server's value: the device's change is set aside (its row stays)."""
    conflict = open_conflicts(user=actor).select_for_update().filter(client_id=client_id).first()
    if conflict is None:
        raise NotFound
    conflict.settled_at = timezone.now()
    conflict.save(update_fields=["settled_at"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=conflict,
        changes={"discarded": True, "object_type": conflict.object_type},
    )
    return conflict
