"""The pages where an administrator reads a country's forms and adds a question or a form."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from ocrotire.accounts.permissions import member_or_403
from ocrotire.core.forms import service_call
from ocrotire.dataforms import services, spec
from ocrotire.dataforms.forms import NEW_SECTION, FieldAddForm, FormAddForm
from ocrotire.dataforms.permissions import can_edit_forms, form_countries
from ocrotire.dataforms.selectors import form_get, form_list, form_version_latest
from ocrotire.dataforms.steps import steps_with_forms
from ocrotire.geo.models import Unit

CONFLICT = gettext_lazy(
    "Someone changed this form meanwhile: read its new version and add the question again."
)


def _countries(user: Any) -> list[tuple[str, str]]:
    """The countries whose forms the user may change, by their names in the reader's language."""
    allowed = form_countries(user)
    roots = Unit.objects.filter(parent__isnull=True).order_by("code")
    if allowed is not None:
        roots = roots.filter(country__in=allowed)
    return [(unit.country, unit.display_name()) for unit in roots]


@login_required
@require_http_methods(["GET", "POST"])
def form_list_view(request: HttpRequest) -> HttpResponse:
    user = member_or_403(request)
    if not can_edit_forms(user):
        raise PermissionDenied
    countries = _countries(user)
    form = FormAddForm(request.POST or None, countries=countries)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with service_call(form) as call:
            created = services.form_create(
                actor=user,
                country=data["country"],
                names={code: data[f"name_{code}"] for code in spec.languages()},
                step=data["step"],
            )
        if call.ok:
            return redirect("dataforms:detail", pk=created.pk)
    names = dict(countries)
    steps = steps_with_forms()
    rows = [
        {
            "form": each,
            "country": names.get(each.country, ""),
            "step": steps.get(each.step, ""),
            "version": form_version_latest(each),
        }
        for each in form_list(user=user)
    ]
    return render(request, "dataforms/form_list.html", {"rows": rows, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def form_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = member_or_403(request)
    definition = form_get(user=user, pk=pk)
    latest = form_version_latest(definition)
    sections = latest.sections if latest else []
    form = FieldAddForm(
        request.POST or None,
        sections=sections,
        initial={"version": latest.number if latest else 0},
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        section = "" if data["section"] == NEW_SECTION else data["section"]
        with service_call(form, conflict=str(CONFLICT)) as call:
            services.form_field_add(
                actor=user,
                definition=definition,
                version=data["version"],
                data=services.FieldInput(
                    type=data["type"],
                    names={c: data[f"name_{c}"] for c in spec.languages()},
                    help={c: data[f"help_{c}"] for c in spec.languages()},
                    section=section,
                    section_names={c: data[f"section_name_{c}"] for c in spec.languages()},
                    required=data["required"],
                    choices=data["choices"],
                    min=data["min"],
                    max=data["max"],
                ),
            )
        if call.ok:
            return redirect("dataforms:detail", pk=definition.pk)
        status = call.status(200)
    questions = [
        {
            "section": spec.name_in(section["names"]),
            "question": spec.name_in(field["names"]),
            "type": spec.TYPE_NAMES.get(field["type"], ""),
            "required": bool(field.get("required")),
            "verified": field.get("verified", definition.verified),
            "local": bool(field.get("local")),
            "choices": "; ".join(spec.name_in(c["names"]) for c in field.get("choices", [])),
        }
        for section, field in spec.fields_of(sections)
    ]
    return render(
        request,
        "dataforms/form_detail.html",
        {
            "definition": definition,
            "latest": latest,
            "questions": questions,
            "versions": definition.versions.select_related("created_by").order_by("-number"),
            "step": steps_with_forms().get(definition.step, ""),
            "form": form,
        },
        status=status,
    )
