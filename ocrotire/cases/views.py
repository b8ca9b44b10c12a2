"""Case pages: the list, the case file with its tasks and timeline, one form per stage step, the
supervisor board and "my work", and the triage of a report (posted from its card). Scope and
rules live in selectors and services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from ocrotire.accounts.models import User
from ocrotire.accounts.permissions import acting_user
from ocrotire.accounts.selectors import unit_choices
from ocrotire.cases import forms as case_forms
from ocrotire.cases import services
from ocrotire.cases.casefile import case_file_disposition, case_file_pdf
from ocrotire.cases.guide import action_groups, due_sentence, next_step
from ocrotire.cases.models import Case, RiskLevel, Stage
from ocrotire.cases.panels import page_panels
from ocrotire.cases.permissions import (
    can_act,
    can_list_cases,
    can_view_board,
)
from ocrotire.cases.pipeline import stage_name, stage_path
from ocrotire.cases.selectors import (
    board,
    board_reports,
    case_get,
    case_list_from_query,
    case_records,
    case_tasks,
    case_team,
    case_timeline,
    my_work,
    removals_awaiting_return,
)
from ocrotire.cases.steps import step_get
from ocrotire.cases.triage import TriageInput, report_triage
from ocrotire.core.errors import Conflict
from ocrotire.core.forms import service_call
from ocrotire.core.pdf import PdfUnavailable
from ocrotire.intake.card import report_card
from ocrotire.intake.models import ReportStatus
from ocrotire.intake.permissions import can_file_report, can_triage, keeps_register
from ocrotire.intake.selectors import report_get
from ocrotire.registry.permissions import can_use_registry
from ocrotire.workflow.events import event_text
from ocrotire.workflow.permissions import can_cancel_task
from ocrotire.workflow.timeline import deadlines_of, rule_names

CONFLICT = gettext_lazy(
    "Someone else changed this case while you were working on it, so nothing was saved. "
    "Open the case again to see the changes, then repeat your step."
)


def _member(request: HttpRequest) -> User:
    user = acting_user(request)
    if not can_list_cases(user):
        raise PermissionDenied
    return user


@login_required
def case_list_view(request: HttpRequest) -> HttpResponse:
    user = _member(request)
    params = request.GET
    qs, filters = case_list_from_query(user=user, params=params)
    page = Paginator(qs, 25).get_page(params.get("page"))
    query = urlencode({k: v for k, v in filters.items() if v})
    return render(
        request,
        "cases/case_list.html",
        {
            "page": page,
            "filters": filters,
            "query": f"{query}&" if query else "",
            "stages": Stage.choices,
            "risks": RiskLevel.choices,
            "units": unit_choices(user=user),
            "nav_active": "cases",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_step_view(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    user = _member(request)
    case = case_get(user=user, pk=pk)
    definition = step_get(step)
    if definition is None:
        raise Http404
    if not services.step_permitted(user, case, step):
        raise PermissionDenied
    # The case page may open the step with the values that meet the deadline it leads to.
    chosen = {name: request.GET[name] for name in definition.preset_names() if name in request.GET}
    form = definition.form(
        request.POST or None, initial={"version": case.version, **chosen}, case=case
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        with service_call(form, conflict=CONFLICT) as call:
            moved = definition.take_from_page(user, case, version, data)
        status = call.status(status)
        if call.ok:
            messages.success(request, str(definition.done))
            try:
                case_get(user=user, pk=moved.pk)
            except Http404:
                # Transferred out of the user's area: the case file is no longer theirs to see.
                return redirect("cases:list")
            return redirect("cases:detail", pk=moved.pk)
    return render(
        request,
        definition.template,
        {
            "case": case,
            "form": form,
            "title": definition.title,
            "step": step,
            "refusal": services.step_refusal(case, step),
            "nav_active": "cases",
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _member(request)
    case = case_get(user=user, pk=pk)
    if not can_act(user, case):
        raise PermissionDenied
    form = case_forms.CaseEditForm(
        request.POST or None,
        initial={
            "version": case.version,
            "risk_level": case.risk_level,
            "registration_disposition": case.registration_disposition,
        },
        case=case,
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        with service_call(form, conflict=CONFLICT) as call:
            services.case_update(actor=user, case=case, version=version, values=data)
        status = call.status(status)
        if call.ok:
            messages.success(request, _("The changes were saved."))
            return redirect("cases:detail", pk=case.pk)
    return render(
        request,
        "cases/step_form.html",
        {
            "case": case,
            "form": form,
            "title": _("Edit the case"),
            "step": "edit",
            "refusal": None
            if case.is_open
            else _("A closed case cannot be changed: reopen it first."),
            "nav_active": "cases",
        },
        status=status,
    )


@login_required
@require_POST
def team_remove_view(request: HttpRequest, pk: int, user_pk: int) -> HttpResponse:
    user = _member(request)
    case = case_get(user=user, pk=pk)
    if not services.step_permitted(user, case, "team"):
        raise PermissionDenied
    member = case_team(case).filter(user_id=user_pk).first()
    if member is None:
        raise Http404
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = -1
    with service_call(request=request, conflict=CONFLICT) as call:
        services.case_member_remove(actor=user, case=case, version=version, user=member.user)
    if call.ok:
        messages.success(request, _("The team member was removed."))
    return redirect("cases:detail", pk=case.pk)


@login_required
def case_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _member(request)
    case = case_get(user=user, pk=pk)
    services.case_view_record(actor=user, case=case)
    names = rule_names(case.unit.country)
    steps = services.steps_for(user, case)
    now = timezone.now()
    tasks = [t for t in case_tasks(case) if t.status == "open"]
    for task in tasks:
        task.is_overdue = task.due_at < now  # type: ignore[attr-defined]
        task.name = task.rule.label()  # type: ignore[attr-defined]
        task.can_cancel = can_cancel_task(user, task)  # type: ignore[attr-defined]
        task.when = due_sentence(task.due_at, now)  # type: ignore[attr-defined]
    # Steps offered elsewhere on the page (the team's), or only when there is something to act on,
    # are no buttons.
    offered = [
        each
        for each in map(step_get, steps)
        if each is not None and each.button and each.is_offered(case)
    ]
    first = next_step(tasks, offered, now)
    groups = action_groups(offered, leave_out=first.step.code if first else "")
    if can_act(user, case) and case.is_open:
        details = next(g for g in groups if g["code"] == "team")
        details["links"].append((reverse("cases:edit", args=[case.pk]), _("Edit the case")))
    timeline = [
        {"event": e, "text": event_text(e, names), "deadlines": deadlines_of(e, names)}
        for e in case_timeline(case)
    ]
    return render(
        request,
        "cases/case_detail.html",
        {
            "case": case,
            "reports": case.reports.order_by("received_at"),
            "team": case_team(case),
            "tasks": tasks,
            "timeline": timeline,
            "path": stage_path(case),
            "stage": stage_name(case),
            "next_step": first,
            "groups": [g for g in groups if g["steps"] or g["links"]],
            "can_manage_team": "team" in steps,
            "child_link": can_use_registry(user),
            "report_links": keeps_register(user),
            "records": case_records(case),
            "return_required": removals_awaiting_return(case, now),
            "panels": page_panels(user, case),
            "nav_active": "cases",
        },
    )


@login_required
def case_file_pdf_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The case file as a PDF, for whoever may open the case (404 for anyone else)."""
    user = _member(request)
    case = case_get(user=user, pk=pk)
    try:
        document = case_file_pdf(actor=user, case=case)
    except PdfUnavailable:
        return render(
            request,
            "errors/error.html",
            {"status": 503, "message": _("This server cannot draw PDF documents.")},
            status=503,
        )
    response = HttpResponse(document, content_type="application/pdf")
    response["Content-Disposition"] = case_file_disposition(case)
    response["Cache-Control"] = "no-store"
    return response


