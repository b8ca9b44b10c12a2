"""Placements: start (a child never has two active placements; a planned one needs the decision
of the country's gatekeeping commission or of a court), decide later (an emergency placement
turns planned), review and end, audited, on the case's timeline, with the review dates of the
country's rules."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ocrotire.accounts.models import User
from ocrotire.care.models import (
    DecisionBy,
    DecisionOutcome,
    Gatekeeper,
    InstitutionChange,
    InstitutionChangeKind,
    Placement,
    PlacementEnd,
    PlacementForm,
    PlacementReview,
    ReviewOutcome,
)
from ocrotire.care.permissions import can_place, can_record_institution_change
from ocrotire.cases.models import Case, Stage
from ocrotire.core.audit import audit_record
from ocrotire.core.bounds import validate_past_moment
from ocrotire.core.errors import Conflict, NotAllowed
from ocrotire.core.models import AuditAction
from ocrotire.geo.services import PACKS_DIR
from ocrotire.providers.models import ServiceGroup, ServicePoint
from ocrotire.registry.models import Person, PersonStatus
from ocrotire.workflow.deadlines import event_fire, tasks_cancel
from ocrotire.workflow.models import CancelCause

# The longest note kept at the end of a placement (as the API's field); longer is refused, not cut.
NOTE_LIMIT = 4000
# The events of a placement whose rules' tasks end with it.
PLACEMENT_ANCHORS = ("placement_started", "placement_reviewed", "placement_decided")


@dataclass(frozen=True)
class Decision:
    """The decision a planned placement rests on: the country's gatekeeping commission (its
    number, date and outcome) or a court (its name, number and date)."""

    by: str = ""
    body: str = ""
    reference: str = ""
    on: date | None = None
    outcome: str = ""

    def __post_init__(self) -> None:
        # Blanks around a name or a number are not a name or a number, whoever sends them.
        object.__setattr__(self, "body", self.body.strip())
        object.__setattr__(self, "reference", self.reference.strip())


def child_country(child: Person, case: Case | None) -> str:
    if case is not None:
        return case.unit.country
    unit = getattr(child, "scope_unit", None)
    return unit.country if unit is not None else ""


def gatekeeper_of(country: str) -> Gatekeeper | None:
    return Gatekeeper.objects.filter(country=country.upper()).first()


def decision_check(decision: Decision, *, country: str, required: bool) -> Gatekeeper | None:
    """Refuses, naming the field, a planned placement without the decision it needs, and a
    decision given but incomplete. Returns the gatekeeping body when it decided."""
    if not required and not decision.by:
        return None
    errors: dict[str, str] = {}
    gatekeeper = None
    if decision.by not in DecisionBy.values:
        errors["decision_by"] = _(
            "A planned placement needs the decision of the gatekeeping commission or of a "
            "court: say which decided, or mark the placement as an emergency."
        )
    elif decision.by == DecisionBy.GATEKEEPER:
        gatekeeper = gatekeeper_of(country)
        if gatekeeper is None:
            errors["decision_by"] = _(
                "No gatekeeping commission is known for this country: record the court's decision."
            )
        if decision.outcome != DecisionOutcome.APPROVED:
            errors["decision_outcome"] = _(
                "Only a decision that approves the placement allows it: give the approving "
                "decision."
            )
    else:
        if not decision.body:
            errors["decision_body"] = _("Name the court that decided the placement.")
        if decision.outcome not in ("", DecisionOutcome.APPROVED):
            errors["decision_outcome"] = _(
                "Only a decision that approves the placement allows it: give the approving "
                "decision."
            )
    if decision.by in DecisionBy.values:
        if not decision.reference:
            errors["decision_reference"] = _("Give the number of the decision.")
        if decision.on is None:
            errors["decision_date"] = _("Give the date of the decision.")
        elif decision.on > timezone.localdate():
            errors["decision_date"] = _("This date cannot be in the future.")
    if errors:
        raise ValidationError(errors)
    return gatekeeper


def gatekeeper_load(*, country: str, actor: User | None = None) -> int:
    """A country's gatekeeping body from its pack (`care.json`); loading again changes nothing.
    Returns how many rows were created or changed."""
    path = PACKS_DIR / country.lower() / "care.json"
    if not path.is_file():
        return 0
    row: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))["gatekeeper"]
    values = {
        "code": row["code"],
        "names": row["names"],
        "legal_reference": row.get("legal_reference", ""),
        "verified": row.get("verified", False),
        "note": row.get("note", ""),
    }
    code = country.upper()
    current = Gatekeeper.objects.filter(country=code).first()
    if current is None:
        created = Gatekeeper(country=code, **values)
        created.full_clean()
        created.save(force_insert=True)
        audit_record(actor=actor, action=AuditAction.CREATE, obj=created, changes=values)
        return 1
    if all(getattr(current, k) == v for k, v in values.items()):
        return 0
    Gatekeeper.objects.filter(pk=current.pk).update(**values)
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=current, changes=values)
    return 1


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
    decision_by: str = "",
    decision_body: str = "",
    decision_outcome: str = "",
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
    # Gatekeeping: a planned placement rests on the commission's or a court's decision.
    decision = Decision(
        by=decision_by,
        body=decision_body,
        reference=decision_reference,
        on=decision_date,
        outcome=decision_outcome,
    )
    if emergency and decision.by:
        # An emergency placement is one made before any decision, and the alarm of its legal cap
        # runs until the decision turns it planned: both at once would leave that alarm running.
        raise ValidationError(
            {
                "decision_by": _(
                    "An emergency placement has no decision yet: record the decision on the "
                    "placement once it is given, or do not mark the placement as an emergency."
                )
            }
        )
    gatekeeper = decision_check(
        decision, country=child_country(child, case), required=not emergency
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
        decision_reference=decision.reference,
        decision_date=decision_date,
        decision_by=decision.by,
        gatekeeper=gatekeeper,
        decision_body=decision.body if decision.by == DecisionBy.COURT else "",
        decision_outcome=DecisionOutcome.APPROVED if decision.by else "",
        carer_name=carer_name.strip(),
        facility=facility,
        started_at=started_at,
        created_by=actor,
    )
    placement.full_clean(exclude=["child", "case", "facility", "created_by", "gatekeeper"])
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
            "decision_by": placement.decision_by,
            "decision_body": placement.decision_body,
            "decision_outcome": placement.decision_outcome,
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
        event_fire(
            actor=actor,
            kind="placement_ended",
            # The legal cap of an emergency placement is met when the placement ends.
            meets=("emergency_placement_closed",) if locked.emergency else (),
            at=when,
            case=locked.case,
            data={"placement": locked.pk, "form": locked.form, "end_reason": end_reason},
        )
        # Then what the end made unnecessary: the reviews, the commission's decision, any other
        # deadline the placement started (after the event, so that what it meets is done).
        tasks_cancel(
            case=locked.case, anchors=list(PLACEMENT_ANCHORS), cause=CancelCause.PLACEMENT_ENDED
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


def _locked(actor: User, placement: Placement, version: int) -> Placement:
    if not can_place(actor, placement.child, placement.case):
        raise NotAllowed
    locked = (
        Placement.objects.select_for_update(of=("self",))
        .select_related("case", "case__unit", "child")
        .get(pk=placement.pk)
    )
    if locked.version != version:
        raise Conflict
    if locked.ended_at is not None:
        raise ValidationError({"placement": _("This placement has already ended.")})
    return locked


@transaction.atomic
def placement_decide(
    *, actor: User, placement: Placement, version: int, decision: Decision
) -> Placement:
    """The gatekeeping commission's (or a court's) decision recorded on an active placement that
    has none: an emergency placement becomes planned, and `placement_decided` meets the deadline
    of the decision (and may anchor other rules)."""
    locked = _locked(actor, placement, version)
    if locked.decision_by:
        raise ValidationError({"decision_by": _("This placement already has its decision.")})
    gatekeeper = decision_check(
        decision, country=child_country(locked.child, locked.case), required=True
    )
    was_emergency = locked.emergency
    values: dict[str, Any] = {
        "emergency": False,
        "decision_by": decision.by,
        "gatekeeper": gatekeeper,
        "decision_body": decision.body if decision.by == DecisionBy.COURT else "",
        "decision_reference": decision.reference,
        "decision_date": decision.on,
        "decision_outcome": DecisionOutcome.APPROVED,
    }
    Placement.objects.filter(pk=locked.pk).update(**values, version=F("version") + 1)
    locked.refresh_from_db()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        changes={
            **{k: v for k, v in values.items() if k != "gatekeeper"},
            "gatekeeper": gatekeeper.pk if gatekeeper else None,
            "emergency": [was_emergency, False],
        },
    )
    if locked.case is not None:
        event_fire(
            actor=actor,
            kind="placement_decided",
            at=timezone.now(),
            case=locked.case,
            context={"was_emergency": was_emergency, "decision_by": decision.by},
            # An emergency placement made planned: the alarm of its legal cap stops.
            meets=("emergency_placement_closed",) if was_emergency else (),
            data={
                "placement": locked.pk,
                "form": locked.form,
                "decision_by": decision.by,
                "reference": decision.reference,
                "was_emergency": was_emergency,
            },
        )
    return locked


@transaction.atomic
def placement_review_record(
    *,
    actor: User,
    placement: Placement,
    version: int,
    outcome: str,
    note: str,
    reviewed_at: datetime | None = None,
    end_reason: str = "",
) -> Placement:
    """The periodic review of a placement: it meets the review task (`placement_reviewed`), the
    country's rules schedule the next one, which moves the placement's next review date; a review
    that ends the placement ends it, with its reason."""
    locked = _locked(actor, placement, version)
    errors: dict[str, str] = {}
    if outcome not in ReviewOutcome.values:
        errors["outcome"] = _("Choose the outcome of the review.")
    if not note.strip():
        errors["note"] = _("Write what the review found.")
    elif len(note.strip()) > NOTE_LIMIT:
        errors["note"] = _("At most %(limit)s characters.") % {"limit": NOTE_LIMIT}
    if outcome == ReviewOutcome.END and end_reason not in PlacementEnd.values:
        errors["end_reason"] = _("Choose why the placement ends.")
    when = reviewed_at or timezone.now()
    _not_future(when, "reviewed_at")
    if when < locked.started_at:
        errors["reviewed_at"] = _("A review cannot come before the placement started.")
    if errors:
        raise ValidationError(errors)
    review = PlacementReview.objects.create(
        placement=locked, reviewed_at=when, outcome=outcome, note=note.strip(), author=actor
    )
    Placement.objects.filter(pk=locked.pk).update(version=F("version") + 1)
    locked.refresh_from_db()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        changes={"review": review.pk, "outcome": outcome, "reviewed_at": when},
    )
    if locked.case is not None:
        _event, tasks = event_fire(
            actor=actor,
            kind="placement_reviewed",
            at=when,
            case=locked.case,
            context={"outcome": outcome, "form": locked.form},
            data={"placement": locked.pk, "form": locked.form, "outcome": outcome},
        )
        following = next((t for t in tasks if t.kind == "placement_review_next"), None)
        next_review = following.due_at if following is not None else None
        Placement.objects.filter(pk=locked.pk).update(next_review_at=next_review)
        locked.next_review_at = next_review
    if outcome == ReviewOutcome.END:
        return placement_end(
            actor=actor,
            placement=locked,
            version=locked.version,
            end_reason=end_reason,
            ended_at=when,
            note=note,
        )
    return locked
