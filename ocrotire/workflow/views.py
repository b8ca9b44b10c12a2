"""Notification pages: a user's notices, marking one or all read; and cancelling a task that is
no longer needed. The URL map mounts them under /cases/ in the `cases` namespace, where they have
always been."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from ocrotire.accounts.models import User
from ocrotire.accounts.permissions import acting_user
from ocrotire.core.forms import service_call
from ocrotire.workflow import services
from ocrotire.workflow.forms import TaskCancelForm
from ocrotire.workflow.lifecycle import task_cancel
from ocrotire.workflow.models import Task
from ocrotire.workflow.notices import notification_text
from ocrotire.workflow.permissions import can_cancel_task, can_view_notifications
from ocrotire.workflow.selectors import notifications_of, task_get


def _notifications_user(request: HttpRequest) -> User:
    user = acting_user(request)
    if not can_view_notifications(user):
        raise PermissionDenied
    return user


@login_required
def notification_list_view(request: HttpRequest) -> HttpResponse:
    user = _notifications_user(request)
    page = Paginator(notifications_of(user), 25).get_page(request.GET.get("page"))
    rows = [{"notification": n, "text": notification_text(n)} for n in page]
    return render(
        request,
        "workflow/notifications.html",
        {"page": page, "rows": rows, "query": "", "nav_active": "notifications"},
    )


def _back(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("cases:notifications")


@login_required
@require_POST
def notification_read_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _notifications_user(request)
    if not notifications_of(user).filter(pk=pk).exists():
        raise Http404
    services.notification_mark_read(actor=user, notification_id=pk)
    return _back(request)


@login_required
@require_POST
def notification_read_all_view(request: HttpRequest) -> HttpResponse:
    user = _notifications_user(request)
    count = services.notifications_mark_all_read(actor=user)
    if count:
        messages.success(request, _("All notifications were marked as read."))
    return redirect("cases:notifications")


CONFLICT = gettext_lazy(
    "This task was completed, cancelled or replaced while you were working on it, so nothing was "
    "saved."
)


def _subject_url(task: Task) -> str:
    if task.case_id is not None:
        return reverse("cases:detail", args=[task.case_id])
    return reverse("intake:report-detail", args=[task.report_id])


@login_required
@require_http_methods(["GET", "POST"])
def task_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel a task with a reason: supervisors and heads of the area, and administrators."""
    user = acting_user(request)
    task = task_get(user=user, pk=pk)
    if not can_cancel_task(user, task):
        raise PermissionDenied
    form = TaskCancelForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        with service_call(form, conflict=str(CONFLICT)) as call:
            task_cancel(actor=user, task=task, reason=form.cleaned_data["reason"])
        status = call.status(status)
        if call.ok:
            messages.success(request, _("The task was cancelled."))
            return redirect(_subject_url(task))
    return render(
        request,
        "workflow/task_cancel.html",
        {"task": task, "form": form, "back": _subject_url(task), "open": task.status == "open"},
        status=status,
    )
