"""Complaints on the staff's side: the authority's list of complaints, one complaint with its
conversation, a reply, and the answer that closes it.

A complaint is filed on the public channel (`public.public_complaint_file`) and may name any
professional of the authority, so it is read only by the heads and supervisors whose area covers
its unit (`permissions.reads_complaints`); a specialist, a provider's staff or a reporter never
sees one. Its answer is due by the time set from the country's pack when it arrived; a complaint
still unanswered after it is overdue. The answer is a reply the complainant reads with the
tracking code, marked as the answer: it closes the complaint and is audited with its author.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import BooleanField, Case, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from ocrotire.accounts.models import User
from ocrotire.core.audit import audit_record
from ocrotire.core.errors import Invalid, NotAllowed, NotFound
from ocrotire.core.models import AuditAction
from ocrotire.intake.models import Complaint, ComplaintStatus, PublicMessage, PublicMessageAuthor
from ocrotire.intake.permissions import can_answer_complaint, reads_complaints
from ocrotire.intake.public import text_clean
from ocrotire.registry.selectors import scope_q


def complaint_scope(user: User) -> QuerySet[Complaint]:
    if not reads_complaints(user):
        return Complaint.objects.none()
    condition = scope_q(user, "unit")
    qs = Complaint.objects.all()
    return qs if condition is None else qs.filter(condition)


def complaint_list(
    *, user: User, status: str = "", overdue: bool | None = None
) -> QuerySet[Complaint]:
    """The user's complaints, those awaiting an answer first, the soonest due first; each
    carries `overdue` (unanswered past its due time)."""
    now = timezone.now()
    late = Q(status=ComplaintStatus.RECEIVED, answer_due_at__lt=now)
    qs = complaint_scope(user).select_related("unit")
    if status:
        qs = qs.filter(status=status)
    if overdue is True:
        qs = qs.filter(late)
    elif overdue is False:
        qs = qs.exclude(late)
    waiting = Q(status=ComplaintStatus.RECEIVED)
    return qs.annotate(
        overdue=Case(
            When(late, then=Value(True)), default=Value(False), output_field=BooleanField()
        ),
        answered=Case(When(waiting, then=Value(0)), default=Value(1)),
    ).order_by("answered", "answer_due_at", "id")


def complaint_get(*, user: User, pk: int) -> Complaint:
    complaint = complaint_scope(user).select_related("unit", "answered_by").filter(pk=pk).first()
    if complaint is None:
        raise NotFound
    return complaint


def complaint_is_overdue(complaint: Complaint) -> bool:
    return complaint.status == ComplaintStatus.RECEIVED and complaint.answer_due_at < timezone.now()


def complaint_answered_late(complaint: Complaint) -> bool:
    return complaint.answered_at is not None and complaint.answered_at > complaint.answer_due_at


def complaint_messages(*, user: User, complaint: Complaint) -> list[PublicMessage]:
    """Both sides of the conversation, oldest first."""
    if not can_answer_complaint(user, complaint):
        raise NotAllowed
    return list(complaint.public_messages.select_related("written_by"))


@transaction.atomic
def complaint_reply_add(
    *, actor: User, complaint: Complaint, text: str, answer: bool = False
) -> PublicMessage:
    """A reply the complainant reads with their code. `answer`: it is the authority's answer to
    the complaint, which closes it; a complaint is answered once."""
    if not can_answer_complaint(actor, complaint):
        raise NotAllowed
    text = text_clean(text)
    locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if answer and locked.status == ComplaintStatus.ANSWERED:
        raise Invalid({"answer": [_("This complaint was already answered.")]})
    message = PublicMessage.objects.create(
        complaint=locked, author_kind=PublicMessageAuthor.STAFF, text=text, written_by=actor
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=message,
        changes={"complaint": locked.number, "answer": answer, "length": len(text)},
    )
    if answer:
        now = timezone.now()
        locked.status = ComplaintStatus.ANSWERED
        locked.answered_at = now
        locked.answered_by = actor
        locked.version += 1
        locked.save(update_fields=["status", "answered_at", "answered_by", "version"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=locked,
            changes={
                "status": ComplaintStatus.ANSWERED,
                "answered_at": now.isoformat(),
                "in_time": now <= locked.answer_due_at,
            },
        )
        complaint.status, complaint.answered_at = locked.status, locked.answered_at
        complaint.answered_by, complaint.version = actor, locked.version
    return message