def _column_label(stage: str, cases: list[Case]) -> str:
    """The stage as the column's cases' workflow names it when they all name it alike (one
    country's area), else its generic name."""
    names = {stage_name(case, stage) for case in cases}
    return names.pop() if len(names) == 1 else str(Stage(stage).label)


@login_required
def board_view(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    if not can_view_board(user):
        raise PermissionDenied
    unit = request.GET.get("unit", "").strip()[:40]
    grouped = board(user=user, unit_code=unit)
    columns = [
        {"stage": stage, "label": _column_label(stage, cases), "cases": cases}
        for stage, cases in grouped.items()
    ]
    return render(
        request,
        "cases/board.html",
        {
            "reports": list(board_reports(user=user, unit_code=unit)[:500]),
            "columns": columns,
            "unit": unit,
            "units": unit_choices(user=user),
            "nav_active": "board",
        },
    )


@login_required
def my_work_view(request: HttpRequest) -> HttpResponse:
    user = _member(request)
    work = my_work(user=user)
    lists = {name: list(work[name][:200]) for name in ("overdue", "due_today", "upcoming")}
    for task in (t for rows in lists.values() for t in rows):
        task.can_cancel = can_cancel_task(user, task)  # type: ignore[attr-defined]
    return render(
        request,
        "cases/my_work.html",
        {
            **lists,
            "approvals": list(work["approvals"][:200]),
            "nav_active": "my-work",
        },
    )


# --- triage of a report, on the report's card ------------------------------------------------


@login_required
@require_POST
def report_triage_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The triage form of a report's card posts here (`/reports/<id>/triage/`); refused, the card
    comes back with the form as it was filled in."""
    user = acting_user(request)
    if not can_file_report(user):
        raise PermissionDenied
    report = report_get(user=user, pk=pk)
    if not can_triage(user, report):
        raise PermissionDenied
    form = case_forms.TriageForm(request.POST, country=report.unit.country)
    if form.is_valid():
        data = form.cleaned_data
        try:
            result = report_triage(
                actor=user,
                report=report,
                version=data["version"],
                data=TriageInput(
                    decision=data["decision"],
                    reason=data["reason"],
                    risk_level=data["risk_level"],
                    redirect_to=data["redirect_to"],
                    redirect_to_text=data["redirect_to_text"],
                    registration_disposition=data["registration_disposition"],
                    at=data["at"],
                ),
            )
        except Conflict:
            form.add_error(
                None,
                _(
                    "Someone else changed this report while you were reading it. Reload the page "
                    "to see the change."
                ),
            )
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            cases = ", ".join(c.number for c in result.cases.all())
            if cases:
                text = _("Triage recorded: %(status)s (%(cases)s).") % {
                    "status": result.get_status_display(),
                    "cases": cases,
                }
            else:
                text = _("Triage recorded: %(status)s.") % {"status": result.get_status_display()}
            messages.success(request, text)
            return redirect("intake:report-detail", pk=pk)
    report = report_get(user=user, pk=pk)
    if report.status != ReportStatus.NEW:
        messages.error(
            request,
            _("This report was already triaged: %(status)s.")
            % {"status": report.get_status_display()},
        )
        return redirect("intake:report-detail", pk=pk)
    return report_card(request, user=user, report=report, bound={"triage": {"form": form}})
