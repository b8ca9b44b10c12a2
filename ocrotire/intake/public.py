"""The public reporting channel: a concern filed without an account, followed with a tracking code.

Choices made here (issue 21, first slice):

- **Nobody acts.** A public report is written by the same code as any report
  (`services._report_insert`, after the same `_clean`) with `actor` None: no permission is asked
  of anyone, so the staff path (`report_create`, which requires a filer's role) is unchanged. Its
  audit rows have no actor and say `"via": "public_channel"`; they carry no address either
  (`_no_address`), although audit rows of signed-in users do.
- **Where it goes.** The unit whose code the reporter gives; without one ("I don't know"), the
  unit of the country's top child-protection directorate: the shallowest active unit of the
  country to which an active child-protection authority is attached (by code when several).
  For Moldova this is the municipality of Chișinău and its directorate (DGPDC). The reporter is
  `child`, `citizen` or `anonymous`; channel `online`; the `report_received` event is fired as
  for every report, so the triage deadlines of the unit's country apply.
- **What is asked.** What happened, the children by a first or family name and an age if known
  (no identifiers, no exact birth date: a public report never links itself to an existing
  registry record; the specialist does that at triage), and the concerns if the reporter wants to
  say them (else `other_risk`, classified at triage).
- **Tracking codes.** 20 Crockford base-32 characters (100 bits from `secrets`) in five groups of
  four, shown once. Only `salted_hmac` of the normalised code under the server's secret key is
  kept, in a unique column: a lookup computes the digest first and finds the row by it, so the
  time taken does not depend on how much of a code is right, and the database alone gives no
  code. A wrong code and a code of the wrong shape are the same 404.
- **Limits.** Counted in the database (`PublicLimit`, so every web process and machine counts
  together) under a keyed digest of the address (never stored with a report): wrong codes per
  address, filings per address and overall, messages per address (settings
  `OCROTIRE_PUBLIC_*`). Past a limit: `PublicThrottled` (429).
- **Status** seen by the reporter: `received` (awaiting triage), `closed` (closed with no further
  action), `being_looked_into` (a case opened or linked, or sent to the competent authority).
- **Complaints** (`kind` `complaint`) are not reports: they go to their own list
  (`Complaint`, intake/complaints.py, read by the heads and supervisors of the unit's authority
  only), are numbered `<prefix>-P-<year>-<n>`, and are due an answer by the pack's
  `complaint_answer` deadline (workflow.deadlines). They are followed by a code the same way; the
  status is `received` until a reply, `being_looked_into` after one, `closed` once answered.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from ocrotire.accounts.models import User
from ocrotire.core import context
from ocrotire.core.audit import audit_record
from ocrotire.core.errors import DomainError, NotAllowed, NotFound
from ocrotire.core.files import check_upload
from ocrotire.core.models import AuditAction
from ocrotire.geo.helplines import helplines_of
from ocrotire.geo.models import Unit
from ocrotire.intake.events import IntakeNotice
from ocrotire.intake.models import (
    Channel,
    Complaint,
    ComplaintAbout,
    ComplaintStatus,
    PublicAccess,
    PublicLimit,
    PublicMessage,
    PublicMessageAuthor,
    Report,
    ReporterKind,
    ReportStatus,
)
from ocrotire.intake.numbering import AUTHORITY_KINDS, next_number, number_prefix
from ocrotire.intake.permissions import can_answer_complaint, can_triage
from ocrotire.intake.services import ChildInput, ReportInput, _clean, _report_insert
from ocrotire.registry.models import BirthDatePrecision
from ocrotire.registry.services import PersonInput
from ocrotire.workflow.deadlines import complaint_answer_due
from ocrotire.workflow.notifications import notify
from ocrotire.workflow.tasks import supervisors_of

CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base 32
CODE_LENGTH = 20  # 100 bits
CODE_GROUP = 4
# Read aloud or copied by hand, these are taken for the letters of the alphabet.
_CODE_LOOKALIKES = str.maketrans({"I": "1", "L": "1", "O": "0", "U": "V"})
PUBLIC_REPORTER_KINDS = (ReporterKind.CHILD, ReporterKind.CITIZEN, ReporterKind.ANONYMOUS)
DEFAULT_CONCERN = "other_risk"
TEXT_LIMIT = 4000
# What a reporter may send with a message: a photo, a document, a voice recording.
PUBLIC_FILE_TYPES = frozenset({"application/pdf", "image/jpeg", "image/png", "audio/mpeg"})


class PublicStatus:
    RECEIVED = "received"
    BEING_LOOKED_INTO = "being_looked_into"
    CLOSED = "closed"


# The schema's enum of the three (config/settings.py, ENUM_NAME_OVERRIDES).
PUBLIC_STATUS_CHOICES = [
    (s, s) for s in (PublicStatus.RECEIVED, PublicStatus.BEING_LOOKED_INTO, PublicStatus.CLOSED)
]


class PublicThrottled(DomainError):
    """Too many wrong codes, filings or messages from this address, or filings overall."""

    code = "too_many_requests"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = settings.OCROTIRE_PUBLIC_WINDOW_MINUTES * 60


@dataclass
class PublicChild:
    given_name: str = ""
    family_name: str = ""
    age: int | None = None


@dataclass
class PublicReportInput:
    reporter_kind: str
    narrative: str
    children: list[PublicChild]
    unit_code: str = ""
    country: str = ""
    location: str = ""
    concerns: list[str] = field(default_factory=list)
    immediate_danger: bool = False


@dataclass
class PublicComplaintInput:
    complainant_kind: str
    about: str
    narrative: str
    about_name: str = ""
    unit_code: str = ""
    country: str = ""


@dataclass(frozen=True)
class PublicFiling:
    report: Report
    tracking_code: str  # shown once: it is not kept anywhere


@dataclass(frozen=True)
class ComplaintFiling:
    complaint: Complaint
    tracking_code: str  # shown once: it is not kept anywhere


@dataclass(frozen=True)
class PublicReply:
    text: str
    at: str


@dataclass(frozen=True)
class PublicView:
    status: str
    replies: list[PublicReply]
    kind: str = "concern"
    # A complaint's answer is due by this day (in the server's time zone).
    answer_due: date | None = None


def what_to_do_now(country: str) -> str:
    """What a reporter who marked immediate danger reads at once (the API's and the page's),
    with the numbers of the country's pack."""
    numbers = helplines_of(country)
    values = {"emergency": numbers.emergency, "helpline": numbers.child}
    if numbers.child_free and numbers.child_always_open:
        return (
            _(
                "If a child is in danger right now, call %(emergency)s. A child can also call the "
                "child helpline %(helpline)s, free of charge, at any hour."
            )
            % values
        )
    return (
        _(
            "If a child is in danger right now, call %(emergency)s. A child can also call the "
            "child helpline %(helpline)s."
        )
        % values
    )


