"""Writes to the register of reports: filing (with the children and a registration number), the
notification form's arrival and attachments. Triage, which turns a report into cases, is the
cases app's (cases/triage.py)."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from ocrotire.accounts.models import Institution, InstitutionKind, User
from ocrotire.core.audit import audit_record
from ocrotire.core.bounds import EARLIEST_EVENT
from ocrotire.core.errors import Conflict, NotAllowed
from ocrotire.core.files import check_upload
from ocrotire.core.models import AuditAction
from ocrotire.geo.models import Unit
from ocrotire.geo.services import PACKS_DIR
from ocrotire.intake.models import (
    AgencyNotice,
    Channel,
    ConcernCategory,
    Report,
    ReportAttachment,
    ReportChild,
    ReporterKind,
    ReporterSector,
)
from ocrotire.intake.numbering import next_number, number_prefix
from ocrotire.intake.permissions import (
    can_file_report,
    can_self_refer,
    can_triage,
    keeps_register,
)
from ocrotire.registry.matching import Probe, match
from ocrotire.registry.models import Person, PersonIdentifier, PersonStatus
from ocrotire.registry.services import PersonInput, person_create_for_report
from ocrotire.workflow.deadlines import event_fire
from ocrotire.workflow.models import TimelineEvent

# A new child whose record matches an existing one this closely is the same child: the report is
# linked to the existing record instead of creating a duplicate. Below it, a specialist decides
# at triage, with the candidates shown.
SAME_CHILD_SCORE = 0.97
CLOCK_SKEW = timedelta(minutes=5)
ATTACHMENT_TYPES = frozenset(
    {
        "application/pdf",
        "image/jpeg",
        "image/png",
        "text/plain",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/msword",
        "audio/mpeg",
    }
)


# A professional filing for their own institution reports from its sector.
SECTOR_OF_INSTITUTION = {
    InstitutionKind.SCHOOL: ReporterSector.EDUCATION,
    InstitutionKind.EDUCATION_AUTHORITY: ReporterSector.EDUCATION,
    InstitutionKind.POLICE: ReporterSector.PUBLIC_ORDER,
    InstitutionKind.CLINIC: ReporterSector.HEALTH,
    InstitutionKind.HEALTH_AUTHORITY: ReporterSector.HEALTH,
    InstitutionKind.CHILD_PROTECTION: ReporterSector.SOCIAL,
    InstitutionKind.GUARDIANSHIP: ReporterSector.SOCIAL,
    InstitutionKind.SOCIAL_ASSISTANCE: ReporterSector.SOCIAL,
}


def sector_of(institution: Institution | None) -> str:
    if institution is None:
        return ""
    return str(SECTOR_OF_INSTITUTION.get(institution.kind, ReporterSector.OTHER))  # type: ignore[call-overload]


@dataclass
class ChildInput:
    person: Person | None = None
    new: PersonInput | None = None


@dataclass
class ReportInput:
    channel: str
    reporter_kind: str
    unit: Unit
    narrative: str
    concerns: list[str]
    children: list[ChildInput]
    received_at: datetime | None = None
    reporter_sector: str = ""
    reporter_anonymous: bool = False
    reporter_institution: Institution | None = None
    reporter_name: str = ""
    reporter_contact: str = ""
    reporter_relationship: str = ""
    location: str = ""
    information_source: str = ""
    alleged_perpetrator: str = ""
    most_serious: str = ""
    immediate_danger: bool = False
    phone_notice_at: datetime | None = None
    form_received_at: datetime | None = None
    agencies: list[tuple[str, datetime, str]] = field(default_factory=list)


@transaction.atomic
def concerns_load(*, country: str, actor: User | None = None) -> int:
    """The common categories and the country's own, from the packs; loading again changes nothing."""
    created = 0
    for name in ("common/concerns.json", f"{country.lower()}/concerns.json"):
        path = PACKS_DIR / name
        if not path.is_file():
            continue
        data = json.loads(path.read_text(encoding="utf-8"))
        base = 0 if name.startswith("common") else 100
        for index, row in enumerate(data["categories"]):
            values = {
                "names": row["names"],
                "violence_form": row.get("violence_form", False),
                "ordering": base + index,
                "legal_reference": data.get("legal_reference", ""),
                "verified": data.get("verified", False),
            }
            category, was_created = ConcernCategory.objects.get_or_create(
                country=country.upper(), code=row["code"], defaults=values
            )
            if was_created:
                audit_record(actor=actor, action=AuditAction.CREATE, obj=category, changes=values)
                created += 1
            elif any(getattr(category, k) != v for k, v in values.items()):
                ConcernCategory.objects.filter(pk=category.pk).update(**values)
                audit_record(actor=actor, action=AuditAction.UPDATE, obj=category, changes=values)
    return created


