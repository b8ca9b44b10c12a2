"""Writing plans: importing an action plan (the Word table's text, or the plan's Excel workbook)
as a strategy with its tree, indicators, targets and money; progress and indicator values from
the responsible institutions. Everything an import could not read becomes an `ImportIssue`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from ocrotire.accounts.models import Institution, User
from ocrotire.core.audit import audit_record
from ocrotire.core.errors import Conflict, NotAllowed
from ocrotire.core.files import check_upload
from ocrotire.core.models import AuditAction
from ocrotire.geo.models import Unit
from ocrotire.planning import parsing
from ocrotire.planning.computations import COMPUTATIONS, suggest
from ocrotire.planning.models import (
    Comparator,
    DeadlineKind,
    Evidence,
    Funding,
    ImportIssue,
    Indicator,
    IndicatorKind,
    IndicatorTarget,
    IndicatorValue,
    Level,
    PlanItem,
    Problem,
    Progress,
    ProgressStatus,
    Project,
    ProjectResult,
    Strategy,
    TrainingEvent,
)
from ocrotire.planning.permissions import can_manage_plans, can_report_on

INDICATOR_KINDS = {
    "general": IndicatorKind.IMPACT,
    "specific": IndicatorKind.SPECIFIC,
    "action": IndicatorKind.OUTCOME,
}
TEXT_LIMIT = 4000
# "Leave as it is" for an optional field whose None means "clear it".
KEEP = object()


class Institutions:
    """Resolves the names of a plan's cells to institutions of the country: an abbreviation or
    a full name; 'IGP direcțiile' is IGP with a remark the planner should look at."""

    def __init__(self, country: str) -> None:
        self.by_key: dict[str, Institution] = {}
        for institution in Institution.objects.filter(country=country, active=True):
            for key in (institution.abbreviation, institution.name):
                if key:
                    self.by_key.setdefault(key.casefold(), institution)

    def resolve(
        self, text: str, where: str, column: str, issues: list[parsing.Issue]
    ) -> list[Institution]:
        found: list[Institution] = []
        for name, _note in parsing.split_institutions(text):
            institution = self.by_key.get(name.casefold())
            if institution is None:
                first, _space, rest = name.partition(" ")
                institution = self.by_key.get(first.casefold()) if rest else None
                problem = Problem.INSTITUTION_PARTLY if institution else Problem.INSTITUTION
                issues.append(parsing.Issue(where, column, name, problem))
            if institution is not None and institution not in found:
                found.append(institution)
        return found


def _problem(code: str) -> str:
    return code if code in Problem.values else Problem.NO_SUBACTION_CODE


@transaction.atomic
def plan_import(
    *,
    actor: User,
    plan: parsing.ParsedPlan,
    unit: Unit,
    source_name: str = "",
    name: str = "",
    period: tuple[int, int] | None = None,
) -> Strategy:
    """Write a parsed plan as a new strategy of `unit`'s country. What the parser or the
    institution register could not read is kept as import issues."""
    if not can_manage_plans(actor, unit):
        raise NotAllowed
    start, end = period or (plan.period_start, plan.period_end)
    errors: dict[str, str] = {}
    if not (name or plan.name):
        errors["name"] = _("Give the strategy's name: the document does not say it.")
    if start is None or end is None or end < start:
        errors["period"] = _("Give the strategy's first and last year.")
        start = end = 0
    if not plan.items:
        errors["file"] = _("No objective, action or sub-action was found in this document.")
    if errors:
        raise ValidationError(errors)
    strategy = Strategy.objects.create(
        name=(name or plan.name)[:500],
        country=unit.country,
        unit=unit,
        period_start=start,
        period_end=end,
        approving_decision=plan.approving_decision[:TEXT_LIMIT],
        document_date=date.fromisoformat(plan.document_date) if plan.document_date else None,
        source_name=source_name[:300],
        created_by=actor,
    )
    issues = list(plan.issues)
    institutions = Institutions(unit.country)
    by_code: dict[str, PlanItem] = {}
    indicator_position = 0

    seen_indicators: set[str] = set()

    def indicator(
        item: PlanItem, kind: str, code: str, text: str, **extra: Any
    ) -> Indicator | None:
        nonlocal indicator_position
        if code[:40] in seen_indicators:
            issues.append(
                parsing.Issue(item.code, "", f"{code} {text}"[:300], Problem.DUPLICATE_CODE)
            )
            return None
        seen_indicators.add(code[:40])
        indicator_position += 1
        return Indicator.objects.create(
            strategy=strategy,
            item=item,
            kind=kind,
            code=code[:40],
            text=text[:TEXT_LIMIT],
            position=indicator_position,
            **extra,
        )

    for position, parsed in enumerate(plan.items, start=1):
        if parsed.code in by_code:
            issues.append(
                parsing.Issue(parsed.code, "", parsed.title[:300], Problem.DUPLICATE_CODE)
            )
            continue
        deadline = parsed.deadline
        item = PlanItem.objects.create(
            strategy=strategy,
            parent=by_code.get(parsed.parent),
            level=parsed.level,
            code=parsed.code,
            title=parsed.title[:TEXT_LIMIT],
            note=parsed.note[:TEXT_LIMIT],
            position=position,
            deadline_text=parsed.deadline_text[:200],
            deadline_kind=deadline.kind if deadline else "",
            start_year=deadline.start_year if deadline else None,
            end_year=deadline.end_year if deadline else None,
            times_per_year=deadline.times_per_year if deadline else None,
            responsible_text=parsed.responsible_text[:500],
            partners_text=parsed.partners_text[:500],
            result_text=parsed.result_text[:TEXT_LIMIT],
            cross_refs=parsed.cross_refs,
        )
        by_code[parsed.code] = item
        if parsed.responsible_text:
            item.responsible.set(
                institutions.resolve(parsed.responsible_text, parsed.code, "5", issues)
            )
        if parsed.partners_text:
            item.partners.set(institutions.resolve(parsed.partners_text, parsed.code, "6", issues))
        for found in parsed.indicators:
            indicator(item, INDICATOR_KINDS[parsed.level], found.code, found.text)
        for money in parsed.money:
            Funding.objects.create(
                item=item,
                source=money.source,
                amount=money.amount,
                currency=money.currency,
                text=money.text[:500],
            )
        _result_indicators(strategy, item, parsed, indicator)
    _apply_definitions(strategy, plan.definitions, issues)
    for issue in issues:
        ImportIssue.objects.create(
            strategy=strategy,
            location=issue.location[:100],
            column=issue.column[:40],
            text=issue.text[:TEXT_LIMIT],
            problem=_problem(issue.problem),
        )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=strategy,
        changes={
            "name": strategy.name,
            "source": source_name,
            "items": len(by_code),
            "issues": len(issues),
            "incomplete": plan.incomplete,
        },
    )
    return strategy


def _apply_definitions(
    strategy: Strategy, definitions: dict[str, dict[str, Any]], issues: list[parsing.Issue]
) -> None:
    """The workbook's indicator sheet: what computes each indicator, its unit, baseline and
    targets (replacing those read from the plan's cells)."""
    if not definitions:
        return
    by_code = {i.code: i for i in Indicator.objects.filter(strategy=strategy)}
    for code, definition in definitions.items():
        found = by_code.get(code)
        if found is None:
            issues.append(parsing.Issue(code, "Indicatori", code, Problem.INDICATOR_CODE))
            continue
        computation = definition["computation"]
        if computation and computation not in COMPUTATIONS:
            issues.append(parsing.Issue(code, "Indicatori", computation, Problem.INDICATOR_CODE))
            computation = ""
        found.computation = computation
        found.unit = (definition["unit"] or found.unit)[:200]
        found.baseline = definition["baseline"]
        found.baseline_year = definition["baseline_year"]
        found.save(update_fields=["computation", "unit", "baseline", "baseline_year"])
        found.targets.all().delete()
        seen: set[int | None] = set()
        for year, value, comparator in definition["targets"]:
            if year in seen or comparator not in Comparator.values:
                issues.append(
                    parsing.Issue(code, "Indicatori", f"{year}: {value}", Problem.INDICATOR_CODE)
                )
                continue
            seen.add(year)
            IndicatorTarget.objects.create(
                indicator=found, year=year, value=value, comparator=comparator
            )


def _result_indicators(strategy: Strategy, item: PlanItem, parsed: parsing.Item, make: Any) -> None:
    """One indicator per quantified target of a sub-action's column 7-1 ('1.2.2.3-1'). An
    annual target holds for every year; another one for the year the sub-action is due."""
    for number, target in enumerate(parsed.targets, start=1):
        created = make(
            item,
            IndicatorKind.RESULT,
            f"{item.code}-{number}",
            target.unit,
            unit=target.unit[:200],
            percent=target.percent,
            computation=suggest(target.unit) if target.annual else "",
        )
        if created is None or target.value is None:
            continue
        year = None
        if (
            not target.annual
            and item.end_year
            and item.deadline_kind
            in (
                DeadlineKind.YEAR,
                DeadlineKind.RANGE,
            )
        ):
            year = item.end_year
        IndicatorTarget.objects.create(
            indicator=created,
            year=year,
            value=target.value,
            comparator=Comparator.AT_LEAST
            if target.comparator == "at_least"
            else Comparator.EXACTLY,
        )


@transaction.atomic
def progress_record(
    *,
    actor: User,
    item: PlanItem,
    year: int,
    status: str,
    comment: str = "",
    evidence: str = "",
    version: int | None = None,
) -> Progress:
    """Where a sub-action stands in a year, by its responsible institution (or a planner)."""
    if not can_report_on(actor, item):
        raise NotAllowed
    errors: dict[str, str] = {}
    if item.level != Level.SUBACTION:
        errors["item"] = _("Progress is recorded on sub-actions.")
    if status not in ProgressStatus.values:
        errors["status"] = _("Choose a status.")
    strategy = item.strategy
    if not strategy.period_start <= year <= strategy.period_end:
        errors["year"] = _("Choose a year of the strategy (%(start)s–%(end)s).") % {
            "start": strategy.period_start,
            "end": strategy.period_end,
        }
    for field, text in (("comment", comment), ("evidence", evidence)):
        if len(text) > TEXT_LIMIT:
            errors[field] = _("Write at most 4,000 characters.")
    if errors:
        raise ValidationError(errors)
    current = Progress.objects.select_for_update().filter(item=item, year=year).first()
    if current is None:
        if version not in (None, 0):
            raise Conflict
        try:
            with transaction.atomic():
                progress = Progress.objects.create(
                    item=item,
                    year=year,
                    status=status,
                    comment=comment.strip(),
                    evidence=evidence.strip(),
                    updated_by=actor,
                )
        except IntegrityError as exc:
            raise Conflict from exc  # someone reported this year at the same moment
        action = AuditAction.CREATE
    else:
        # Changing a year already reported needs the version read: no blind overwrite.
        if version != current.version:
            raise Conflict
        Progress.objects.filter(pk=current.pk).update(
            status=status,
            comment=comment.strip(),
            evidence=evidence.strip(),
            updated_by=actor,
            version=F("version") + 1,
        )
        current.refresh_from_db()
        progress = current
        action = AuditAction.UPDATE
    audit_record(
        actor=actor,
        action=action,
        obj=progress,
        changes={"item": item.code, "year": year, "status": status, "comment": comment.strip()},
    )
    return progress


@transaction.atomic
def indicator_value_record(
    *,
    actor: User,
    indicator: Indicator,
    year: int,
    value: Decimal,
    note: str = "",
    version: int | None = None,
) -> IndicatorValue:
    """A value of an indicator for a year, with its evidence; a computed indicator takes none."""
    if not can_report_on(actor, indicator.item):
        raise NotAllowed
    errors: dict[str, str] = {}
    if indicator.computation:
        errors["value"] = _("This indicator is computed from the system's data.")
    strategy = indicator.strategy
    if not strategy.period_start <= year <= strategy.period_end:
        errors["year"] = _("Choose a year of the strategy (%(start)s–%(end)s).") % {
            "start": strategy.period_start,
            "end": strategy.period_end,
        }
    if value < 0:
        errors["value"] = _("A value cannot be negative.")
    if len(note) > TEXT_LIMIT:
        errors["note"] = _("Write at most 4,000 characters.")
    if errors:
        raise ValidationError(errors)
    current = IndicatorValue.objects.select_for_update().filter(indicator=indicator, year=year)
    existing = current.first()
    if existing is None:
        if version not in (None, 0):
            raise Conflict
        try:
            with transaction.atomic():
                saved = IndicatorValue.objects.create(
                    indicator=indicator, year=year, value=value, note=note.strip(), entered_by=actor
                )
        except IntegrityError as exc:
            raise Conflict from exc  # someone entered this year at the same moment
        action = AuditAction.CREATE
    else:
        if version != existing.version:
            raise Conflict
        current.update(value=value, note=note.strip(), entered_by=actor, version=F("version") + 1)
        existing.refresh_from_db()
        saved = existing
        action = AuditAction.UPDATE
    audit_record(
        actor=actor,
        action=action,
        obj=saved,
        changes={"indicator": indicator.code, "year": year, "value": value, "note": note.strip()},
    )
    return saved


@transaction.atomic
def indicator_update(
    *,
    actor: User,
    indicator: Indicator,
    version: int,
    computation: str | None = None,
    unit: str | None = None,
    baseline: Decimal | object | None = KEEP,
    baseline_year: int | object | None = KEEP,
    targets: list[tuple[int | None, Decimal, str]] | None = None,
) -> Indicator:
    """A planner defines an indicator: what computes it, its unit, baseline and targets."""
    if not can_manage_plans(actor, indicator.strategy.unit):
        raise NotAllowed
    locked = Indicator.objects.select_for_update().get(pk=indicator.pk)
    if locked.version != version:
        raise Conflict
    errors: dict[str, str] = {}
    if computation and computation not in COMPUTATIONS:
        errors["computation"] = _("There is no such computation.")
    if targets is not None:
        years = [year for year, _value, _cmp in targets]
        if len(years) != len(set(years)):
            errors["targets"] = _("Give one target per year.")
        if any(cmp not in Comparator.values for _year, _value, cmp in targets):
            errors["targets"] = _("Choose how the value is compared with the target.")
    if errors:
        raise ValidationError(errors)
    changes: dict[str, Any] = {}
    if computation is not None:
        locked.computation = computation
        changes["computation"] = computation
    if unit is not None:
        locked.unit = unit.strip()[:200]
        changes["unit"] = locked.unit
    # KEEP leaves a value as it is; None clears it.
    if baseline is not KEEP:
        locked.baseline = baseline  # type: ignore[assignment]
        changes["baseline"] = baseline
    if baseline_year is not KEEP:
        locked.baseline_year = baseline_year  # type: ignore[assignment]
        changes["baseline_year"] = baseline_year
    locked.version += 1
    locked.save()
    if targets is not None:
        locked.targets.all().delete()
        IndicatorTarget.objects.bulk_create(
            IndicatorTarget(indicator=locked, year=year, value=value, comparator=cmp)
            for year, value, cmp in targets
        )
        changes["targets"] = [(y, v, c) for y, v, c in targets]
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=locked, changes=changes)
    return locked


