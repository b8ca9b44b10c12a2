"""Pages of the strategy's plan: the strategies (and the import), the plan's tree with progress
and money at every level, a sub-action with its indicators and the forms of the institutions
responsible for it, what the import could not read, the yearly execution report, and the
trainings and events that feed the indicators."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ocrotire.accounts.models import Institution, User
from ocrotire.accounts.permissions import member_or_403, scope_of
from ocrotire.core.forms import add_service_errors, service_call
from ocrotire.geo.models import Unit
from ocrotire.planning import excel, services
from ocrotire.planning.computations import COMPUTATIONS
from ocrotire.planning.forms import (
    EventForm,
    ImportForm,
    IndicatorForm,
    ItemForm,
    ProgressForm,
    ValueForm,
)
from ocrotire.planning.models import (
    Evidence,
    ImportIssue,
    Level,
    PlanItem,
    Progress,
    ProgressStatus,
    Strategy,
)
from ocrotire.planning.parsing import parse_action_plan
from ocrotire.planning.permissions import can_manage_plans, can_report_on, is_plan_keeper
from ocrotire.planning.selectors import (
    Node,
    due_in,
    event_list,
    indicator_list,
    indicator_period,
    indicator_years,
    item_get,
    open_issues,
    plan_rows,
    plan_tree,
    project_list,
    reportable_subactions,
    result_achieved,
    strategy_get,
    strategy_list,
    strategy_years,
)

MAX_UPLOAD = 10 * 1024 * 1024
CONFLICT = gettext_lazy(
    "Someone else changed this while you were working on it, so nothing was saved. Look at it "
    "again, then repeat your step."
)


def _plan_year(strategy: Strategy, raw: str | None) -> int:
    """The year asked for, else this year, kept inside the strategy's period."""
    try:
        year = int(raw) if raw else timezone.localdate().year
    except ValueError:
        year = timezone.localdate().year
    return min(max(year, strategy.period_start), strategy.period_end)


def _import_units(user: User) -> Any:
    scope = scope_of(user)
    units = Unit.objects.filter(level__in=("country", "region", "municipality", "district", "city"))
    return units if scope.is_global else units.filter(pk__in=scope.unit_ids)


@login_required
def plan_list_view(request: HttpRequest) -> HttpResponse:
    user = member_or_403(request)
    keeper = is_plan_keeper(user)
    form = ImportForm(units=_import_units(user)) if keeper else None
    return render(
        request,
        "planning/plan_list.html",
        {"strategies": list(strategy_list(user=user)), "form": form},
    )