def _clean(actor: User | None, data: ReportInput, now: datetime) -> dict[str, Any]:
    """The checks of every filing. `actor` None is the public channel (intake/public.py), which
    files for no institution and may not self-refer."""
    errors: dict[str, list[str]] = {}

    def error(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    received_at = data.received_at or now
    if received_at > now + CLOCK_SKEW:
        error("received_at", _("The time of receipt cannot be in the future."))
    elif received_at.date() < EARLIEST_EVENT:
        # Never numbered in year 1, whoever calls (the fields say so first).
        error("received_at", _("This time is too far in the past: give a time from 1990 on."))
    if data.channel == Channel.SELF_REFERRAL and (actor is None or not can_self_refer(actor)):
        error("channel", _("Only the child-protection authority can record a self-referral."))
    if actor is None:
        institution, sector = None, ""
    else:
        institution, sector = _reporter_institution(actor, data, error)
    if data.reporter_kind == ReporterKind.PROFESSIONAL and not sector:
        error("reporter", _("Give the sector of the reporting professional."))
    anonymous = data.reporter_anonymous or data.reporter_kind == ReporterKind.ANONYMOUS
    if anonymous and (data.reporter_name.strip() or data.reporter_contact.strip()):
        error(
            "reporter",
            _(
                "An anonymous report carries no name or contact: remove them or change the reporter."
            ),
        )
    if not data.narrative.strip():
        error("narrative", _("Describe what happened."))
    codes = list(dict.fromkeys(data.concerns))
    concerns = list(
        ConcernCategory.objects.filter(country=data.unit.country, code__in=codes, active=True)
    )
    unknown = sorted(set(codes) - {c.code for c in concerns})
    if not codes:
        error("concerns", _("Choose at least one concern."))
    if unknown:
        error(
            "concerns",
            _("Unknown concerns for this country: %(codes)s.") % {"codes": ", ".join(unknown)},
        )
    most_serious = None
    if data.most_serious:
        most_serious = next((c for c in concerns if c.code == data.most_serious), None)
        if most_serious is None:
            error("most_serious", _("The most serious form must be one of the concerns chosen."))
    elif len([c for c in concerns if c.violence_form]) > 1:
        error(
            "most_serious",
            _("Several forms of violence were chosen: say which one is the most serious."),
        )
    else:
        most_serious = next((c for c in concerns if c.violence_form), None)
    if not data.children:
        error("children", _("Add at least one child concerned."))
    for index, (_agency, at, _note) in enumerate(data.agencies, start=1):
        if at > now + CLOCK_SKEW:
            error(
                "agencies",
                _("Agency %(index)s: the time of the notice cannot be in the future.")
                % {"index": index},
            )
    for name in ("phone_notice_at", "form_received_at"):
        value = getattr(data, name)
        if value is not None and value > now + CLOCK_SKEW:
            error(name, _("This time cannot be in the future."))
    if errors:
        raise ValidationError(errors)
    return {
        "received_at": received_at,
        "concerns": concerns,
        "most_serious": most_serious,
        "reporter_institution": institution,
        "reporter_sector": sector,
    }


def _reporter_institution(
    actor: User, data: ReportInput, error: Any
) -> tuple[Institution | None, str]:
    """The institution a report is filed in the name of, and its sector. A filer outside the
    register (a school, a clinic, a police unit) files only for their own institution; a
    specialist who records what was phoned in may name any institution of their area. The
    sector follows the institution: a different one is refused, never replaced."""
    from ocrotire.accounts.selectors import institution_list

    institution = data.reporter_institution
    sector = data.reporter_sector
    if institution is None:
        if data.reporter_kind != ReporterKind.PROFESSIONAL or keeps_register(actor):
            return None, sector
        institution = actor.institution
        if institution is None:
            return None, sector
    elif not keeps_register(actor):
        if institution.pk != actor.institution_id:
            error("reporter", _("You can file a report only in the name of your own institution."))
            return None, sector
    elif not institution_list(user=actor).filter(pk=institution.pk).exists():
        error(
            "reporter",
            _("The reporting institution must be one of your area: choose it from the list."),
        )
        return None, sector
    if data.reporter_kind != ReporterKind.PROFESSIONAL:
        return institution, sector
    expected = sector_of(institution)
    if sector and sector != expected:
        error(
            "reporter",
            _("The sector of the reporter is the one of their institution: %(sector)s.")
            % {"sector": ReporterSector(expected).label},
        )
    return institution, expected


def _child_person(
    actor: User | None, child: ChildInput, unit: Unit, index: int
) -> tuple[Person, bool]:
    """An existing record, or the same child found in the registry, or a new record."""
    if child.person is not None:
        if child.person.status != PersonStatus.ACTIVE:
            raise ValidationError(
                {
                    "children": _("Child %(index)s: this record was merged or archived.")
                    % {"index": index}
                }
            )
        return child.person, False
    assert child.new is not None
    for scheme, value in child.new.identifiers:
        same = (
            PersonIdentifier.objects.filter(scheme=scheme, value=value.strip(), active=True)
            .select_related("person")
            .first()
        )
        if same is not None and same.person.status == PersonStatus.ACTIVE:
            return same.person, True
    probe = Probe(
        given_name=child.new.given_name,
        family_name=child.new.family_name,
        patronymic=child.new.patronymic,
        sex=child.new.sex,
        birth_date=child.new.birth_date,
        birth_date_precision=child.new.birth_date_precision,
        birth_date_estimated=child.new.birth_date_estimated,
        identifiers=child.new.identifiers,
    )
    if probe.exact_birth_date:
        found = match(
            probe,
            persons=Person.objects.filter(status=PersonStatus.ACTIVE),
            minimum=SAME_CHILD_SCORE,
            limit=1,
        )
        if found:
            return found[0].person, True
    try:
        return person_create_for_report(actor=actor, data=child.new, unit=unit), False
    except ValidationError as exc:
        messages = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
        raise ValidationError(
            {
                "children": [
                    _("Child %(index)s: %(error)s") % {"index": index, "error": " ".join(m)}
                    for m in messages.values()
                ]
            }
        ) from exc


def _remember(report: Report, name: str, items: Any) -> None:
    """Fill a relation's prefetch cache with what the service just wrote."""
    queryset = getattr(report, name).get_queryset()
    queryset._result_cache = list(items)
    queryset._prefetch_done = True
    cache: dict[str, Any] = report.__dict__.setdefault("_prefetched_objects_cache", {})
    cache[name] = queryset


@transaction.atomic
def report_create(*, actor: User, data: ReportInput) -> Report:
    if not can_file_report(actor):
        raise NotAllowed
    now = timezone.now()
    cleaned = _clean(actor, data, now)
    return _report_insert(actor=actor, data=data, cleaned=cleaned)


def _report_insert(
    *,
    actor: User | None,
    data: ReportInput,
    cleaned: dict[str, Any],
    audit_extra: dict[str, Any] | None = None,
) -> Report:
    """Write a checked report (`_clean`), its children, its deadlines and its number. Called by
    `report_create` after its permission check, and by the public channel with `actor` None."""
    prefix, year, authority = number_prefix(data.unit, cleaned["received_at"])
    # The registration number is taken last, just before the audit row and the commit: every
    # filing of an authority waits for the counter's row lock, so the less work is done while
    # it is held, the more filings go through side by side. Until then the report carries a
    # provisional number nobody outside this transaction can see.
    children: list[Person] = []
    matched: list[int] = []
    for index, child in enumerate(data.children, start=1):
        person, was_matched = _child_person(actor, child, data.unit, index)
        if person.pk not in {p.pk for p in children}:
            children.append(person)
        if was_matched:
            matched.append(person.pk)
    report = Report(
        number=f"~{uuid.uuid4().hex}",
        registering_institution=authority,
        received_at=cleaned["received_at"],
        channel=data.channel,
        reporter_kind=data.reporter_kind,
        reporter_sector=cleaned["reporter_sector"],
        reporter_anonymous=data.reporter_anonymous or data.reporter_kind == ReporterKind.ANONYMOUS,
        reporter_institution=cleaned["reporter_institution"],
        reporter_name=data.reporter_name.strip(),
        reporter_contact=data.reporter_contact.strip(),
        reporter_relationship=data.reporter_relationship.strip(),
        unit=data.unit,
        location=data.location.strip(),
        narrative=data.narrative.strip(),
        information_source=data.information_source,
        alleged_perpetrator=data.alleged_perpetrator.strip(),
        most_serious=cleaned["most_serious"],
        immediate_danger=data.immediate_danger,
        phone_notice_at=data.phone_notice_at,
        form_received_at=data.form_received_at,
        created_by=actor,
    )
    # The related records were read or written just above: checking that they exist again
    # would only cost queries; the number is provisional and unique by construction.
    report.full_clean(
        exclude=[
            "created_by",
            "cases",
            "number",
            "unit",
            "registering_institution",
            "reporter_institution",
            "most_serious",
        ],
        validate_unique=False,
    )
    report.save(force_insert=True)
    Report.concerns.through.objects.bulk_create(
        [
            Report.concerns.through(report=report, concerncategory=concern)
            for concern in cleaned["concerns"]
        ]
    )
    ReportChild.objects.bulk_create([ReportChild(report=report, person=p) for p in children])
    notices = AgencyNotice.objects.bulk_create(
        [
            AgencyNotice(report=report, agency=agency, notified_at=at, note=note.strip())
            for agency, at, note in data.agencies
        ]
    )
    # The caller shows the new report: what it holds is known, no need to read it back.
    _remember(report, "concerns", cleaned["concerns"])
    _remember(report, "children", children)
    _remember(report, "agency_notices", notices)
    _remember(report, "attachments", [])
    _remember(report, "cases", [])
    context = {
        "immediate_danger": report.immediate_danger,
        "channel": report.channel,
        "reporter_kind": report.reporter_kind,
    }
    received, _tasks = event_fire(
        actor=actor,
        kind="report_received",
        at=report.received_at,
        report=report,
        context=context,
        data={"channel": report.channel},
        fresh=True,
    )
    if report.form_received_at is not None:
        event_fire(actor=actor, kind="form_received", at=report.form_received_at, report=report)
    for agency, at, _note in data.agencies:
        event_fire(
            actor=actor, kind="agency_notified", at=at, report=report, data={"agency": agency}
        )
    # From here to the commit the authority's counter is locked: three statements.
    sequence = next_number(prefix=prefix, year=year, kind="report")
    report.number = f"{prefix}-{year}-{sequence:06d}"
    Report.objects.filter(pk=report.pk).update(number=report.number)
    received.data = {"number": report.number, **received.data}
    TimelineEvent.objects.filter(pk=received.pk).update(data=received.data)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=report,
        changes={
            "number": report.number,
            "channel": report.channel,
            "reporter_kind": report.reporter_kind,
            "unit": data.unit.code,
            "children": [p.pk for p in children],
            "children_matched": matched,
            "concerns": sorted(c.code for c in cleaned["concerns"]),
            "immediate_danger": report.immediate_danger,
            **(audit_extra or {}),
        },
    )
    return report


