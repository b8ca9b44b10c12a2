"""Register pages: the list of reports, the intake form (full for the authority, short for a school,
clinic or police reporter; its live panels are partials.py), "my reports", the report card
(card.py) with its attachments and the notification form. Triage is the cases app's page."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ocrotire.accounts.models import User
from ocrotire.accounts.permissions import acting_user
from ocrotire.accounts.selectors import institution_list, unit_choices
from ocrotire.core.forms import service_call
from ocrotire.intake import public, services
from ocrotire.intake.card import report_card
from ocrotire.intake.children import NamedChild, children_resolve
from ocrotire.intake.forms import (
    AttachmentForm,
    ChildForm,
    ChildFormSet,
    FormReceivedForm,
    ReportForm,
    ShortReportForm,
)
from ocrotire.intake.models import (
    Channel,
    Report,
    ReporterKind,
    ReporterSector,
    ReportStatus,
)
from ocrotire.intake.permissions import (
    can_file_report,
    can_record_form_received,
    keeps_register,
)
from ocrotire.intake.selectors import (
    report_get,
    report_list_from_query,
    report_scope,
    reports_filed_by,
)
from ocrotire.registry.matching import Probe, match, reason_text
from ocrotire.registry.models import Person
from ocrotire.registry.selectors import person_list, person_scope
from ocrotire.registry.services import PersonInput

CHILD_PREFIX = "child"


def _register_user(request: HttpRequest) -> User:
    user = acting_user(request)
    if not keeps_register(user):
        raise PermissionDenied
    return user


def _filer(request: HttpRequest) -> User:
    user = acting_user(request)
    if not can_file_report(user):
        raise PermissionDenied
    return user


def _country_of(user: User) -> str:
    first = user.units.order_by("path").first()
    if first is not None:
        return first.country
    return user.institution.country if user.institution else "MD"


@login_required
def report_list_view(request: HttpRequest) -> HttpResponse:
    user = _register_user(request)
    get = request.GET
    qs, filters = report_list_from_query(user=user, params=get)
    page = Paginator(qs, 25).get_page(get.get("page"))
    return render(
        request,
        "intake/report_list.html",
        {
            "page": page,
            "filters": filters,
            "statuses": ReportStatus.choices,
            "channels": Channel.choices,
            "query": urlencode(filters) + "&",
        },
    )


@login_required
def report_mine_view(request: HttpRequest) -> HttpResponse:
    """What the filer sees of their reports: that each was received, and where it stands."""
    user = _filer(request)
    page = Paginator(reports_filed_by(user=user), 25).get_page(request.GET.get("page"))
    return render(request, "intake/report_mine.html", {"page": page, "query": ""})


# --- the intake form -------------------------------------------------------------------------


def _decorate(candidates: list[Any]) -> list[dict[str, Any]]:
    return [
        {
            "person": c.person,
            "percent": round(c.score * 100),
            "reasons": [reason_text(code) for code in c.reasons],
        }
        for c in candidates
    ]


def _child_candidates(user: User, form: ChildForm) -> list[dict[str, Any]]:
    """Registry records that may be this child; only those who keep the register may look."""
    data = getattr(form, "cleaned_data", None) or {}
    if not keeps_register(user) or not (data.get("given_name") or data.get("family_name")):
        return []
    probe = Probe(
        given_name=data.get("given_name") or "",
        family_name=data.get("family_name") or "",
        sex=data.get("sex") or "",
        birth_date=data.get("birth_date"),
        birth_date_estimated=bool(data.get("birth_date_estimated")),
        identifiers=form.identifiers() if not form.errors else [],
    )
    return _decorate(match(probe, persons=person_scope(user), minimum=0.5, limit=5))


def _child_rows(user: User, formset: Any, *, bound: bool) -> list[dict[str, Any]]:
    rows = []
    for index, subform in enumerate(formset.forms):
        if bound:
            subform.is_valid()
        data = getattr(subform, "cleaned_data", None) or {}
        rows.append(
            {
                "index": index,
                "form": subform,
                "candidates": _child_candidates(user, subform) if bound else [],
                "chosen": data.get("person"),
            }
        )
    return rows


def _existing_block(user: User, post: Any) -> dict[str, Any]:
    """Children already in the registry: those ticked, and the results of the current search."""
    if not keeps_register(user):
        return {"selected": [], "results": [], "child_q": ""}
    # A record id is 1 to 18 ASCII digits (as in the addresses): nothing longer reaches a query.
    ids = [int(v) for v in post.getlist("existing") if v.isascii() and v.isdigit() and len(v) <= 18]
    ids = ids[:20]
    selected = list(person_scope(user).filter(pk__in=ids)) if ids else []
    child_q = (post.get("child_q") or "").strip()[:100]
    chosen = {p.pk for p in selected}
    results = (
        [p for p in person_list(user=user, search=child_q)[:10] if p.pk not in chosen]
        if child_q
        else []
    )
    return {"selected": selected, "results": results, "child_q": child_q, "searched": bool(child_q)}


def _child_formset(request: HttpRequest) -> Any:
    if request.method != "POST":
        return ChildFormSet(prefix=CHILD_PREFIX)
    if request.POST.get("action") != "add_child":
        return ChildFormSet(request.POST, prefix=CHILD_PREFIX)
    data = request.POST.copy()
    total = f"{CHILD_PREFIX}-TOTAL_FORMS"
    current = data.get(total, "1")
    data[total] = str(min((int(current) if current.isdigit() else 1) + 1, 20))
    return ChildFormSet(data, prefix=CHILD_PREFIX)


def _new_child(facts: Mapping[str, Any]) -> PersonInput:
    return PersonInput(
        given_name=facts["given_name"],
        family_name=facts["family_name"],
        sex=facts["sex"],
        birth_date=facts["birth_date"],
        birth_date_estimated=facts["birth_date_estimated"],
        identifiers=facts["identifiers"],
    )


def _children_of(
    user: User, existing: list[Person], formset: Any
) -> tuple[list[services.ChildInput], list[str]]:
    """The children ticked in the registry, then the rows of the form (a blank row keeps its
    number but names no child)."""
    named: list[NamedChild | None] = [NamedChild(person=p.pk) for p in existing]
    for subform in formset.forms:
        if subform.is_blank():
            named.append(None)
            continue
        data = subform.cleaned_data
        named.append(
            NamedChild(
                person=data.get("person") or None,
                facts={**data, "identifiers": subform.identifiers()},
            )
        )
    return children_resolve(user=user, named=named, build=_new_child)


def what_happened(data: Mapping[str, Any], children: list[services.ChildInput]) -> dict[str, Any]:
    """What every intake form asks about the concern (the full form, the short one, the hotline's),
    as `report_create` takes it."""
    return {
        "unit": data["unit"],
        "narrative": data["narrative"],
        "concerns": [c.code for c in data["concerns"]],
        "most_serious": data["most_serious"].code if data["most_serious"] else "",
        "children": children,
        "location": data["location"],
        "immediate_danger": data["immediate_danger"],
    }


def _full_input(
    user: User, form: ReportForm, children: list[services.ChildInput]
) -> services.ReportInput:
    data = form.cleaned_data
    anonymous = data["reporter_kind"] == ReporterKind.ANONYMOUS
    return services.ReportInput(
        channel=data["channel"],
        reporter_kind=data["reporter_kind"],
        reporter_sector=data["reporter_sector"]
        if data["reporter_kind"] == ReporterKind.PROFESSIONAL
        else "",
        reporter_anonymous=anonymous,
        reporter_institution=data["reporter_institution"]
        if data["reporter_kind"] == ReporterKind.PROFESSIONAL
        else None,
        # The identity fields are hidden once "anonymous" is chosen: what was typed before is dropped.
        reporter_name="" if anonymous else data["reporter_name"],
        reporter_contact="" if anonymous else data["reporter_contact"],
        reporter_relationship=data["reporter_relationship"],
        received_at=data["received_at"],
        information_source=data["information_source"],
        alleged_perpetrator=data["alleged_perpetrator"],
        phone_notice_at=data["phone_notice_at"],
        form_received_at=data["form_received_at"],
        agencies=form.agencies(),
        **what_happened(data, children),
    )


def _short_input(
    user: User, form: ShortReportForm, children: list[services.ChildInput]
) -> services.ReportInput:
    """A reporter files the institution's notification form for their own institution."""
    data = form.cleaned_data
    return services.ReportInput(
        channel=Channel.NOTIFICATION_FORM,
        reporter_kind=ReporterKind.PROFESSIONAL,
        reporter_sector=services.sector_of(user.institution) or ReporterSector.OTHER,
        reporter_institution=user.institution,
        reporter_name=data["reporter_name"],
        reporter_contact=data["reporter_contact"],
        **what_happened(data, children),
    )


# Where each error of report_create belongs on the page.
ERROR_FIELDS = {
    "reporter": "reporter_sector",
    "agencies": None,
    "file": "attachment",
}


def _show_errors(form: Any, exc: ValidationError, children_errors: list[str]) -> None:
    messages_by_field = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
    for name, errors in messages_by_field.items():
        if name == "children":
            children_errors.extend(errors)
            continue
        target = ERROR_FIELDS.get(name, name)
        if name == "reporter" and "reporter_sector" not in form.fields:
            target = None
        form.add_error(target if target in form.fields else None, errors)


@login_required
@require_http_methods(["GET", "POST"])
def report_create_view(request: HttpRequest) -> HttpResponse:
    user = _filer(request)
    staff = keeps_register(user)
    country = _country_of(user)
    units = unit_choices(user=user)
    post = request.POST if request.method == "POST" else None
    form: ReportForm | ShortReportForm
    if staff:
        form = ReportForm(
            post,
            request.FILES or None,
            units=units,
            country=country,
            institutions=institution_list(user=user),
        )
    else:
        form = ShortReportForm(
            post,
            units=units,
            country=country,
            initial={
                "reporter_name": user.get_full_name(),
                "reporter_contact": user.email,
                "unit": units.first() if units.count() == 1 else None,
            },
        )
    formset = _child_formset(request)
    existing = _existing_block(user, request.POST)
    children_errors: list[str] = []
    action = request.POST.get("action", "save")
    if request.method == "POST" and action == "save":
        form_ok = form.is_valid()
        formset_ok = formset.is_valid()
        if form_ok and formset_ok:
            children, children_errors = _children_of(user, existing["selected"], formset)
            if not children_errors:
                report = _file(request, user, form, children, children_errors)
                if report is not None:
                    return _after_filing(request, user, report)
    return render(
        request,
        "intake/report_form.html",
        {
            "form": form,
            "formset": formset,
            "rows": _child_rows(user, formset, bound=request.method == "POST"),
            "existing": existing,
            "children_errors": children_errors,
            "staff": staff,
            "institution": user.institution,
            "file_lost": bool(request.FILES),
        },
    )


def _file(
    request: HttpRequest,
    user: User,
    form: ReportForm | ShortReportForm,
    children: list[services.ChildInput],
    children_errors: list[str],
) -> Report | None:
    data = (
        _full_input(user, form, children)
        if isinstance(form, ReportForm)
        else _short_input(user, form, children)
    )
    upload = form.cleaned_data.get("attachment")
    try:
        # The report and its file stand or fall together: a refused file files nothing.
        with transaction.atomic():
            report = services.report_create(actor=user, data=data)
            if upload:
                services.attachment_add(actor=user, report=report, upload=upload)
    except ValidationError as exc:
        _show_errors(form, exc, children_errors)
        return None
    return report


def _after_filing(request: HttpRequest, user: User, report: Report) -> HttpResponse:
    messages.success(
        request,
        _("The report was registered under number %(number)s.") % {"number": report.number},
    )
    if keeps_register(user):
        if report_scope(user).filter(pk=report.pk).exists():
            return redirect("intake:report-detail", pk=report.pk)
        # Filed for another authority's area: the filer only learns that it was received.
        return redirect("intake:report-list")
    return redirect("intake:report-mine")


# --- the report card ------------------------------------------------------------------------


@login_required
def report_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _filer(request)
    report = report_get(user=user, pk=pk)
    if not keeps_register(user):
        return render(request, "intake/report_status.html", {"report": report})
    services.report_view_record(actor=user, report=report)
    return report_card(request, user=user, report=report)


@login_required
@require_POST
def report_form_received_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _filer(request)
    report = report_get(user=user, pk=pk)
    if not can_record_form_received(user, report):
        raise PermissionDenied
    form = FormReceivedForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter a valid date and time."))
        return redirect("intake:report-detail", pk=pk)
    conflict = _("Someone else changed this report meanwhile. Check it and try again.")
    with service_call(request=request, conflict=conflict) as call:
        services.report_form_receive(
            actor=user,
            report=report,
            version=form.cleaned_data["version"],
            at=form.cleaned_data["at"],
        )
    if call.ok:
        messages.success(request, _("The notification form was recorded as received."))
    return redirect("intake:report-detail", pk=pk)


@login_required
@require_POST
def public_reply_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A reply to the reporter of a public report, from the card's panel (intake/public_panel)."""
    user = _filer(request)
    report = report_get(user=user, pk=pk)
    with service_call(request=request) as call:
        public.public_reply_add(actor=user, report=report, text=request.POST.get("text", ""))
    if call.ok:
        messages.success(request, _("The reply was sent. The reporter reads it with their code."))
    return redirect("intake:report-detail", pk=pk)


@login_required
def public_file_view(request: HttpRequest, pk: int, message_pk: int) -> FileResponse:
    """A file the reporter sent with a message, to the staff who may triage the report."""
    user = _filer(request)
    report = report_get(user=user, pk=pk)
    message = public.public_message_file(user=user, message_pk=message_pk, report=report)
    return FileResponse(
        message.file.open("rb"),
        as_attachment=True,
        filename=message.file_name,
        content_type=message.file_type,
    )


@login_required
@require_POST
def attachment_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _filer(request)
    report = report_get(user=user, pk=pk)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a file to attach."))
        return redirect("intake:report-detail", pk=pk)
    with service_call(request=request) as call:
        attachment = services.attachment_add(
            actor=user, report=report, upload=form.cleaned_data["file"]
        )
    if call.ok:
        messages.success(request, _("The file %(name)s was attached.") % {"name": attachment.name})
    return redirect("intake:report-detail", pk=pk)


@login_required
def attachment_download_view(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    """Files are private: served only here, to those who keep the register of the report's area."""
    user = _register_user(request)
    report = report_get(user=user, pk=pk)
    attachment = report.attachments.filter(pk=attachment_pk).first()
    if attachment is None:
        raise Http404
    services.attachment_view_record(actor=user, attachment=attachment)
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type,
    )