@transaction.atomic
def event_record(
    *,
    actor: User,
    kind: str,
    title: str,
    held_on: date,
    participants: int,
    unit: Unit,
    organiser: Institution | None = None,
    topic: str = "",
    items: list[PlanItem] | tuple[PlanItem, ...] = (),
    attendance: dict[Institution, int] | None = None,
) -> TrainingEvent:
    """A training, seminar, campaign or conference held, with its participants, linked to the
    sub-actions it carries out (whose indicators then count it). Recorded by the organising
    institution's members or by a keeper of the plan."""
    from ocrotire.planning.models import EventAttendance, EventKind

    organiser = organiser or actor.institution
    if organiser is None or not (
        can_manage_plans(actor, unit) or getattr(actor, "institution_id", None) == organiser.pk
    ):
        raise NotAllowed
    # An event counts towards a sub-action's indicators: only those who report on it link it.
    if any(not can_report_on(actor, item) for item in items):
        raise NotAllowed
    errors: dict[str, str] = {}
    if kind not in EventKind.values:
        errors["kind"] = _("Choose the kind of event.")
    if not title.strip():
        errors["title"] = _("Give the event's title.")
    if participants < 0:
        errors["participants"] = _("A number of participants cannot be negative.")
    if attendance and sum(attendance.values()) > participants:
        errors["attendance"] = _("More participants by institution than in all.")
    if len(topic) > TEXT_LIMIT:
        errors["topic"] = _("Write at most 4,000 characters.")
    if errors:
        raise ValidationError(errors)
    event = TrainingEvent.objects.create(
        kind=kind,
        title=title.strip()[:300],
        topic=topic.strip(),
        held_on=held_on,
        organiser=organiser,
        unit=unit,
        participants=participants,
        created_by=actor,
    )
    event.items.set(items)
    for institution, count in (attendance or {}).items():
        EventAttendance.objects.create(event=event, institution=institution, count=count)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=event,
        changes={
            "kind": kind,
            "title": event.title,
            "held_on": held_on,
            "participants": participants,
            "items": [i.code for i in items],
        },
    )
    return event


