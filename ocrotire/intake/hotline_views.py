"""The hotline intake: one screen, usable by keyboard alone, on which the operator of a helpline or
duty phone files what a caller tells. The call's start is signed into the page and becomes the
report's time of receipt, so that the triage deadlines count from the call; the children are
found and resolved as on the intake form (views.py, partials.py)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from ocrotire.accounts.models import User
from ocrotire.accounts.selectors import unit_choices
from ocrotire.core.bounds import CLOCK_SKEW
from ocrotire.core.forms import service_call
from ocrotire.geo.forms import UnitChoiceField
from ocrotire.geo.models import Unit
from ocrotire.intake import services
from ocrotire.intake.forms import _ConcernsMixin
from ocrotire.intake.models import Channel, Report, ReporterKind, ReporterSector
from ocrotire.intake.selectors import report_scope
from ocrotire.intake.views import (
    _child_formset,
    _child_rows,
    _children_of,
    _country_of,
    _existing_block,
    _register_user,
    what_happened,
)

CALL_SALT = "ocrotire.intake.hotline.call"
# A form left open longer than this is no longer the call it was opened for.
CALL_LONGEST = timedelta(days=1)
# The last report filed from this session's hotline form: its number for the "filed" page, and
# the call it came from, so that a second press of the shortcut does not file it twice.
FILED_KEY = "intake.hotline.filed"
# The caller's choices, in the order a helpline hears them most.
CALLERS = [
    (ReporterKind.CHILD.value, ReporterKind.CHILD.label),
    (ReporterKind.CITIZEN.value, ReporterKind.CITIZEN.label),
    (ReporterKind.PROFESSIONAL.value, ReporterKind.PROFESSIONAL.label),
    (ReporterKind.ANONYMOUS.value, ReporterKind.ANONYMOUS.label),
]
# The fields in the order of the page: the focus goes to the first one refused.
PAGE_ORDER = (
    "reporter_kind",
    "reporter_sector",
    "reporter_name",
    "reporter_contact",
    "reporter_relationship",
    "unit",
    "concerns",
    "most_serious",
    "immediate_danger",
    "narrative",
    "location",
)


def call_token(start: datetime) -> str:
    """The call's start as the page carries it: signed, so that it cannot be moved."""
    return signing.dumps(start.isoformat(), salt=CALL_SALT)


def call_start(token: str, *, now: datetime) -> datetime:
    """The start of the call a page was opened for; refused when the page's token was altered,
    or names a start in the future or more than a day ago."""
    restart = _("The report was not filed: the call's timer now starts again from this moment.")
    try:
        start = datetime.fromisoformat(signing.loads(token, salt=CALL_SALT))
    except (signing.BadSignature, TypeError, ValueError):
        start = None
    if start is None or timezone.is_naive(start):
        raise ValidationError(
            [_("The start of the call was altered or cannot be read."), restart], code="forged"
        )
    if start > now + CLOCK_SKEW:
        raise ValidationError(
            [_("The start of the call cannot be in the future."), restart], code="in_future"
        )
    if start < now - CALL_LONGEST:
        raise ValidationError(
            [_("This call started more than a day ago."), restart], code="too_old"
        )
    return start


def _one_autofocus(groups: Any) -> Any:
    """A group of choices takes the focus once: on the choice made, else on its first."""
    options = [option for _group, choices, _index in groups for option in choices]
    if options and "autofocus" in options[0]["attrs"]:
        target = next((option for option in options if option["selected"]), options[0])
        for option in options:
            if option is not target:
                option["attrs"].pop("autofocus", None)
    return groups


# Django's groups of choices with a single autofocus. They keep Django's class names: the field
# template (_field.html) knows a group by its widget_type, which is made of the class's name.
class RadioSelect(forms.RadioSelect):
    def optgroups(self, name: str, value: Any, attrs: Any = None) -> Any:
        return _one_autofocus(super().optgroups(name, value, attrs))