# --- tracking codes ------------------------------------------------------------------------------


def code_new() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + CODE_GROUP] for i in range(0, CODE_LENGTH, CODE_GROUP))


def code_normalise(code: str) -> str | None:
    """The code's characters as generated, whatever the case, dashes and spaces and look-alike
    letters; None when it cannot be a code."""
    raw = "".join(code.split()).replace("-", "").upper().translate(_CODE_LOOKALIKES)
    if len(raw) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in raw):
        return None
    return raw


def code_digest(normalised: str) -> str:
    return salted_hmac(
        "ocrotire.intake.public-tracking-code", normalised, algorithm="sha256"
    ).hexdigest()


# --- limits --------------------------------------------------------------------------------------


def _address_key() -> str:
    address = context.current().ip or "unknown"
    return salted_hmac("ocrotire.intake.public-address", address, algorithm="sha256").hexdigest()[
        :32
    ]


def _window() -> int:
    return int(settings.OCROTIRE_PUBLIC_WINDOW_MINUTES) * 60


def _reached(name: str, limit: int) -> bool:
    start = timezone.now() - timedelta(seconds=_window())
    row = PublicLimit.objects.filter(key=name, window_started_at__gte=start).first()
    return row is not None and row.count >= limit


def _count(name: str) -> None:
    """One more within the window (a new window when the last one is over). In a transaction of
    its own with the row locked, so that concurrent requests on other processes count each."""
    now = timezone.now()
    with transaction.atomic():
        row, _created = PublicLimit.objects.select_for_update().get_or_create(
            key=name, defaults={"count": 0, "window_started_at": now}
        )
        if row.window_started_at < now - timedelta(seconds=_window()):
            row.count, row.window_started_at = 0, now
        row.count += 1
        row.save(update_fields=["count", "window_started_at"])
    # Counts whose window is over count nothing: deleted, so that no digest of an address is
    # kept longer than its window (the privacy notice says so).
    PublicLimit.objects.filter(window_started_at__lt=now - timedelta(seconds=_window())).delete()