@transaction.atomic
def issue_resolve(*, actor: User, issue: ImportIssue) -> ImportIssue:
    if not can_manage_plans(actor, issue.strategy.unit):
        raise NotAllowed
    ImportIssue.objects.filter(pk=issue.pk).update(resolved=True, resolved_by=actor)
    issue.refresh_from_db()
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=issue, changes={"resolved": True})
    return issue


@dataclass
class ResultInput:
    description: str
    unit: str = ""
    planned: Decimal | None = None
    achieved: Decimal | None = None
    computation: str = ""


@transaction.atomic
def project_create(
    *,
    actor: User,
    name: str,
    unit: Unit,
    starts_on: date | None = None,
    ends_on: date | None = None,
    cost: Decimal | None = None,
    currency: str = "",
    donors: str = "",
    implementers: list[Institution] | tuple[Institution, ...] = (),
    implementers_text: str = "",
    target_groups: str = "",
    summary: str = "",
    results: list[ResultInput] | tuple[ResultInput, ...] = (),
    services: list[Any] | tuple[Any, ...] = (),
    items: list[PlanItem] | tuple[PlanItem, ...] = (),
    source_name: str = "",
) -> Project:
    """A donor project with its planned (and achieved) results, linked to the services it
    develops and the plan's sub-actions it carries out."""
    if not can_manage_plans(actor, unit):
        raise NotAllowed
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = _("Give the project's name.")
    if starts_on and ends_on and ends_on < starts_on:
        errors["ends_on"] = _("A project cannot end before it starts.")
    if cost is not None and cost < 0:
        errors["cost"] = _("A cost cannot be negative.")
    if cost is not None and len(currency) != 3:
        errors["currency"] = _("Give the currency's three-letter code (EUR, MDL, UAH…).")
    if any(not r.description.strip() for r in results):
        errors["results"] = _("Describe every result.")
    counted = {name for name, c in COMPUTATIONS.items() if c.between is not None}
    if any(r.computation and r.computation not in counted for r in results):
        errors["results"] = _(
            "A result can be counted only by a count the project's period allows."
        )
    if errors:
        raise ValidationError(errors)
    project = Project.objects.create(
        name=name.strip()[:500],
        country=unit.country,
        unit=unit,
        starts_on=starts_on,
        ends_on=ends_on,
        cost=cost,
        currency=currency.upper(),
        donors=donors.strip()[:500],
        implementers_text=implementers_text.strip()[:500],
        target_groups=target_groups.strip(),
        summary=summary.strip(),
        source_name=source_name[:300],
        created_by=actor,
    )
    project.implementers.set(implementers)
    project.services.set(services)
    project.items.set(items)
    ProjectResult.objects.bulk_create(
        ProjectResult(
            project=project,
            description=r.description.strip()[:500],
            unit=r.unit[:200],
            planned=r.planned,
            achieved=None if r.computation else r.achieved,
            computation=r.computation,
            position=position,
        )
        for position, r in enumerate(results, start=1)
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=project,
        changes={"name": project.name, "cost": cost, "currency": project.currency},
    )
    return project


