"""Pages of the minimum package of services: a family's plan and the services given to it, and
the coverage per community (outreach/package.py)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from ocrotire.accounts.permissions import scope_of
from ocrotire.core.forms import service_call
from ocrotire.outreach import package
from ocrotire.outreach.screening import place_of
from ocrotire.outreach.views import screener
from ocrotire.providers.models import ServiceBundle, ServiceType
from ocrotire.registry.selectors import household_get

CONFLICT = gettext_lazy("Someone changed this plan meanwhile: read it again.")


class PlanForm(forms.Form):
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    services = forms.MultipleChoiceField(
        label=gettext_lazy("Services the family should receive"),
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(label=gettext_lazy("Note"), max_length=2000, required=False)

    def __init__(self, *args: Any, bundle: ServiceBundle, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.bundle = bundle
        services = self.fields["services"]
        assert isinstance(services, forms.MultipleChoiceField)
        services.choices = [(s.code, s.label()) for s in bundle.types.order_by("ordering", "code")]


class DeliveryForm(forms.Form):
    service = forms.ChoiceField(label=gettext_lazy("Service"))
    delivered_on = forms.DateField(
        label=gettext_lazy("Given on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    minutes = forms.IntegerField(
        label=gettext_lazy("Duration in minutes"), min_value=1, max_value=package.MAX_MINUTES
    )
    note = forms.CharField(label=gettext_lazy("Note"), max_length=2000, required=False)

    def __init__(self, *args: Any, bundles: list[ServiceBundle], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("delivered_on", timezone.localdate())
        choices: dict[str, str] = {}
        for bundle in bundles:
            for service in bundle.types.order_by("ordering", "code"):
                choices.setdefault(service.code, service.label())
        field = self.fields["service"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = list(choices.items())


@login_required
@require_http_methods(["GET", "POST"])
def household_package_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = screener(request)
    household = household_get(user=user, pk=pk)
    bundles = list(package.bundles_for(household))
    plans = {plan.bundle_id: plan for plan in package.plans_of(household)}
    plan_forms = {
        b.pk: PlanForm(
            bundle=b,
            prefix=f"p{b.pk}",
            initial={
                "version": plans[b.pk].version if b.pk in plans else None,
                "services": [s.code for s in plans[b.pk].services.all()] if b.pk in plans else [],
                "note": plans[b.pk].note if b.pk in plans else "",
            },
        )
        for b in bundles
    }
    delivery_form = DeliveryForm(bundles=bundles, prefix="d")
    status = 200
    if request.method == "POST":
        which = request.POST.get("form", "")
        bundle = next((b for b in bundles if f"plan-{b.pk}" == which), None)
        if bundle is not None:
            form = PlanForm(request.POST, bundle=bundle, prefix=f"p{bundle.pk}")
            plan_forms[bundle.pk] = form
            if form.is_valid():
                with service_call(form, conflict=CONFLICT) as call:
                    package.package_plan_set(
                        actor=user,
                        household=household,
                        bundle=bundle,
                        services=list(
                            ServiceType.objects.filter(
                                country=bundle.country, code__in=form.cleaned_data["services"]
                            )
                        ),
                        note=form.cleaned_data["note"],
                        base_version=form.cleaned_data["version"],
                    )
                if call.ok:
                    messages.success(request, _("The plan was saved."))
                    return redirect("outreach:package", pk=household.pk)
                status = call.status(400)
            else:
                status = 400
        elif which == "delivery":
            delivery_form = DeliveryForm(request.POST, bundles=bundles, prefix="d")
            if delivery_form.is_valid():
                data = delivery_form.cleaned_data
                service = ServiceType.objects.get(
                    country=place_of(household).country, code=data["service"]
                )
                with service_call(delivery_form) as call:
                    package.delivery_record(
                        actor=user,
                        household=household,
                        data=package.DeliveryInput(
                            service=service,
                            delivered_on=data["delivered_on"],
                            minutes=data["minutes"],
                            note=data["note"],
                        ),
                    )
                if call.ok:
                    messages.success(request, _("The service given was recorded."))
                    return redirect("outreach:package", pk=household.pk)
            status = 400
    return render(
        request,
        "outreach/household_package.html",
        {
            "household": household,
            "packages": [(b, plan_forms[b.pk], plans.get(b.pk)) for b in bundles],
            "delivery_form": delivery_form,
            "deliveries": package.deliveries_of(household),
        },
        status=status,
    )


@login_required
@require_GET
def coverage_view(request: HttpRequest) -> HttpResponse:
    user = screener(request)
    scope = scope_of(user)
    bundles = [
        b
        for b in ServiceBundle.objects.order_by("country", "code")
        if scope.is_global
        or any(path.strip("/").split("/")[0] == b.country for path in scope.unit_paths)
    ]
    chosen = next((b for b in bundles if str(b.pk) == request.GET.get("package")), None)
    chosen = chosen or (bundles[0] if bundles else None)
    services: list[ServiceType] = []
    rows: list[Any] = []
    if chosen is not None:
        services, found = package.coverage(user=user, bundle=chosen)
        rows = [{"row": r, "cells": [r.services[s.pk] for s in services]} for r in found]
    return render(
        request,
        "outreach/coverage.html",
        {"bundles": bundles, "chosen": chosen, "services": services, "rows": rows},
    )
