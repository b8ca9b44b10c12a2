"""Notification pages: a user's notices, marking one or all read. The URL map mounts them under
/cases/notifications/ in the `cases` namespace, where they have always been."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ocrotire.accounts.models import User
from ocrotire.accounts.permissions import acting_user
from ocrotire.workflow import services
from ocrotire.workflow.notices import notification_text
from ocrotire.workflow.permissions import can_view_notifications
from ocrotire.workflow.selectors import notifications_of


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
