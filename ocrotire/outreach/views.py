"""Pages of household screening for community workers and the register of their area: the
households by place with their last screening, the sheet, one screening with its flags and the
follow-up of each child, and the counts per place (outreach/screening.py, selectors.py)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ocrotire.accounts.permissions import acting_user
from ocrotire.core.audit import audit_record
from ocrotire.core.errors import NotAllowed, NotFound
from ocrotire.core.forms import service_call
from ocrotire.core.models import AuditAction
from ocrotire.dataforms.answers import answers_shown
from ocrotire.outreach import screening as services
from ocrotire.outreach import selectors
from ocrotire.outreach.forms import ReportFollowUpForm, ScreeningForm, VisitFollowUpForm
from ocrotire.outreach.models import FollowUpKind, Screening
from ocrotire.outreach.permissions import can_screen
from ocrotire.registry.models import Person
from ocrotire.registry.selectors import household_get

CONFLICT = _("Someone changed this screening meanwhile: read it again.")


def screener(request: HttpRequest) -> Any:
    """The signed-in user, if they may screen households (else 403)."""
    user = acting_user(request)
    if not can_screen(user):
        raise NotAllowed
    return user


@login_required
@require_GET
def household_list_view(request: HttpRequest) -> HttpResponse:
    user = screener(request)
    search = request.GET.get("q", "").strip()[:100]
    rows = []
    for row in selectors.households_to_screen(user=user, search=search):
        flags: list[str] = []
        if row.last is not None:
            pack = services.screening_pack(row.last.unit.country)
            flags = [f.label() for code in row.last.flags if (f := pack.flag(code))]
        rows.append({"row": row, "flags": flags})
    return render(request, "outreach/household_list.html", {"rows": rows, "search": search})


@login_required
@require_http_methods(["GET", "POST"])
def screening_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = screener(request)
    household = household_get(user=user, pk=pk)
    version = services.sheet_of(services.place_of(household).country)
    if version is None:
        raise NotFound
    form = ScreeningForm(request.POST or None, version=version)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            with service_call(form) as call:
                screening = services.screening_record(
                    actor=user,
                    household=household,
                    answers=form.answers(),
                    screened_on=form.cleaned_data["screened_on"],
                )
            if call.ok:
                messages.success(request, _("The screening was recorded."))
                return redirect("outreach:screening", pk=screening.pk)
        status = 400
    return render(
        request,
        "outreach/screening_form.html",
        {"household": household, "form": form, "sheet": version.definition},
        status=status,
    )


def _detail_context(user: Any, screening: Screening, **forms: Any) -> dict[str, Any]:
    pack = services.screening_pack(screening.unit.country)
    follow_ups: dict[int, list[Any]] = {}
    for follow_up in screening.follow_ups.all():
        follow_ups.setdefault(follow_up.child_id, []).append(follow_up)
    children = [
        {
            "person": child,
            "follow_ups": follow_ups.get(child.pk, []),
            "reported": any(f.kind == FollowUpKind.REPORT for f in follow_ups.get(child.pk, [])),
            "report_form": forms.get("report", {}).get(child.pk)
            or ReportFollowUpForm(initial={"child": child.pk}, prefix=f"r{child.pk}"),
            "visit_form": forms.get("visit", {}).get(child.pk)
            or VisitFollowUpForm(initial={"child": child.pk}, prefix=f"v{child.pk}"),
        }
        for child in services.children_of(screening)
    ]
    return {
        "screening": screening,
        "flags": [f.label() for code in screening.flags if (f := pack.flag(code))],
        "answers": answers_shown(screening.form_version, screening.answers),
        "children": children,
    }


@login_required
@require_GET
def screening_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = screener(request)
    screening = selectors.screening_get(user=user, pk=pk)
    audit_record(actor=user, action=AuditAction.VIEW, obj=screening)
    return render(request, "outreach/screening_detail.html", _detail_context(user, screening))


@login_required
@require_POST
def follow_up_view(request: HttpRequest, pk: int, child_pk: int) -> HttpResponse:
    user = screener(request)
    screening = selectors.screening_get(user=user, pk=pk)
    child = Person.objects.filter(pk=child_pk).first()
    if child is None:
        raise NotFound
    kind = request.POST.get("kind")
    form: ReportFollowUpForm | VisitFollowUpForm
    if kind == FollowUpKind.REPORT:
        form = ReportFollowUpForm(request.POST, prefix=f"r{child.pk}")
    else:
        form = VisitFollowUpForm(request.POST, prefix=f"v{child.pk}")
    if form.is_valid():
        with service_call(form, conflict=CONFLICT) as call:
            if isinstance(form, ReportFollowUpForm):
                follow_up = services.follow_up_report(
                    actor=user,
                    screening=screening,
                    child=child,
                    narrative=form.cleaned_data["narrative"],
                )
            else:
                follow_up = services.follow_up_visit(
                    actor=user,
                    screening=screening,
                    child=child,
                    visit_on=form.cleaned_data["visit_on"],
                    note=form.cleaned_data["note"],
                )
        if call.ok:
            if follow_up.report is not None:
                messages.success(
                    request,
                    _("The report %(number)s was sent to the child-protection authority.")
                    % {"number": follow_up.report.number},
                )
            else:
                messages.success(request, _("The visit was planned."))
            return redirect("outreach:screening", pk=screening.pk)
        status = call.status(400)
    else:
        status = 400
    screening = selectors.screening_get(user=user, pk=pk)
    key = "report" if isinstance(form, ReportFollowUpForm) else "visit"
    context = _detail_context(user, screening, **{key: {child.pk: form}})
    return render(request, "outreach/screening_detail.html", context, status=status)


@login_required
@require_GET
def counts_view(request: HttpRequest) -> HttpResponse:
    user = screener(request)
    groups, places = selectors.screening_counts(user=user)
    rows = [
        {
            "place": place,
            "groups": [place.groups.get(code) for code, _name in groups],
        }
        for place in places
    ]
    return render(request, "outreach/counts.html", {"groups": groups, "rows": rows})
