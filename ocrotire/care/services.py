"""Placements: start (a child never has two active placements) and end, audited, on the case's
timeline, with the review dates of the country's rules."""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ocrotire.accounts.models import User
from ocrotire.care.models import (
    InstitutionChange,
    InstitutionChangeKind,
    Placement,
    PlacementEnd,
    PlacementForm,
)
from ocrotire.care.permissions import can_place, can_record_institution_change
from ocrotire.cases.models import Case, Stage
from ocrotire.core.audit import audit_record
from ocrotire.core.bounds import validate_past_moment
from ocrotire.core.errors import Conflict, NotAllowed
from ocrotire.core.models import AuditAction
from ocrotire.providers.models import ServiceGroup, ServicePoint
from ocrotire.registry.models import Person, PersonStatus
from ocrotire.workflow.deadlines import event_fire

# The longest note kept at the end of a placement (as the API's field); longer is refused, not cut.
NOTE_LIMIT = 4000


def _not_future(value: datetime, field: str) -> None:
    """Since 1990 and not later than now (the name says the common case)."""
    try:
        validate_past_moment(value)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from exc


@transaction.atomic
def placement_start(
    *,
    actor: User,
    child: Person,
    form: str,
    started_at: datetime,
    case: Case | None = None,
    emergency: bool = False,
    national_type: str = "",
    decision_reference: str = "",
    decision_date: date | None = None,
    carer_name: str = "",
    facility: ServicePoint | None = None,
) -> Placement:
    if not can_place(actor, child, case):
        raise NotAllowed
    if form not in PlacementForm.values:
        raise ValidationError({"form": _("Choose a form of care.")})
    if child.status != PersonStatus.ACTIVE:
        raise ValidationError({"child": _("This record was merged or archived.")})
    if case is not None and case.child_id != child.pk:
        raise ValidationError({"case": _("This case is about another child.")})
    if case is not None and case.stage == Stage.CLOSED:
        raise ValidationError(
            {"case": _("This case is closed: a new placement needs an open case.")}
        )
    _not_future(started_at, "started_at")
    if not carer_name.strip() and facility is None:
        raise ValidationError({"carer_name": _("Name the carer or choose the facility.")})
    if facility is not None and not (
        facility.service_type.care_form or facility.service_type.group == ServiceGroup.RESIDENTIAL
    ):
        raise ValidationError({"facility": _("This service does not take children into care.")})
    if facility is not None:
        # Locked as a closure locks it: a placement and a closure of the same institution never
        # pass each other. Closed now or at the start means no placement, even a backdated one.
        facility = (
            ServicePoint.objects.select_for_update().select_related("provider").get(pk=facility.pk)
        )
        today = timezone.localdate()
        if not facility.open_on(timezone.localdate(started_at)) or not facility.open_on(today):
            raise ValidationError(
                {"facility": _("This facility takes no placements on that date.")}
            )
    active = (
        Placement.objects.select_for_update().filter(child=child, ended_at__isnull=True).first()
    )
    if active is not None:
        raise ValidationError(
            {
                "child": _(
                    "This child already has an active placement (%(form)s since %(date)s): end it "
                    "first."
                )
                % {
                    "form": active.get_form_display(),
                    "date": timezone.localdate(active.started_at).isoformat(),
                }
            }
        )
    placement = Placement(
        child=child,
        case=case,
        form=form,
        national_type=national_type.strip(),
        emergency=emergency,
        decision_reference=decision_reference.strip(),
        decision_date=decision_date,
        carer_name=carer_name.strip(),
        facility=facility,
        started_at=started_at,
        created_by=actor,
    )
    placement.full_clean(exclude=["child", "case", "facility", "created_by"])
    try:
        with transaction.atomic():
            placement.save(force_insert=True)
    except IntegrityError as exc:
        # Another placement of the same child was recorded at the same moment.
        raise ValidationError(
            {"child": _("This child already has an active placement: end it first.")}
        ) from exc
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=placement,
        changes={
            "child": child.pk,
            "case": case.pk if case else None,
            "form": form,
            "emergency": emergency,
            "decision_reference": placement.decision_reference,
            "facility": facility.pk if facility else None,
            "started_at": started_at,
        },
    )
    if case is not None:
        _event, tasks = event_fire(
            actor=actor,
            kind="placement_started",
            at=started_at,
            case=case,
            context={"form": form, "emergency": emergency},
            data={"placement": placement.pk, "form": form, "emergency": emergency},
        )
        review = next((t for t in tasks if t.kind == "placement_review"), None)
        if review is not None:
            Placement.objects.filter(pk=placement.pk).update(next_review_at=review.due_at)
            placement.next_review_at = review.due_at
    return placement


