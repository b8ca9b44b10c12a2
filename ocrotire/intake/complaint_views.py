"""Complaint pages of the staff: the authority's complaints, the soonest due first, and one
complaint with its conversation, a reply and the answer (intake/complaints.py)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from ocrotire.accounts.permissions import acting_user
from ocrotire.core.audit import audit_record
from ocrotire.core.errors import NotAllowed
from ocrotire.core.forms import service_call
from ocrotire.core.models import AuditAction
from ocrotire.intake import complaints
from ocrotire.intake.models import ComplaintStatus
from ocrotire.intake.permissions import reads_complaints
from ocrotire.intake.public import TEXT_LIMIT, public_message_file


class ComplaintReplyForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Reply to the complainant"),
        help_text=gettext_lazy("They read it with their tracking code; your name is not shown."),
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    answer = forms.BooleanField(
        label=gettext_lazy("This is the answer to the complaint: it closes the complaint"),
        required=False,
    )


@login_required
@require_GET
def complaint_list_view(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    if not reads_complaints(user):
        raise NotAllowed
    status = request.GET.get("status", "")
    if status not in ComplaintStatus.values:
        status = ""
    overdue = {"yes": True, "no": False}.get(request.GET.get("overdue", ""))
    qs = complaints.complaint_list(user=user, status=status, overdue=overdue)
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "intake/complaint_list.html",
        {
            "page": page,
            "statuses": ComplaintStatus.choices,
            "filters": {"status": status, "overdue": request.GET.get("overdue", "")},
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def complaint_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    if not reads_complaints(user):
        raise NotAllowed
    complaint = complaints.complaint_get(user=user, pk=pk)
    form = ComplaintReplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with service_call(form) as call:
            complaints.complaint_reply_add(
                actor=user,
                complaint=complaint,
                text=form.cleaned_data["text"],
                answer=form.cleaned_data["answer"],
            )
        if call.ok:
            messages.success(
                request,
                _("The answer was sent and the complaint is closed.")
                if form.cleaned_data["answer"]
                else _("The reply was sent. The complainant reads it with their code."),
            )
            return redirect("complaints:detail", pk=pk)
    elif request.method == "GET":
        audit_record(actor=user, action=AuditAction.VIEW, obj=complaint)
    return render(
        request,
        "intake/complaint_detail.html",
        {
            "complaint": complaint,
            "conversation": complaints.complaint_messages(user=user, complaint=complaint),
            "overdue": complaints.complaint_is_overdue(complaint),
            "answered_late": complaints.complaint_answered_late(complaint),
            "form": form,
        },
        status=400 if form.is_bound else 200,
    )


@login_required
@require_GET
def complaint_file_view(request: HttpRequest, pk: int, message_pk: int) -> FileResponse:
    """A file the complainant sent with a message, to those who read the complaint."""
    user = acting_user(request)
    complaint = complaints.complaint_get(user=user, pk=pk)
    message = public_message_file(user=user, message_pk=message_pk, complaint=complaint)
    return FileResponse(
        message.file.open("rb"),
        as_attachment=True,
        filename=message.file_name,
        content_type=message.file_type,
    )
