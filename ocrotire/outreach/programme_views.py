"""Benefit programme pages: the programmes of the reader's area, one programme with its budget
and its certificates (an application for a household of the reader's area), and one certificate
with its number, its decision and its redemption (outreach/programmes.py). Plain forms: every
page works without JavaScript and at phone width."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ocrotire.accounts.models import User
from ocrotire.accounts.permissions import acting_user, has_role
from ocrotire.core.errors import NotAllowed
from ocrotire.core.forms import service_call
from ocrotire.outreach import certificate_export, certificates, eligibility, programmes
from ocrotire.outreach.models import Certificate, CertificateStatus, Programme
from ocrotire.outreach.permissions import APPLICANTS, can_keep_programme, can_read_programmes

CHOICES_SHOWN = 200
CONFLICT = gettext_lazy(
    "Someone else changed this certificate since you opened it. The page shows it as it is now."
)


class ApplyForm(forms.Form):
    household = forms.TypedChoiceField(label=gettext_lazy("Household"), coerce=int)

    def __init__(self, *args: Any, households: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["household"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [
            ("", "—"),
            *(
                (h.pk, " · ".join(p for p in (str(h), h.address, _place(h)) if p))
                for h in households
            ),
        ]


def _place(household: Any) -> str:
    return household.unit.display_name() if household.unit else ""


class DecisionForm(forms.Form):
    service_fields = {"issue": "decision"}

    decision = forms.ChoiceField(
        label=gettext_lazy("Decision"),
        choices=[
            ("issue", gettext_lazy("Issue the certificate")),
            ("refuse", gettext_lazy("Refuse the application")),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        help_text=gettext_lazy("Required for a refusal; the household is told it."),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class RedeemForm(forms.Form):
    redeemed_with = forms.CharField(
        label=gettext_lazy("What the certificate paid for"),
        help_text=gettext_lazy("The goods or service, and the receipt's number if there is one."),
        max_length=300,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


def _reader(request: HttpRequest) -> User:
    user = acting_user(request)
    if not can_read_programmes(user):
        raise NotAllowed
    return user


@login_required
@require_GET
def programme_list_view(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    page = Paginator(programmes.programme_list(user=user), 25).get_page(request.GET.get("page"))
    for programme in page:
        programme.left = programmes.places_left(programme)  # type: ignore[attr-defined]
    return render(request, "outreach/programme_list.html", {"page": page})


def _programme_page(
    request: HttpRequest, user: User, programme: Programme, form: ApplyForm | None, status: int
) -> HttpResponse:
    shown = request.GET.get("status", "")
    if shown not in CertificateStatus.values:
        shown = ""
    qs = programmes.certificate_list(user=user, programme=programme, status=shown)
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "outreach/programme_detail.html",
        {
            "programme": programme,
            "left": programmes.places_left(programme),
            "rules": eligibility.rule_sentences(programme.eligibility),
            "page": page,
            "statuses": CertificateStatus.choices,
            "shown": shown,
            "search": request.GET.get("q", "")[:100],
            "form": form,
            "can_export": programmes.can_export(user, programme),
        },
        status=status,
    )


def _apply_form(
    request: HttpRequest, user: User, programme: Programme, data: Any = None
) -> ApplyForm | None:
    if not has_role(user, *APPLICANTS) or programmes.places_left(programme) < 1:
        return None
    households = programmes.household_choices(
        user=user, programme=programme, search=request.GET.get("q", "")[:100]
    )
    return ApplyForm(data, households=list(households[:CHOICES_SHOWN]))


@login_required
@require_http_methods(["GET", "POST"])
def programme_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _reader(request)
    programme = programmes.programme_get(user=user, pk=pk)
    form = _apply_form(request, user, programme, request.POST or None)
    if request.method == "POST":
        if form is None:
            raise NotAllowed
        if form.is_valid():
            household = programmes.household_for_application(
                user=user, pk=form.cleaned_data["household"]
            )
            with service_call(form) as call:
                certificate = certificates.certificate_apply(
                    actor=user, programme=programme, household=household
                )
            if call.ok:
                messages.success(request, _("The application was recorded."))
                return redirect("programmes:certificate", pk=certificate.pk)
        return _programme_page(request, user, programme, form, 400)
    return _programme_page(request, user, programme, form, 200)


def _certificate_page(
    request: HttpRequest,
    user: User,
    certificate: Certificate,
    *,
    decision: DecisionForm | None = None,
    redeem: RedeemForm | None = None,
    status: int = 200,
) -> HttpResponse:
    keeps = can_keep_programme(user, certificate.programme.unit)
    initial = {"version": certificate.version}
    if keeps and certificate.status == CertificateStatus.APPLIED and decision is None:
        decision = DecisionForm(initial=initial)
    if keeps and certificate.status == CertificateStatus.ISSUED and redeem is None:
        redeem = RedeemForm(initial=initial)
    return render(
        request,
        "outreach/certificate_detail.html",
        {
            "certificate": certificate,
            "programme": certificate.programme,
            "decision": decision if certificate.status == CertificateStatus.APPLIED else None,
            "redeem": redeem if certificate.status == CertificateStatus.ISSUED else None,
        },
        status=status,
    )


@login_required
@require_GET
def certificate_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _reader(request)
    return _certificate_page(request, user, programmes.certificate_get(user=user, pk=pk))


@login_required
@require_POST
def certificate_decision_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _reader(request)
    certificate = programmes.certificate_get(user=user, pk=pk)
    if not can_keep_programme(user, certificate.programme.unit):
        raise NotAllowed
    form = DecisionForm(request.POST)
    if form.is_valid():
        issue = form.cleaned_data["decision"] == "issue"
        with service_call(form, conflict=CONFLICT) as call:
            certificates.certificate_decide(
                actor=user,
                certificate=certificate,
                issue=issue,
                reason=form.cleaned_data["reason"],
                version=form.cleaned_data["version"],
            )
        if call.ok:
            messages.success(
                request,
                _("The certificate was issued.") if issue else _("The application was refused."),
            )
            return redirect("programmes:certificate", pk=pk)
        if call.conflict:
            messages.error(request, str(CONFLICT))
            fresh = programmes.certificate_get(user=user, pk=pk)
            return _certificate_page(request, user, fresh, status=409)
        return _certificate_page(request, user, certificate, decision=form, status=400)
    return _certificate_page(request, user, certificate, decision=form, status=400)


@login_required
@require_POST
def certificate_redemption_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _reader(request)
    certificate = programmes.certificate_get(user=user, pk=pk)
    if not can_keep_programme(user, certificate.programme.unit):
        raise NotAllowed
    form = RedeemForm(request.POST)
    if form.is_valid():
        with service_call(form, conflict=CONFLICT) as call:
            certificates.certificate_redeem(
                actor=user,
                certificate=certificate,
                redeemed_with=form.cleaned_data["redeemed_with"],
                version=form.cleaned_data["version"],
            )
        if call.ok:
            messages.success(request, _("The redemption was recorded."))
            return redirect("programmes:certificate", pk=pk)
        if call.conflict:
            messages.error(request, str(CONFLICT))
            fresh = programmes.certificate_get(user=user, pk=pk)
            return _certificate_page(request, user, fresh, status=409)
        return _certificate_page(request, user, certificate, redeem=form, status=400)
    return _certificate_page(request, user, certificate, redeem=form, status=400)


@login_required
@require_GET
def programme_export_view(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    user = _reader(request)
    programme = programmes.programme_get(user=user, pk=pk)
    return certificate_export.export_response(user, programme, fmt)