def _filing_allowed(kind: str, per_address: int) -> str:
    address = _address_key()
    if _reached(f"{kind}:{address}", per_address):
        raise PublicThrottled(
            _("Too many reports or messages were sent from here. Try again later.")
        )
    if kind == "filings" and _reached("filings:all", settings.OCROTIRE_PUBLIC_FILINGS_TOTAL):
        raise PublicThrottled(
            _("The service receives too many reports just now. Wait a few minutes and try again.")
        )
    return address


def _code_allowed() -> str:
    address = _address_key()
    if _reached(f"wrong-codes:{address}", settings.OCROTIRE_PUBLIC_CODE_FAILURES):
        raise PublicThrottled(
            _("Too many wrong tracking codes were tried from here. Try again later.")
        )
    return address


@contextmanager
def _no_address() -> Iterator[None]:
    """Audit rows written here carry no address: the public side keeps none."""
    current = context.current()
    with context.bound(
        context.RequestContext(
            ip=None,
            request_id=current.request_id,
            client_request_id=current.client_request_id,
        )
    ):
        yield


# --- filing --------------------------------------------------------------------------------------


def default_unit(country: str) -> Unit | None:
    """Where a report goes when the reporter does not know the place: see the module's doc."""
    return (
        Unit.objects.filter(
            country=country.upper(),
            active=True,
            institutions__kind__in=AUTHORITY_KINDS,
            institutions__active=True,
        )
        .order_by("depth", "code")
        .first()
    )


def _unit(data: PublicReportInput | PublicComplaintInput) -> Unit:
    if data.unit_code:
        unit = Unit.objects.filter(code=data.unit_code, active=True).first()
        if unit is None:
            raise ValidationError({"unit": _("There is no unit with this code.")})
        return unit
    if not data.country:
        raise ValidationError(
            {"country": _("Give the place where it happened, or at least the country.")}
        )
    unit = default_unit(data.country)
    if unit is None:
        raise ValidationError({"country": _("Reports for this country are not received here.")})
    return unit


def _child_input(child: PublicChild, index: int) -> ChildInput:
    if not (child.given_name.strip() or child.family_name.strip()):
        raise ValidationError(
            {
                "children": _("Child %(index)s: give at least a first name or a family name.")
                % {"index": index}
            }
        )
    birth_date = None
    if child.age is not None:
        birth_date = date(timezone.localdate().year - child.age, 1, 1)
    return ChildInput(
        new=PersonInput(
            given_name=child.given_name.strip(),
            family_name=child.family_name.strip(),
            birth_date=birth_date,
            birth_date_precision=BirthDatePrecision.YEAR,
            birth_date_estimated=birth_date is not None,
        )
    )


@transaction.atomic
def public_report_file(*, data: PublicReportInput) -> PublicFiling:
    """File a concern from the public channel; the answer holds the only copy of its code."""
    address = _filing_allowed("filings", settings.OCROTIRE_PUBLIC_FILINGS_PER_ADDRESS)
    if data.reporter_kind not in PUBLIC_REPORTER_KINDS:
        raise ValidationError(
            {"reporter": _("Say whether you are the child, someone else, or anonymous.")}
        )
    unit = _unit(data)
    children = [_child_input(child, i) for i, child in enumerate(data.children, start=1)]
    report_input = ReportInput(
        channel=Channel.ONLINE,
        reporter_kind=data.reporter_kind,
        reporter_anonymous=data.reporter_kind == ReporterKind.ANONYMOUS,
        unit=unit,
        location=data.location,
        narrative=data.narrative,
        concerns=data.concerns or [DEFAULT_CONCERN],
        children=children,
        immediate_danger=data.immediate_danger,
    )
    cleaned = _clean(None, report_input, timezone.now())
    code = code_new()
    with _no_address():
        report = _report_insert(
            actor=None,
            data=report_input,
            cleaned=cleaned,
            audit_extra={"via": "public_channel"},
        )
        PublicAccess.objects.create(
            report=report, code_digest=code_digest(code_normalise(code) or "")
        )
    _count(f"filings:{address}")
    _count("filings:all")
    return PublicFiling(report=report, tracking_code=code)


