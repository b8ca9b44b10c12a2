"""How a task ends other than by the event of its rule: superseded by a newer task of the same
rule (`deadlines.tasks_supersede`, from `event_fire`), or cancelled: by a step that made it
unnecessary (`deadlines.tasks_cancel` with its cause), or here by a supervisor with a reason. With
`event_fire` meeting tasks, every task can end: none stays open for ever."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ocrotire.core.audit import audit_record
from ocrotire.core.errors import Conflict, NotAllowed
from ocrotire.core.models import AuditAction
from ocrotire.workflow.deadlines import event_fire
from ocrotire.workflow.models import CancelCause, Task, TaskStatus
from ocrotire.workflow.permissions import can_cancel_task

if TYPE_CHECKING:
    from ocrotire.accounts.models import User

# The longest reason kept (as the model's field); a longer one is refused, not cut.
REASON_LIMIT = 2000


@transaction.atomic
def task_cancel(*, actor: User, task: Task, reason: str, status: str = TaskStatus.OPEN) -> Task:
    """A supervisor or head of the task's area, or an administrator, cancels an open task with a
    reason: audited and on the timeline. `status` is the state the actor saw (open): a task met,
    cancelled or replaced meanwhile answers a conflict."""
    if not can_cancel_task(actor, task):
        raise NotAllowed
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Write why the task is no longer needed.")})
    if len(reason) > REASON_LIMIT:
        raise ValidationError(
            {"reason": _("At most %(limit)s characters.") % {"limit": REASON_LIMIT}}
        )
    locked = (
        Task.objects.select_for_update(of=("self",))
        .select_related("case", "report", "unit", "rule")
        .get(pk=task.pk)
    )
    if locked.status != status or locked.status != TaskStatus.OPEN:
        raise Conflict
    now = timezone.now()
    Task.objects.filter(pk=locked.pk).update(
        status=TaskStatus.CANCELLED,
        cancelled_at=now,
        cancelled_by=actor,
        cancel_cause=CancelCause.BY_HAND,
        cancel_reason=reason,
    )
    locked.refresh_from_db()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        changes={"status": [TaskStatus.OPEN, TaskStatus.CANCELLED], "reason": reason},
    )
    event_fire(
        actor=actor,
        kind="task_cancelled",
        at=now,
        case=locked.case,
        report=None if locked.case_id else locked.report,
        data={"task": locked.kind, "task_id": locked.pk, "reason": reason},
    )
    return locked
