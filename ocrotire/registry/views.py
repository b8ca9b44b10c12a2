"""Registry pages: search, person card, registration, review and merge (fragments: partials.py)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ocrotire.accounts.models import User
from ocrotire.accounts.permissions import acting_user
from ocrotire.accounts.selectors import unit_choices
from ocrotire.core.errors import Conflict
from ocrotire.registry import services
from ocrotire.registry.forms import IdentifierFormSet, MergeForm, PersonForm
from ocrotire.registry.matching import (
    Probe,
    candidate_reason_codes,
    match,
    probe_of,
    reason_text,
    score_pair,
)
from ocrotire.registry.models import Person, PersonStatus, RelationshipKind
from ocrotire.registry.permissions import (
    can_edit_record,
    can_review_duplicates,
    can_run_dedup,
    can_use_registry,
)
from ocrotire.registry.selectors import (
    candidate_queue,
    dedup_run_latest,
    household_get,
    merge_get,
    person_get,
    person_list,
    person_list_from_query,
    person_scope,
)


def _registry_user(request: HttpRequest) -> User:
    user = acting_user(request)
    if not can_use_registry(user):
        raise PermissionDenied
    return user


def _country_of(user: User) -> str:
    first = user.units.order_by("path").first()
    return first.country if first else "MD"


@login_required
def person_list_view(request: HttpRequest) -> HttpResponse:
    user = _registry_user(request)
    qs, filters = person_list_from_query(user=user, params=request.GET)
    search = filters["q"]
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "q": search,
        "query": urlencode({"q": search}) + "&",
        "nav_active": "registry",
    }
    template = "registry/person_list.html#results" if request.htmx else "registry/person_list.html"  # type: ignore[attr-defined]
    return render(request, template, context)


def _probe_from(form_data: dict[str, Any], identifiers: list[tuple[str, str]]) -> Probe:
    return Probe(
        given_name=form_data.get("given_name") or "",
        family_name=form_data.get("family_name") or "",
        sex=form_data.get("sex") or "",
        birth_date=form_data.get("birth_date"),
        birth_date_precision=form_data.get("birth_date_precision") or "day",
        birth_date_estimated=bool(form_data.get("birth_date_estimated")),
        identifiers=identifiers,
    )


def _identifiers_from(formset: Any) -> list[tuple[str, str]]:
    return [
        (f.cleaned_data["scheme"], f.cleaned_data["value"])
        for f in formset.forms
        if getattr(f, "cleaned_data", None)
        and f.cleaned_data.get("scheme")
        and f.cleaned_data.get("value")
    ]


@login_required
@require_http_methods(["GET", "POST"])
def person_create_view(request: HttpRequest) -> HttpResponse:
    user = _registry_user(request)
    form = PersonForm(
        request.POST or None, units=unit_choices(user=user), country=_country_of(user)
    )
    formset = IdentifierFormSet(request.POST or None, prefix="id")
    candidates: list[Any] = []
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        identifiers = _identifiers_from(formset)
        candidates = match(
            _probe_from(form.cleaned_data, identifiers), persons=person_scope(user), minimum=0.6
        )
        # A likely duplicate needs a conscious "register anyway"; nothing is saved silently.
        if candidates and not request.POST.get("confirm_new"):
            messages.warning(
                request,
                _(
                    "Possible duplicates were found. Open one of them, or confirm that this is "
                    "a different person."
                ),
            )
        else:
            data = form.cleaned_data
            try:
                person = services.person_create(
                    actor=user,
                    data=services.PersonInput(
                        given_name=data["given_name"],
                        family_name=data["family_name"],
                        patronymic=data["patronymic"],
                        other_names=data["other_names"],
                        sex=data["sex"],
                        birth_date=data["birth_date"],
                        birth_date_precision=data["birth_date_precision"],
                        birth_date_estimated=data["birth_date_estimated"],
                        unit=data["unit"],
                        address=data["address"],
                        citizenship=data["citizenship"],
                        displacement=data["displacement"],
                        disability=data["disability"],
                        phone=data["phone"],
                        identifiers=identifiers,
                        vulnerabilities=[v.code for v in data["vulnerabilities"]],
                    ),
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("The person was registered."))
                return redirect("registry:person-detail", pk=person.pk)
    return render(
        request,
        "registry/person_form.html",
        {
            "form": form,
            "formset": formset,
            "creating": True,
            "candidates": _decorate(candidates),
            "nav_active": "registry",
        },
    )


def _decorate(candidates: list[Any]) -> list[dict[str, Any]]:
    return [
        {
            "person": c.person,
            "score": c.score,
            "percent": round(c.score * 100),
            "reasons": [reason_text(code) for code in c.reasons],
        }
        for c in candidates
    ]


@login_required
def person_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _registry_user(request)
    person = person_get(user=user, pk=pk)
    services.person_view_record(actor=user, person=person)
    return render(
        request,
        "registry/person_detail.html",
        {
            "person": person,
            "identifiers": [i for i in person.identifiers.all() if i.active],
            "relationships": list(person.relationships.all()),
            "related_to": list(person.related_to.all()),
            "memberships": list(person.household_memberships.all()),
            "merges": person.merges_kept.select_related("merged", "merged_by").order_by(
                "-merged_at"
            ),
            "absorbed": person.merges_absorbed.select_related("survivor")
            .order_by("-merged_at")
            .first(),
            "can_edit": can_edit_record(user, person) and person.status == PersonStatus.ACTIVE,
            "can_review": can_review_duplicates(user),
            "kinds": RelationshipKind.choices,
            "rel_q": request.GET.get("rel_q", "")[:100],
            "choices": _person_choices(user, request.GET.get("rel_q", "").strip()[:100], person.pk),
            "nav_active": "registry",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _registry_user(request)
    person = person_get(user=user, pk=pk)
    if not can_edit_record(user, person) or person.status != PersonStatus.ACTIVE:
        raise PermissionDenied
    initial = {name: getattr(person, name) for name in services.PERSON_FIELDS}
    initial["version"] = person.version
    initial["vulnerabilities"] = list(person.vulnerabilities.all())
    form = PersonForm(
        request.POST or None,
        initial=initial,
        units=unit_choices(user=user),
        country=person.scope_unit.country,
    )
    formset = IdentifierFormSet(
        request.POST or None,
        prefix="id",
        initial=[
            {"scheme": i.scheme, "value": i.value} for i in person.identifiers.all() if i.active
        ],
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version") or 0
        data["vulnerabilities"] = [v.code for v in data["vulnerabilities"]]
        data["identifiers"] = _identifiers_from(formset)
        try:
            services.person_update(actor=user, person=person, version=version, data=data)
        except Conflict:
            form.add_error(
                None,
                _(
                    "Someone else changed this record while you were editing. Reload the page to "
                    "see their changes."
                ),
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("The changes were saved."))
            return redirect("registry:person-detail", pk=person.pk)
    return render(
        request,
        "registry/person_form.html",
        {
            "form": form,
            "formset": formset,
            "creating": False,
            "person": person,
            "nav_active": "registry",
        },
    )


@login_required
def household_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _registry_user(request)
    household = household_get(user=user, pk=pk)
    search = request.GET.get("q", "").strip()[:100]
    return render(
        request,
        "registry/household_detail.html",
        {
            "household": household,
            "q": search,
            "choices": _person_choices(user, search, 0),
            "can_edit": can_edit_record(user, household),
            "nav_active": "registry",
        },
    )


@login_required
def review_queue_view(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    if not can_review_duplicates(user):
        raise PermissionDenied
    page = Paginator(candidate_queue(user=user), 25).get_page(request.GET.get("page"))
    for candidate in page:
        candidate.reason_texts = [reason_text(code) for code in candidate_reason_codes(candidate)]  # type: ignore[attr-defined]
    return render(
        request,
        "registry/review_queue.html",
        {
            "page": page,
            "query": "",
            "nav_active": "duplicates",
            "run": dedup_run_latest(user=user),
            "can_run": can_run_dedup(user),
        },
    )


@login_required
@require_POST
def dedup_run_start_view(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    if not can_run_dedup(user):
        raise PermissionDenied
    services.dedup_run_start(actor=user)
    messages.info(
        request, _("The search for duplicates has started. This page shows its progress.")
    )
    return redirect("registry:review")


def _differing(survivor: Person, other: Person) -> list[tuple[str, str, str, str]]:
    rows = []
    for name in services.MERGE_FIELDS:
        field = Person._meta.get_field(name)
        left, right = getattr(survivor, name), getattr(other, name)
        if name == "birth_date":
            left = f"{survivor.birth_date or '—'} ({survivor.get_birth_date_precision_display()})"
            right = f"{other.birth_date or '—'} ({other.get_birth_date_precision_display()})"
        elif getattr(field, "choices", None):
            left = getattr(survivor, f"get_{name}_display")()
            right = getattr(other, f"get_{name}_display")()
        if str(left or "") != str(right or ""):
            rows.append(
                (
                    name,
                    str(getattr(field, "verbose_name", name)).capitalize(),
                    str(left or ""),
                    str(right or ""),
                )
            )
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def compare_view(request: HttpRequest, survivor_pk: int, merged_pk: int) -> HttpResponse:
    user = acting_user(request)
    if not can_review_duplicates(user):
        raise PermissionDenied
    survivor = person_get(user=user, pk=survivor_pk, include_inactive=False)
    other = person_get(user=user, pk=merged_pk, include_inactive=False)
    differing = _differing(survivor, other)
    form = MergeForm(request.POST or None, differing=differing)
    if request.method == "POST":
        if request.POST.get("decision") == "distinct":
            services.not_duplicate_mark(
                actor=user, person_a=survivor, person_b=other, reason=request.POST.get("reason", "")
            )
            messages.success(
                request,
                _("Noted: these are two different people. The pair will not be proposed again."),
            )
            return redirect("registry:review")
        if form.is_valid():
            try:
                with transaction.atomic():
                    record = services.person_merge(
                        actor=user, survivor=survivor, merged=other, choices=dict(form.cleaned_data)
                    )
            except ValidationError as exc:
                form.add_error(None, " ".join(exc.messages))
            else:
                messages.success(
                    request, _("The records were merged. You can undo this from the person's card.")
                )
                return redirect("registry:person-detail", pk=record.survivor_id)
    score = score_pair(probe_of(other), survivor)
    return render(
        request,
        "registry/compare.html",
        {
            "survivor": survivor,
            "other": other,
            "form": form,
            "differing": differing,
            "score": round(score.score * 100),
            "reasons": [reason_text(code) for code in score.reasons],
            "nav_active": "duplicates",
        },
    )


@login_required
@require_POST
def merge_undo_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    record = merge_get(user=user, pk=pk)
    try:
        services.merge_undo(actor=user, merge=record)
    except Conflict:
        messages.error(
            request,
            _(
                "The surviving record was changed after the merge, so the merge cannot be undone "
                "automatically. Ask an administrator."
            ),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The merge was undone: both records are back as they were."))
    return redirect("registry:person-detail", pk=record.survivor_id)


def _person_choices(user: User, search: str, exclude: int) -> list[Person]:
    if not search:
        return []
    return [p for p in person_list(user=user, search=search)[:11] if p.pk != exclude][:10]


@login_required
@require_POST
def relationship_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _registry_user(request)
    person = person_get(user=user, pk=pk, include_inactive=False)
    related_id = request.POST.get("related", "")
    kind = request.POST.get("kind", "")
    if not related_id.isdigit() or kind not in RelationshipKind.values:
        messages.error(request, _("Choose a person and the kind of relationship."))
        return redirect("registry:person-detail", pk=pk)
    related = person_get(user=user, pk=int(related_id), include_inactive=False)
    try:
        services.relationship_add(
            actor=user,
            person=person,
            related=related,
            kind=kind,
            legal_representative=bool(request.POST.get("legal_representative")),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The relationship was recorded."))
    return redirect("registry:person-detail", pk=pk)


@login_required
@require_POST
def household_start_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Start a household at this person's address, with the person as its head."""
    user = _registry_user(request)
    person = person_get(user=user, pk=pk, include_inactive=False)
    with transaction.atomic():
        household = services.household_create(
            actor=user,
            name=person.family_name or str(person),
            unit=person.unit,
            address=person.address,
        )
        services.household_member_add(actor=user, household=household, person=person, role="head")
    messages.success(request, _("The household was created."))
    return redirect("registry:household-detail", pk=household.pk)