def _complaint_clean(data: PublicComplaintInput) -> None:
    errors: dict[str, str] = {}
    if data.complainant_kind not in PUBLIC_REPORTER_KINDS:
        errors["reporter"] = _("Say whether you are the child, someone else, or anonymous.")
    if data.about not in ComplaintAbout.values:
        errors["about"] = _("Say whether it is about a service, an institution or a person.")
    if not data.narrative.strip():
        errors["narrative"] = _("Write what your complaint is about.")
    elif len(data.narrative.strip()) > TEXT_LIMIT:
        errors["narrative"] = _("Keep it under %(limit)s characters.") % {"limit": TEXT_LIMIT}
    if len(data.about_name) > 300:
        errors["about_name"] = _("Keep it under %(limit)s characters.") % {"limit": 300}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def public_complaint_file(*, data: PublicComplaintInput) -> ComplaintFiling:
    """File a complaint from the public channel, within the channel's limits."""
    address = _filing_allowed("filings", settings.OCROTIRE_PUBLIC_FILINGS_PER_ADDRESS)
    filing = complaint_receive(data=data)
    _count(f"filings:{address}")
    _count("filings:all")
    return filing


@transaction.atomic
def complaint_receive(
    *, data: PublicComplaintInput, received_at: datetime | None = None
) -> ComplaintFiling:
    """Register a complaint (the public channel's limits are the caller's). It lands at the
    authority of the place given (the country's directorate when unknown), never with the service
    complained about: only the heads and supervisors of that authority read complaints, and they
    are told of it. `received_at`: when it arrived, if earlier than now (the demo's)."""
    _complaint_clean(data)
    unit = _unit(data)
    now = received_at or timezone.now()
    deadline = complaint_answer_due(unit.country, now)
    if deadline is None:
        raise ValidationError({"country": _("Complaints for this country are not received here.")})
    prefix = number_prefix(unit, now)
    code = code_new()
    with _no_address():
        number = next_number(prefix=prefix.prefix, year=prefix.year, kind="complaint")
        complaint = Complaint.objects.create(
            number=f"{prefix.prefix}-P-{prefix.year}-{number}",
            unit=unit,
            channel=Channel.ONLINE,
            complainant_kind=data.complainant_kind,
            about=data.about,
            about_name=data.about_name.strip(),
            narrative=data.narrative.strip(),
            received_at=now,
            answer_due_at=deadline.due_at,
            answer_basis=deadline.legal_reference[:300],
            answer_basis_verified=deadline.verified,
        )
        PublicAccess.objects.create(
            complaint=complaint, code_digest=code_digest(code_normalise(code) or "")
        )
        audit_record(
            actor=None,
            action=AuditAction.CREATE,
            obj=complaint,
            changes={
                "number": complaint.number,
                "unit": unit.code,
                "about": data.about,
                "answer_due_at": deadline.due_at.isoformat(),
                "via": "public_channel",
            },
        )
    notify(
        users=supervisors_of(unit),
        kind=IntakeNotice.COMPLAINT_RECEIVED,
        data={
            "subject": complaint.number,
            "complaint": complaint.pk,
            "due": timezone.localdate(deadline.due_at).isoformat(),
        },
    )
    return ComplaintFiling(complaint=complaint, tracking_code=code)


def _access_of_code(code: str) -> PublicAccess:
    """The report or complaint the code follows; a wrong code counts against the address and is
    a 404."""
    address = _code_allowed()
    normalised = code_normalise(code)
    access = (
        PublicAccess.objects.select_related("report", "report__unit", "complaint")
        .filter(code_digest=code_digest(normalised))
        .first()
        if normalised is not None
        else None
    )
    if access is None:
        _count(f"wrong-codes:{address}")
        raise NotFound
    return access


def public_status(report: Report) -> str:
    if report.status == ReportStatus.NEW:
        return PublicStatus.RECEIVED
    if report.status == ReportStatus.CLOSED:
        return PublicStatus.CLOSED
    return PublicStatus.BEING_LOOKED_INTO


def complaint_public_status(complaint: Complaint, *, replied: bool) -> str:
    if complaint.status == ComplaintStatus.ANSWERED:
        return PublicStatus.CLOSED
    return PublicStatus.BEING_LOOKED_INTO if replied else PublicStatus.RECEIVED