class CheckboxSelectMultiple(forms.CheckboxSelectMultiple):
    def optgroups(self, name: str, value: Any, attrs: Any = None) -> Any:
        return _one_autofocus(super().optgroups(name, value, attrs))


class HotlineForm(_ConcernsMixin):
    """What the operator asks a caller; the channel is the hotline, the time of receipt the
    call's start."""

    # Where the service's refusals belong on this page (core.forms.add_service_errors).
    service_fields = {"reporter": "reporter_sector", "received_at": "call", "children": "child_q"}

    call = forms.CharField(widget=forms.HiddenInput, required=False)
    reporter_kind = forms.ChoiceField(
        label=_("Who calls"),
        choices=CALLERS,
        widget=RadioSelect,
        error_messages={"required": _("Say who is calling.")},
    )
    reporter_sector = forms.ChoiceField(
        label=_("Sector of the professional"),
        choices=[("", "—"), *ReporterSector.choices],
        required=False,
    )
    reporter_name = forms.CharField(label=_("Reporter's name"), max_length=200, required=False)
    reporter_contact = forms.CharField(
        label=_("Reporter's contact (phone or e-mail)"), max_length=200, required=False
    )
    reporter_relationship = forms.CharField(
        label=_("Reporter's relationship to the child"), max_length=120, required=False
    )
    unit = UnitChoiceField(label=_("Where it happened (unit)"), queryset=Unit.objects.none())
    immediate_danger = forms.BooleanField(
        label=_("The child is in immediate danger"), required=False
    )
    narrative = forms.CharField(
        label=_("What happened"), max_length=20000, widget=forms.Textarea(attrs={"rows": 4})
    )
    location = forms.CharField(label=_("Address or place"), max_length=300, required=False)
    # The registry search of the children's block (read by views._existing_block); the
    # refusals about the children are shown beside it.
    child_q = forms.CharField(required=False)

    def __init__(self, *args: Any, units: Any, country: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit_field = self.fields["unit"]
        assert isinstance(unit_field, forms.ModelChoiceField)
        unit_field.queryset = units
        concerns = self.fields["concerns"]
        concerns.widget = CheckboxSelectMultiple()
        concerns.widget.is_required = concerns.required
        self._set_concerns(country)  # gives the new widget its choices

    def clean_call(self) -> datetime:
        return call_start(self.cleaned_data["call"], now=timezone.now())

    def focus_first(self, formset: Any) -> bool:
        """Put the focus on the first field refused, in the page's order. True when that is the
        children's search (a refusal about the children as a whole): the children's block, shared
        with the staff form, places that focus itself."""
        for name in PAGE_ORDER:
            if name in self.errors:
                self.fields[name].widget.attrs["autofocus"] = True
                return False
        if "child_q" in self.errors:
            return True
        for subform in formset.forms:
            for name in subform.errors:
                field = subform.fields.get(name)
                if field is None or field.widget.is_hidden:  # the row as a whole, or its record
                    field = subform.fields["family_name"]
                field.widget.attrs["autofocus"] = True
                return False
        self.fields["reporter_kind"].widget.attrs["autofocus"] = True
        return False


def _hotline_input(form: HotlineForm, children: list[services.ChildInput]) -> services.ReportInput:
    data = form.cleaned_data
    kind = data["reporter_kind"]
    # An anonymous caller's identity fields are hidden once "anonymous" is chosen: whatever was
    # typed before is dropped, never kept.
    known = kind != ReporterKind.ANONYMOUS
    return services.ReportInput(
        channel=Channel.HOTLINE,
        received_at=data["call"],
        reporter_kind=kind,
        reporter_anonymous=not known,
        reporter_sector=data["reporter_sector"] if kind == ReporterKind.PROFESSIONAL else "",
        reporter_name=data["reporter_name"] if known else "",
        reporter_contact=data["reporter_contact"] if known else "",
        reporter_relationship=data["reporter_relationship"] if known else "",
        **what_happened(data, children),
    )


def _file(user: User, form: HotlineForm, formset: Any, existing: Any) -> Report | None:
    """The report, or None with the refusals beside the fields; nothing is written then."""
    form_ok = form.is_valid()
    if not (formset.is_valid() and form_ok):
        return None
    children, errors = _children_of(user, existing["selected"], formset)
    if errors:
        form.add_error("child_q", errors)
        return None
    with service_call(form) as call:
        report = services.report_create(actor=user, data=_hotline_input(form, children))
    return report if call.ok else None


def _call_shown(form: HotlineForm, now: datetime) -> dict[str, Any]:
    """The call the page counts from: the one it was opened for, or from now when its start
    was refused (the refusal is shown beside the timer)."""
    token = str(form.data.get("call", "")) if form.is_bound else ""
    try:
        start = call_start(token, now=now)
    except ValidationError:
        start, token = now, call_token(now)
    return {"start": start, "token": token, "now": now}


def _focus(request: HttpRequest, form: HotlineForm, formset: Any, *, refused: bool) -> bool:
    """Where the focus lands when the page opens: the first refusal after filing, the search
    after a search, the new row after "add another child", else the caller's kind. True when it
    is the children's search (the shared block of the children places it)."""
    action = request.POST.get("action", "save") if request.method == "POST" else ""
    if refused:
        return form.focus_first(formset)
    if action == "search":
        return True
    if action == "add_child" and formset.forms:
        formset.forms[-1].fields["family_name"].widget.attrs["autofocus"] = True
        return False
    form.fields["reporter_kind"].widget.attrs["autofocus"] = True
    return False


@login_required
@require_http_methods(["GET", "POST"])
def report_hotline_view(request: HttpRequest) -> HttpResponse:
    user = _register_user(request)
    units = unit_choices(user=user)
    post = request.POST if request.method == "POST" else None
    form = HotlineForm(
        post,
        units=units,
        country=_country_of(user),
        initial={"unit": units.first() if units.count() == 1 else None},
    )
    formset = _child_formset(request)
    existing = _existing_block(user, request.POST)
    filing = request.method == "POST" and request.POST.get("action", "save") == "save"
    if filing:
        filed = request.session.get(FILED_KEY) or {}
        if filed.get("call") and filed["call"] == request.POST.get("call"):
            # The same call sent twice (a double press): it was filed once, show that.
            return redirect("intake:report-hotline-filed")
        report = _file(user, form, formset, existing)
        if report is not None:
            request.session[FILED_KEY] = {
                "pk": report.pk,
                "number": report.number,
                "start": report.received_at.isoformat(),
                "filed": timezone.now().isoformat(),
                "call": request.POST.get("call"),
            }
            return redirect("intake:report-hotline-filed")
    refused = filing and bool(form.errors or formset.total_error_count())
    children_focus = _focus(request, form, formset, refused=refused)
    return render(
        request,
        "intake/report_hotline.html",
        {
            "form": form,
            "formset": formset,
            "rows": _child_rows(user, formset, bound=request.method == "POST"),
            "existing": existing,
            "children_errors": form.errors.get("child_q", []),
            "children_focus": children_focus,
            "staff": True,
            "call": _call_shown(form, timezone.now()),
        },
        status=400 if refused else 200,
    )


@login_required
def report_hotline_filed_view(request: HttpRequest) -> HttpResponse:
    """The number of the report just filed, and the way to the next call."""
    user = _register_user(request)
    filed = request.session.get(FILED_KEY)
    if not filed:
        return redirect("intake:report-hotline")
    start = datetime.fromisoformat(filed["start"])
    seconds = max(0, int((datetime.fromisoformat(filed["filed"]) - start).total_seconds()))
    return render(
        request,
        "intake/report_hotline_filed.html",
        {
            "number": filed["number"],
            "start": start,
            "duration": f"{seconds // 60}:{seconds % 60:02d}",
            "pk": filed["pk"],
            "visible": report_scope(user).filter(pk=filed["pk"]).exists(),
        },
    )