@login_required
@require_POST
def plan_import_view(request: HttpRequest) -> HttpResponse:
    user = member_or_403(request)
    if not is_plan_keeper(user):
        raise PermissionDenied
    form = ImportForm(request.POST, request.FILES, units=_import_units(user))
    if form.is_valid():
        data = form.cleaned_data
        too_large = data["file"].size > MAX_UPLOAD
        raw = b"" if too_large else data["file"].read()
        try:
            if too_large:
                raise ValidationError({"file": _("The file is larger than 10 MB.")})
            if excel.is_workbook(raw):
                plan = excel.read_plan(raw)
            else:
                try:
                    plan = parse_action_plan(raw.decode("utf-8-sig"))
                except UnicodeDecodeError as exc:
                    raise ValidationError(
                        {"file": _("Send the plan as UTF-8 text or as an Excel workbook (.xlsx).")}
                    ) from exc
            period = None
            if data.get("period_start") and data.get("period_end"):
                period = (data["period_start"], data["period_end"])
            strategy = services.plan_import(
                actor=user,
                plan=plan,
                unit=data["unit"],
                source_name=data["file"].name or "",
                name=data.get("name") or "",
                period=period,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            issues = open_issues(strategy).count()
            messages.success(
                request,
                _("The plan was imported: %(items)s rows, %(issues)s to look at.")
                % {"items": strategy.items.count(), "issues": issues},
            )
            target = "planning:issues" if issues else "planning:detail"
            return redirect(target, pk=strategy.pk)
    return render(
        request,
        "planning/plan_list.html",
        {"strategies": list(strategy_list(user=user)), "form": form},
        status=400,
    )


@login_required
def plan_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = member_or_403(request)
    strategy = strategy_get(user=user, pk=pk)
    year = _plan_year(strategy, request.GET.get("year"))
    tree = plan_tree(strategy, year=year)
    return render(
        request,
        "planning/plan_detail.html",
        {
            "strategy": strategy,
            "year": year,
            "years": strategy_years(strategy),
            "rows": plan_rows(tree),
            "totals": _totals(tree),
            "statuses": ProgressStatus.choices,
            "issues": open_issues(strategy).count(),
            "keeper": can_manage_plans(user, strategy.unit),
        },
    )


def _totals(tree: list[Node]) -> dict[str, Any]:
    money: dict[str, Any] = {}
    progress: dict[str, int] = {}
    for node in tree:
        for source, amount in node.money.items():
            money[source] = money.get(source, 0) + amount
        for status, count in node.progress.items():
            progress[status] = progress.get(status, 0) + count
    return {"money": money, "total": sum(money.values()), "progress": progress}


@login_required
def item_detail_view(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    user = member_or_403(request)
    strategy = strategy_get(user=user, pk=pk)
    item = item_get(strategy=strategy, pk=item_pk)
    return _item_page(request, user, strategy, item)


def _item_page(
    request: HttpRequest,
    user: User,
    strategy: Strategy,
    item: PlanItem,
    *,
    progress_form: ProgressForm | None = None,
    value_form: tuple[int, ValueForm] | None = None,
    definition_form: tuple[int, IndicatorForm] | None = None,
    item_form: ItemForm | None = None,
    status: int = 200,
) -> HttpResponse:
    years = strategy_years(strategy)
    year = _plan_year(strategy, request.GET.get("year"))
    shown = indicator_period(strategy)
    reporter = can_report_on(user, item) and item.level == Level.SUBACTION
    keeper = can_manage_plans(user, strategy.unit)
    choices = [(c.name, c.label) for c in COMPUTATIONS.values()]
    indicators = []
    for indicator in indicator_list(user=user, strategy=strategy).filter(item=item):
        form = None
        if reporter and not indicator.computation:
            if value_form is not None and value_form[0] == indicator.pk:
                form = value_form[1]
            else:
                form = ValueForm(initial={"year": year}, prefix=f"v{indicator.pk}")
        definition = None
        if keeper:
            if definition_form is not None and definition_form[0] == indicator.pk:
                definition = definition_form[1]
            else:
                definition = IndicatorForm(
                    computations=choices,
                    prefix=f"d{indicator.pk}",
                    initial={
                        "computation": indicator.computation,
                        "unit": indicator.unit,
                        "baseline": indicator.baseline,
                        "baseline_year": indicator.baseline_year,
                        "targets": "\n".join(
                            f"{t.year or '*'}: {t.value.normalize():f}"
                            for t in indicator.targets.all()
                        ),
                        "version": indicator.version,
                    },
                )
        indicators.append(
            {
                "indicator": indicator,
                "years": indicator_years(indicator, shown),
                "computation": COMPUTATIONS.get(indicator.computation),
                "form": form,
                "definition": definition,
            }
        )
    progress = {
        p.year: p
        for p in Progress.objects.filter(item=item)
        .select_related("updated_by")
        .prefetch_related("files")
    }
    if reporter and progress_form is None:
        current = progress.get(year)
        progress_form = ProgressForm(
            initial={
                "year": year,
                "status": current.status if current else ProgressStatus.IN_PROGRESS,
                "comment": current.comment if current else "",
                "evidence": current.evidence if current else "",
                "version": current.version if current else 0,
            }
        )
    if keeper and item.level == Level.SUBACTION and item_form is None:
        item_form = ItemForm(
            institutions=_institutions(strategy),
            initial={
                "title": item.title,
                "deadline_text": item.deadline_text,
                "responsible": list(item.responsible.all()),
                "partners": list(item.partners.all()),
                "result_text": item.result_text,
                "version": item.version,
            },
        )
    return render(
        request,
        "planning/item_detail.html",
        {
            "item_form": item_form if keeper else None,
            "strategy": strategy,
            "item": item,
            "ancestors": _ancestors(item),
            "children": list(item.children.order_by("position", "id")),
            "indicators": indicators,
            "progress": [(y, progress.get(y)) for y in years],
            "progress_form": progress_form if reporter else None,
            "events": list(item.events.order_by("-held_on")[:20]),
            "can_see_files": reporter or keeper,
            "year": year,
        },
        status=status,
    )


def _ancestors(item: PlanItem) -> list[PlanItem]:
    chain = []
    parent = item.parent
    while parent is not None:
        chain.append(parent)
        parent = parent.parent
    return list(reversed(chain))


@login_required
@require_POST
def progress_view(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    user = member_or_403(request)
    strategy = strategy_get(user=user, pk=pk)
    item = item_get(strategy=strategy, pk=item_pk)
    if not can_report_on(user, item):
        raise PermissionDenied
    form = ProgressForm(request.POST, request.FILES)
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        # The file and the record land together or not at all.
        with service_call(form, conflict=CONFLICT) as call, transaction.atomic():
            progress = services.progress_record(
                actor=user,
                item=item,
                year=data["year"],
                status=data["status"],
                comment=data["comment"],
                evidence=data["evidence"],
                version=data.get("version"),
            )
            if data.get("file"):
                services.evidence_add(actor=user, upload=data["file"], progress=progress)
        if call.ok:
            messages.success(request, _("The progress was recorded."))
            return redirect(
                f"{reverse('planning:item', args=[strategy.pk, item.pk])}?year={data['year']}"
            )
        status = call.status(400)
    return _item_page(request, user, strategy, item, progress_form=form, status=status)


@login_required
@require_POST
def value_view(request: HttpRequest, pk: int, item_pk: int, indicator_pk: int) -> HttpResponse:
    user = member_or_403(request)
    strategy = strategy_get(user=user, pk=pk)
    item = item_get(strategy=strategy, pk=item_pk)
    if not can_report_on(user, item):
        raise PermissionDenied
    indicator = indicator_list(user=user, strategy=strategy).filter(item=item, pk=indicator_pk)
    found = indicator.first()
    if found is None:
        raise Http404
    form = ValueForm(request.POST, request.FILES, prefix=f"v{found.pk}")
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        with service_call(form, conflict=CONFLICT) as call, transaction.atomic():
            saved = services.indicator_value_record(
                actor=user,
                indicator=found,
                year=data["year"],
                value=data["value"],
                note=data["note"],
                version=data.get("version"),
            )
            if data.get("file"):
                services.evidence_add(actor=user, upload=data["file"], value=saved)
        if call.ok:
            messages.success(request, _("The value was recorded."))
            return redirect(
                f"{reverse('planning:item', args=[strategy.pk, item.pk])}?year={data['year']}"
            )
        status = call.status(400)
    return _item_page(request, user, strategy, item, value_form=(found.pk, form), status=status)


def _institutions(strategy: Strategy) -> Any:
    return Institution.objects.filter(country=strategy.country, active=True).order_by("name")


@login_required
@require_POST
def item_edit_view(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    """A plan keeper corrects a sub-action's row."""
    user = member_or_403(request)
    strategy = strategy_get(user=user, pk=pk)
    item = item_get(strategy=strategy, pk=item_pk)
    if not can_manage_plans(user, strategy.unit):
        raise PermissionDenied
    form = ItemForm(request.POST, institutions=_institutions(strategy))
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        with service_call(form, conflict=CONFLICT) as call:
            services.item_update(
                actor=user,
                item=item,
                version=data["version"],
                title=data["title"],
                deadline_text=data["deadline_text"],
                responsible=list(data["responsible"]),
                partners=list(data["partners"]),
                result_text=data["result_text"],
            )
        if call.ok:
            messages.success(request, _("The row was corrected."))
            return redirect("planning:item", pk=strategy.pk, item_pk=item.pk)
        status = call.status(400)
    return _item_page(request, user, strategy, item, item_form=form, status=status)


@login_required
@require_POST
def indicator_view(request: HttpRequest, pk: int, item_pk: int, indicator_pk: int) -> HttpResponse:
    """A plan keeper defines an indicator (what counts it, unit, baseline, targets)."""
    user = member_or_403(request)
    strategy = strategy_get(user=user, pk=pk)
    item = item_get(strategy=strategy, pk=item_pk)
    if not can_manage_plans(user, strategy.unit):
        raise PermissionDenied
    found = indicator_list(user=user, strategy=strategy).filter(item=item, pk=indicator_pk).first()
    if found is None:
        raise Http404
    choices = [(c.name, c.label) for c in COMPUTATIONS.values()]
    form = IndicatorForm(request.POST, computations=choices, prefix=f"d{found.pk}")
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        with service_call(form, conflict=CONFLICT) as call:
            services.indicator_update(
                actor=user,
                indicator=found,
                version=data["version"],
                computation=data["computation"],
                unit=data["unit"],
                baseline=data["baseline"],
                baseline_year=data["baseline_year"],
                targets=data["targets"],
            )
        if call.ok:
            messages.success(request, _("The indicator was saved."))
            return redirect("planning:item", pk=strategy.pk, item_pk=item.pk)
        status = call.status(400)
    return _item_page(
        request, user, strategy, item, definition_form=(found.pk, form), status=status
    )


@login_required
def issues_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = member_or_403(request)
    strategy = strategy_get(user=user, pk=pk)
    keeper = can_manage_plans(user, strategy.unit)
    if request.method == "POST":
        if not keeper:
            raise PermissionDenied
        raw = request.POST.get("issue", "")
        issue = (
            ImportIssue.objects.filter(strategy=strategy, pk=raw).first() if raw.isdigit() else None
        )
        if issue is None:
            raise Http404
        services.issue_resolve(actor=user, issue=issue)
        messages.success(request, _("Marked as resolved."))
        return redirect("planning:issues", pk=strategy.pk)
    codes = dict(PlanItem.objects.filter(strategy=strategy).values_list("code", "pk"))
    return render(
        request,
        "planning/issues.html",
        {
            "strategy": strategy,
            "issues": [(issue, codes.get(issue.location)) for issue in open_issues(strategy)],
            "keeper": keeper,
        },
    )


@login_required
def report_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The yearly execution report: every sub-action due or running in the year, with its
    status and comment, its indicators against their targets, and its money."""
    user = member_or_403(request)
    strategy = strategy_get(user=user, pk=pk)
    year = _plan_year(strategy, request.GET.get("year"))
    rows = executionplan_rows(user, strategy, year)
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["status"]] = counts.get(row["status"], 0) + 1
    return render(
        request,
        "planning/report.html",
        {
            "strategy": strategy,
            "year": year,
            "years": strategy_years(strategy),
            "rows": rows,
            "counts": [(label, counts.get(value, 0)) for value, label in ProgressStatus.choices],
        },
    )


def executionplan_rows(user: User, strategy: Strategy, year: int) -> list[dict[str, Any]]:
    items = list(
        PlanItem.objects.filter(strategy=strategy, level=Level.SUBACTION)
        .prefetch_related("responsible", "funding")
        .order_by("position", "id")
    )
    progress = {p.item_id: p for p in Progress.objects.filter(item__strategy=strategy, year=year)}
    indicators: dict[int, list[dict[str, Any]]] = {}
    for indicator in indicator_list(user=user, strategy=strategy).filter(
        item__level=Level.SUBACTION
    ):
        [row] = indicator_years(indicator, [year])
        indicators.setdefault(indicator.item_id, []).append({"indicator": indicator, **row})
    rows = []
    for item in items:
        if not due_in(item, year):
            continue
        record = progress.get(item.pk)
        rows.append(
            {
                "item": item,
                "status": record.status if record else ProgressStatus.NOT_STARTED,
                "status_label": record.get_status_display()
                if record
                else ProgressStatus.NOT_STARTED.label,
                "comment": record.comment if record else "",
                "indicators": indicators.get(item.pk, []),
                "money": sum((f.amount for f in item.funding.all()), 0),
            }
        )
    return rows


@login_required
def events_view(request: HttpRequest) -> HttpResponse:
    """Trainings, seminars and campaigns, and the form to record one."""
    user = member_or_403(request)
    items = reportable_subactions(user)
    may_record = user.institution_id is not None or is_plan_keeper(user)
    form = None
    status = 200
    if may_record:
        form = EventForm(request.POST or None, items=items)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            # Where the event was held: the organiser's area, else the linked plan's territory.
            linked = list(data["items"])
            unit = (user.institution.units.first() if user.institution else None) or (
                linked[0].strategy.unit if linked else None
            )
            with service_call(form) as call:
                if unit is None:
                    raise ValidationError({"kind": _("Your account has no institution or area.")})
                services.event_record(
                    actor=user,
                    kind=data["kind"],
                    title=data["title"],
                    topic=data["topic"],
                    held_on=data["held_on"],
                    participants=data["participants"],
                    unit=unit,
                    items=linked,
                )
            if call.ok:
                messages.success(request, _("The event was recorded."))
                return redirect("planning:events")
        if request.method == "POST":
            status = 400
    elif request.method == "POST":
        raise PermissionDenied
    page = Paginator(event_list(user=user), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "planning/events.html",
        {"page": page, "form": form, "query": ""},
        status=status,
    )


@login_required
def projects_view(request: HttpRequest) -> HttpResponse:
    user = member_or_403(request)
    projects = list(project_list(user=user))
    for project in projects:
        for result in project.results.all():
            # Counted now where the result names a count (community outreach, reports).
            result.shown = result_achieved(result)  # type: ignore[attr-defined]
    return render(request, "planning/projects.html", {"projects": projects})


@login_required
def evidence_view(request: HttpRequest, pk: int) -> FileResponse:
    """Evidence files are private: served only to those who may report on their row."""
    user = member_or_403(request)
    evidence = (
        Evidence.objects.select_related("value__indicator__item", "progress__item")
        .filter(pk=pk)
        .first()
    )
    if evidence is None:
        raise Http404
    item = evidence.value.indicator.item if evidence.value else evidence.progress.item  # type: ignore[union-attr]
    if not can_report_on(user, item):
        raise PermissionDenied
    return FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=evidence.name,
        content_type=evidence.content_type,
    )