def public_report_view(*, code: str) -> PublicView:
    """What the holder of a code may see: the plain status and the staff's replies (their text
    and date, never who wrote them)."""
    access = _access_of_code(code)
    subject: Report | Complaint = access.report or access.complaint  # type: ignore[assignment]
    replies = [
        PublicReply(text=m.text, at=m.created_at.isoformat())
        for m in subject.public_messages.filter(author_kind=PublicMessageAuthor.STAFF)
    ]
    if access.complaint is not None:
        status = complaint_public_status(access.complaint, replied=bool(replies))
        return PublicView(
            status=status,
            replies=replies,
            kind="complaint",
            answer_due=timezone.localdate(access.complaint.answer_due_at),
        )
    assert access.report is not None
    return PublicView(status=public_status(access.report), replies=replies)


def text_clean(text: str) -> str:
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Write your message.")})
    if len(text) > TEXT_LIMIT:
        raise ValidationError(
            {"text": _("Keep the message under %(limit)s characters.") % {"limit": TEXT_LIMIT}}
        )
    return text


def public_message_add(
    *, code: str, text: str, upload: UploadedFile | None = None
) -> PublicMessage:
    """More information from the reporter, with a file if they wish; the staff read it on the
    report or complaint. The code is looked up before the write's transaction, so that a wrong
    one stays counted when it is refused."""
    return _message_add(access=_access_of_code(code), text=text, upload=upload)


def _file_name(upload: UploadedFile) -> str:
    """The name the reporter's device gave, without any folder or control character."""
    name = (upload.name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if c.isprintable()).strip()
    return name[:200] or "file"


@transaction.atomic
def _message_add(
    *, access: PublicAccess, text: str, upload: UploadedFile | None = None
) -> PublicMessage:
    address = _filing_allowed("messages", settings.OCROTIRE_PUBLIC_MESSAGES_PER_ADDRESS)
    text = text_clean(text) if upload is None or text.strip() else ""
    subject: Report | Complaint = access.report or access.complaint  # type: ignore[assignment]
    message = PublicMessage(
        report=access.report,
        complaint=access.complaint,
        author_kind=PublicMessageAuthor.REPORTER,
        text=text,
    )
    if upload is not None:
        checked = check_upload(
            upload,
            types=PUBLIC_FILE_TYPES,
            refusal=_("Send a photo (JPEG or PNG), a PDF document or a sound recording (MP3)."),
        )
        message.file_name = _file_name(upload)
        message.file_type = checked.content_type
        message.file_size = checked.size
        message.file_sha256 = checked.sha256
        message.file.save(f"{access.pk}-{checked.sha256[:16]}", upload, save=False)
    with _no_address():
        message.save(force_insert=True)
        audit_record(
            actor=None,
            action=AuditAction.CREATE,
            obj=message,
            changes={
                "complaint" if access.complaint else "report": subject.number,
                "via": "public_channel",
                "length": len(text),
                **({"file_sha256": message.file_sha256} if upload is not None else {}),
            },
        )
    _count(f"messages:{address}")
    return message


def public_message_file(
    *, user: User, message_pk: int, report: Report | None = None, complaint: Complaint | None = None
) -> PublicMessage:
    """A reporter's file, for the staff who read the conversation it belongs to; audited."""
    if report is not None:
        if not can_triage(user, report):
            raise NotAllowed
        message = report.public_messages.filter(pk=message_pk).exclude(file="").first()
    elif complaint is not None:
        if not can_answer_complaint(user, complaint):
            raise NotAllowed
        message = complaint.public_messages.filter(pk=message_pk).exclude(file="").first()
    else:
        message = None
    if message is None:
        raise NotFound
    audit_record(
        actor=user,
        action=AuditAction.VIEW,
        obj=message,
        changes={"file_sha256": message.file_sha256},
    )
    return message


# --- the staff's side ----------------------------------------------------------------------------


def public_messages_of(*, user: User, report: Report) -> list[PublicMessage]:
    """Both sides of the conversation, for staff who may triage the report."""
    if not can_triage(user, report):
        raise NotAllowed
    return list(report.public_messages.select_related("written_by"))


@transaction.atomic
def public_reply_add(*, actor: User, report: Report, text: str) -> PublicMessage:
    """A reply the reporter reads with their code; audited with its author."""
    if not can_triage(actor, report):
        raise NotAllowed
    if not PublicAccess.objects.filter(report=report).exists():
        raise ValidationError({"text": _("This report was not filed on the public channel.")})
    text = text_clean(text)
    message = PublicMessage.objects.create(
        report=report, author_kind=PublicMessageAuthor.STAFF, text=text, written_by=actor
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=message,
        changes={"report": report.number, "reply_to_public": True, "length": len(text)},
    )
    return message