@transaction.atomic
def placement_end(
    *,
    actor: User,
    placement: Placement,
    version: int,
    end_reason: str,
    ended_at: datetime | None = None,
    note: str = "",
) -> Placement:
    if not can_place(actor, placement.child, placement.case):
        raise NotAllowed
    if len(note.strip()) > NOTE_LIMIT:
        raise ValidationError({"note": _("At most %(limit)s characters.") % {"limit": NOTE_LIMIT}})
    locked = Placement.objects.select_for_update().get(pk=placement.pk)
    if locked.version != version:
        raise Conflict
    if locked.ended_at is not None:
        raise ValidationError({"ended_at": _("This placement has already ended.")})
    if end_reason not in PlacementEnd.values:
        raise ValidationError({"end_reason": _("Choose why the placement ends.")})
    when = ended_at or timezone.now()
    _not_future(when, "ended_at")
    if when < locked.started_at:
        raise ValidationError({"ended_at": _("A placement cannot end before it started.")})
    Placement.objects.filter(pk=locked.pk).update(
        ended_at=when, end_reason=end_reason, end_note=note.strip(), version=F("version") + 1
    )
    locked.refresh_from_db()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        changes={"ended_at": when, "end_reason": end_reason, "note": note.strip()},
    )
    if locked.case is not None:
        from ocrotire.workflow.deadlines import tasks_cancel

        tasks_cancel(case=locked.case, kinds=["placement_review"])
        event_fire(
            actor=actor,
            kind="placement_ended",
            # The legal cap of an emergency placement is met when the placement ends.
            meets=("emergency_placement_closed",) if locked.emergency else (),
            at=when,
            case=locked.case,
            data={"placement": locked.pk, "form": locked.form, "end_reason": end_reason},
        )
    return locked


def residents(facility: ServicePoint, at: datetime | None = None) -> int:
    """Children whose placement in the facility covers `at` (now by default)."""
    at = at or timezone.now()
    return (
        Placement.objects.filter(facility=facility, started_at__lte=at)
        .exclude(ended_at__lte=at)
        .count()
    )


@transaction.atomic
def institution_change_record(
    *,
    actor: User,
    facility: ServicePoint,
    kind: str,
    decision_reference: str,
    decided_on: date,
    effective_on: date,
    successors: list[ServicePoint] | tuple[ServicePoint, ...] = (),
    note: str = "",
) -> InstitutionChange:
    """Record that a residential institution is reorganised (its successors take over) or
    closed from `effective_on`. The facility stops taking placements that day; a change that
    takes effect today or earlier is refused while children still live there."""
    if not can_record_institution_change(actor, facility):
        raise NotAllowed
    locked = (
        ServicePoint.objects.select_for_update().select_related("service_type").get(pk=facility.pk)
    )
    errors: dict[str, str] = {}
    if locked.service_type.group != ServiceGroup.RESIDENTIAL:
        errors["facility"] = _("Only residential care is reorganised or closed here.")
    elif InstitutionChange.objects.filter(facility=locked).exists():
        errors["facility"] = _("A reorganisation or closure of this institution is recorded.")
    if kind not in InstitutionChangeKind.values:
        errors["kind"] = _("Choose whether the institution is reorganised or closed.")
    if not decision_reference.strip():
        errors["decision_reference"] = _("Give the reference of the decision.")
    today = timezone.localdate()
    if decided_on > today:
        errors["decided_on"] = _("This date cannot be in the future.")
    if effective_on < decided_on:
        errors["effective_on"] = _("The change cannot take effect before it was decided.")
    if kind == InstitutionChangeKind.REORGANISED and not successors:
        errors["successors"] = _("Name the services that replace the institution.")
    for point in successors:
        if point.pk == locked.pk or point.unit.country != locked.unit.country:
            errors["successors"] = _(
                "A service that replaces the institution must be another "
                "service of the same country."
            )
    if len(note) > 4000:
        errors["note"] = _("Write at most 4,000 characters.")
    if not errors and effective_on <= today:
        still = residents(locked, at=timezone.now())
        if still:
            errors["effective_on"] = ngettext(
                "%(count)d child still lives in this institution: move the child to family or "
                "community care first, or give a later date.",
                "%(count)d children still live in this institution: move them to family or "
                "community care first, or give a later date.",
                still,
            ) % {"count": still}
    if errors:
        raise ValidationError(errors)
    change = InstitutionChange.objects.create(
        facility=locked,
        kind=kind,
        decision_reference=decision_reference.strip(),
        decided_on=decided_on,
        effective_on=effective_on,
        note=note.strip(),
        created_by=actor,
    )
    change.successors.set(successors)
    ServicePoint.objects.filter(pk=locked.pk).update(
        closed_on=effective_on, version=F("version") + 1
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=change,
        changes={
            "facility": locked.pk,
            "kind": kind,
            "decision_reference": change.decision_reference,
            "decided_on": decided_on,
            "effective_on": effective_on,
            "successors": [p.pk for p in successors],
        },
    )
    return change