@transaction.atomic
def item_update(
    *,
    actor: User,
    item: PlanItem,
    version: int,
    title: str,
    deadline_text: str = "",
    responsible: list[Institution] | tuple[Institution, ...] = (),
    partners: list[Institution] | tuple[Institution, ...] = (),
    result_text: str = "",
) -> PlanItem:
    """A plan keeper corrects a row (what the import could not read, or a changed decision):
    its title, deadline or periodicity (read again), responsible institutions and partners, and
    result indicators as written. The words first imported stay in the audit log."""
    if not can_manage_plans(actor, item.strategy.unit):
        raise NotAllowed
    locked = PlanItem.objects.select_for_update().get(pk=item.pk)
    if locked.version != version:
        raise Conflict
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = _("Give the row's title.")
    for field, text in (("title", title), ("result_text", result_text)):
        if len(text) > TEXT_LIMIT:
            errors[field] = _("Write at most 4,000 characters.")
    deadline = parsing.parse_deadline(deadline_text) if deadline_text.strip() else None
    if deadline is not None and deadline.kind == DeadlineKind.UNKNOWN:
        errors["deadline_text"] = _(
            "Write a year (2024), years (2023-25), or anual, periodic, permanent, după necesitate."
        )
    if errors:
        raise ValidationError(errors)
    before = {
        "title": locked.title,
        "deadline": locked.deadline_text,
        "responsible": [i.pk for i in locked.responsible.all()],
        "partners": [i.pk for i in locked.partners.all()],
        "result_text": locked.result_text,
    }
    locked.title = title.strip()
    locked.deadline_text = deadline_text.strip()[:200]
    locked.deadline_kind = deadline.kind if deadline else ""
    locked.start_year = deadline.start_year if deadline else None
    locked.end_year = deadline.end_year if deadline else None
    locked.times_per_year = deadline.times_per_year if deadline else None
    locked.result_text = result_text.strip()
    locked.responsible_text = ", ".join(i.abbreviation or i.name for i in responsible)[:500]
    locked.partners_text = ", ".join(i.abbreviation or i.name for i in partners)[:500]
    locked.version += 1
    locked.save()
    locked.responsible.set(responsible)
    locked.partners.set(partners)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        changes={
            "before": before,
            "title": locked.title,
            "deadline": locked.deadline_text,
            "responsible": [i.pk for i in responsible],
            "partners": [i.pk for i in partners],
            "result_text": locked.result_text,
        },
    )
    return locked


def evidence_add(
    *,
    actor: User,
    upload: Any,
    value: IndicatorValue | None = None,
    progress: Progress | None = None,
) -> Evidence:
    """Keep a file as the evidence of a value or of a year's progress (the same kinds and size
    as a report's attachments)."""

    owner = value.indicator.item if value is not None else progress.item if progress else None
    if owner is None or not can_report_on(actor, owner):
        raise NotAllowed
    from ocrotire.intake.services import ATTACHMENT_TYPES
    from ocrotire.planning.excel import XLSX

    checked = check_upload(
        upload,
        types=ATTACHMENT_TYPES | {XLSX},
        refusal=_("This kind of file is not accepted: attach a PDF, an image or a document."),
    )
    evidence = Evidence(
        value=value,
        progress=progress,
        name=(upload.name or "file")[:200],
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=actor,
    )
    evidence.file.save(f"{owner.pk}-{checked.sha256[:16]}", upload, save=False)
    evidence.save(force_insert=True)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=evidence,
        changes={"item": owner.code, "name": evidence.name, "sha256": evidence.sha256},
    )
    return evidence