@login_required
@require_POST
def household_member_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _registry_user(request)
    household = household_get(user=user, pk=pk)
    person_id = request.POST.get("person", "")
    if not person_id.isdigit():
        messages.error(request, _("Choose a person."))
        return redirect("registry:household-detail", pk=pk)
    person = person_get(user=user, pk=int(person_id), include_inactive=False)
    try:
        services.household_member_add(actor=user, household=household, person=person)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The person was added to the household."))
    return redirect("registry:household-detail", pk=pk)


@login_required
@require_POST
def relationship_remove_view(request: HttpRequest, pk: int, relationship_pk: int) -> HttpResponse:
    user = _registry_user(request)
    person = person_get(user=user, pk=pk, include_inactive=False)
    relationship = (
        person.relationships.filter(pk=relationship_pk).first()
        or person.related_to.filter(pk=relationship_pk).first()
    )
    if relationship is None:
        raise Http404
    services.relationship_remove(actor=user, relationship=relationship)
    messages.success(request, _("The relationship was removed."))
    return redirect("registry:person-detail", pk=pk)


@login_required
@require_POST
def household_member_remove_view(request: HttpRequest, pk: int, person_pk: int) -> HttpResponse:
    user = _registry_user(request)
    household = household_get(user=user, pk=pk)
    member = household.members.filter(person_id=person_pk).first()
    if member is None:
        raise Http404
    services.household_member_remove(actor=user, member=member)
    messages.success(request, _("The person was taken out of the household."))
    return redirect("registry:household-detail", pk=pk)