@transaction.atomic
def report_view_record(*, actor: User, report: Report) -> None:
    """Reading a report (reporter identity, narrative) is audited like reading a child's record."""
    audit_record(actor=actor, action=AuditAction.VIEW, obj=report)


@transaction.atomic
def attachment_view_record(*, actor: User, attachment: ReportAttachment) -> None:
    audit_record(
        actor=actor,
        action=AuditAction.VIEW,
        obj=attachment,
        changes={"report": attachment.report.number},
    )


@transaction.atomic
def report_form_receive(
    *, actor: User, report: Report, version: int, at: datetime | None = None
) -> Report:
    """The written notification form arrived after the phone notice."""
    if not can_triage(actor, report):
        raise NotAllowed
    locked = Report.objects.select_for_update().get(pk=report.pk)
    if locked.version != version:
        raise Conflict
    if locked.form_received_at is not None:
        raise ValidationError({"form_received_at": _("The form was already recorded as received.")})
    at = at or timezone.now()
    Report.objects.filter(pk=locked.pk).update(form_received_at=at, version=F("version") + 1)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        changes={"form_received_at": at.isoformat()},
    )
    event_fire(actor=actor, kind="form_received", at=at, report=locked)
    locked.refresh_from_db()
    return locked


@transaction.atomic
def attachment_add(*, actor: User, report: Report, upload: UploadedFile) -> ReportAttachment:
    if (
        not (keeps_register(actor) and can_triage(actor, report))
        and report.created_by_id != actor.pk
    ):
        raise NotAllowed
    checked = check_upload(
        upload,
        types=ATTACHMENT_TYPES,
        refusal=_(
            "This kind of file is not accepted: attach a PDF, an image, a document or a sound "
            "recording."
        ),
    )
    attachment = ReportAttachment(
        report=report,
        name=(upload.name or "file")[:200],
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=actor,
    )
    attachment.file.save(f"{report.pk}-{checked.sha256[:16]}", upload, save=False)
    attachment.save(force_insert=True)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=attachment,
        changes={"report": report.number, "name": attachment.name, "sha256": attachment.sha256},
    )
    event_fire(
        actor=actor,
        kind="attachment_added",
        at=timezone.now(),
        report=report,
        data={"name": attachment.name},
    )
    return attachment
