"""Reads of the plan: the tree with money and progress at every level, indicators with their
targets and their values (entered, or counted from live data when read)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from ocrotire.accounts.models import User
from ocrotire.planning.computations import COMPUTATIONS
from ocrotire.planning.models import (
    Comparator,
    Funding,
    FundingSource,
    ImportIssue,
    Indicator,
    IndicatorTarget,
    IndicatorValue,
    Level,
    PlanItem,
    Progress,
    ProgressStatus,
    Project,
    ProjectResult,
    Strategy,
    TrainingEvent,
)
from ocrotire.planning.permissions import can_view_plans


def strategy_list(*, user: User) -> QuerySet[Strategy]:
    if not can_view_plans(user):
        return Strategy.objects.none()
    return Strategy.objects.select_related("unit").order_by("-period_start", "name", "id")


def strategy_get(*, user: User, pk: int | str) -> Strategy:
    try:
        return strategy_list(user=user).get(pk=pk)
    except (Strategy.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise Http404 from exc


def item_get(*, strategy: Strategy, pk: int | str) -> PlanItem:
    try:
        return PlanItem.objects.prefetch_related("responsible").get(strategy=strategy, pk=pk)
    except (PlanItem.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise Http404 from exc


def indicator_list(*, user: User, strategy: Strategy | None = None) -> QuerySet[Indicator]:
    if not can_view_plans(user):
        return Indicator.objects.none()
    qs = Indicator.objects.all()
    if strategy is not None:
        qs = qs.filter(strategy=strategy)
    return qs.select_related("item", "strategy__unit").prefetch_related(
        Prefetch("targets", queryset=IndicatorTarget.objects.order_by("year")),
        Prefetch(
            "values", queryset=IndicatorValue.objects.order_by("year").prefetch_related("files")
        ),
    )


def indicator_get(*, user: User, pk: int | str) -> Indicator:
    try:
        return indicator_list(user=user).get(pk=pk)
    except (Indicator.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise Http404 from exc


def target_for(indicator: Indicator, year: int) -> IndicatorTarget | None:
    """The target of a year, else the every-year target."""
    targets = list(indicator.targets.all())
    return next((t for t in targets if t.year == year), None) or next(
        (t for t in targets if t.year is None), None
    )


def _met(value: Decimal | int | None, target: IndicatorTarget | None) -> bool | None:
    if value is None or target is None:
        return None
    if target.comparator == Comparator.AT_MOST:
        return Decimal(value) <= target.value
    if target.comparator == Comparator.EXACTLY:
        return Decimal(value) == target.value
    return Decimal(value) >= target.value


def indicator_years(indicator: Indicator, years: list[int]) -> list[dict[str, Any]]:
    """Per year: the target, the value (counted now for a computed indicator, else the one
    entered, with its evidence), and whether the target is met."""
    entered = {v.year: v for v in indicator.values.all()}
    computation = COMPUTATIONS.get(indicator.computation)
    rows = []
    for year in years:
        target = target_for(indicator, year)
        saved = entered.get(year)
        value: Decimal | int | None
        if computation is not None:
            value = computation.count(indicator, year)
        else:
            value = saved.value if saved else None
        rows.append(
            {
                "year": year,
                "target": target.value if target else None,
                "comparator": target.comparator if target else None,
                "value": value,
                "computed": computation is not None,
                "note": saved.note if saved and computation is None else "",
                "files": [{"id": f.pk, "name": f.name} for f in saved.files.all()]
                if saved and computation is None
                else [],
                "version": saved.version if saved else 0,
                "met": _met(value, target),
                "in_period": indicator.strategy.period_start
                <= year
                <= indicator.strategy.period_end,
            }
        )
    return rows


def strategy_years(strategy: Strategy, until_now: bool = False) -> list[int]:
    """The strategy's years; `until_now` stops at this year while the strategy runs."""
    last = strategy.period_end
    if until_now:
        last = min(last, timezone.localdate().year)
    return list(range(strategy.period_start, max(last, strategy.period_start) + 1))


def indicator_period(strategy: Strategy) -> list[int]:
    """The years an indicator is shown for: the strategy's years up to this one, and after a
    strategy has ended, the years since too (its targets are followed until the next plan)."""
    this_year = timezone.localdate().year
    last = max(strategy.period_end, this_year) if this_year > strategy.period_end else this_year
    return list(range(strategy.period_start, max(last, strategy.period_start) + 1))


@dataclass
class Node:
    item: PlanItem
    children: list[Node] = field(default_factory=list)
    money: dict[str, Decimal] = field(default_factory=dict)
    progress: dict[str, int] = field(default_factory=dict)
    status: str = ""  # of a sub-action in the year asked for

    @property
    def total(self) -> Decimal:
        return sum(self.money.values(), Decimal(0))


def plan_tree(strategy: Strategy, *, year: int | None = None) -> list[Node]:
    """The plan as a tree, in document order, in a fixed number of queries: each node with the
    money of its sub-actions by source, and (for `year`) how many sub-actions stand at each
    progress status."""
    items = list(
        PlanItem.objects.filter(strategy=strategy)
        .prefetch_related(
            "responsible",
            "partners",
            Prefetch("funding", queryset=Funding.objects.order_by("id")),
            Prefetch(
                "indicators",
                queryset=Indicator.objects.order_by("position").prefetch_related("targets"),
            ),
        )
        .order_by("position", "id")
    )
    statuses: dict[int, str] = {}
    if year is not None:
        statuses = dict(
            Progress.objects.filter(item__strategy=strategy, year=year).values_list(
                "item_id", "status"
            )
        )
    nodes = {item.pk: Node(item) for item in items}
    roots: list[Node] = []
    for item in items:
        node = nodes[item.pk]
        if item.parent_id in nodes:
            nodes[item.parent_id].children.append(node)
        else:
            roots.append(node)
        if item.level == Level.SUBACTION:
            node.status = statuses.get(item.pk, ProgressStatus.NOT_STARTED if year else "")
    for root in roots:
        _sum(root)
    return roots


def plan_rows(nodes: list[Node], depth: int = 0) -> list[tuple[int, Node]]:
    """The tree as table rows in document order, each with its depth."""
    rows: list[tuple[int, Node]] = []
    for node in nodes:
        rows.append((depth, node))
        rows.extend(plan_rows(node.children, depth + 1))
    return rows


def _sum(node: Node) -> None:
    money: dict[str, Decimal] = defaultdict(Decimal)
    progress: dict[str, int] = defaultdict(int)
    for funding in node.item.funding.all():
        money[funding.source] += funding.amount
    if node.item.level == Level.SUBACTION and node.status:
        progress[node.status] += 1
    for child in node.children:
        _sum(child)
        for source, amount in child.money.items():
            money[source] += amount
        for status, count in child.progress.items():
            progress[status] += count
    node.money = {s: money[s] for s in FundingSource.values if money.get(s)}
    node.progress = dict(progress)


def due_in(item: PlanItem, year: int) -> bool:
    """Whether a sub-action runs in a year: a year or a range that covers it, or anything
    recurring (annual, periodic, permanent, as needed) from its first year on."""
    if item.deadline_kind in ("year", "range"):
        return (item.start_year or 0) <= year <= (item.end_year or item.start_year or 9999)
    return (item.start_year or 0) <= year


def reportable_subactions(user: User) -> QuerySet[PlanItem]:
    """The sub-actions a user may report on (and link events to): those of their institution or
    its parent, and every one of the plans of their area for a plan keeper."""
    from django.db.models import Q

    from ocrotire.accounts.permissions import scope_of
    from ocrotire.planning.permissions import is_plan_keeper

    allowed = Q(pk__in=[])
    if is_plan_keeper(user):
        scope = scope_of(user)
        if scope.is_global:
            allowed = Q()
        else:
            for path in scope.unit_paths:
                allowed |= Q(strategy__unit__path__startswith=path)
    institution = getattr(user, "institution", None)
    if institution is not None:
        allowed |= Q(responsible=institution)
        if institution.parent_id:
            allowed |= Q(responsible=institution.parent_id)
    return (
        PlanItem.objects.filter(allowed, level=Level.SUBACTION)
        .distinct()
        .select_related("strategy")
        .order_by("strategy_id", "position")
    )


def project_list(*, user: User) -> QuerySet[Project]:
    """Donor projects: public facts of the municipality's partners, read by every member."""
    if not can_view_plans(user):
        return Project.objects.none()
    return Project.objects.select_related("unit").prefetch_related(
        "implementers", "results", "services", "items"
    )


def event_list(*, user: User) -> QuerySet[TrainingEvent]:
    """Trainings and events (titles, organisers and counts, no person named)."""
    if not can_view_plans(user):
        return TrainingEvent.objects.none()
    return TrainingEvent.objects.select_related("organiser").prefetch_related("items")


def open_issues(strategy: Strategy) -> QuerySet[ImportIssue]:
    return ImportIssue.objects.filter(strategy=strategy, resolved=False).order_by("id")


def result_achieved(result: ProjectResult) -> Decimal | None:
    """What a donor project's result achieved: counted now over the project's territory and
    period (until today) when the result names a count, else as entered."""
    computation = COMPUTATIONS.get(result.computation) if result.computation else None
    if computation is None or computation.between is None:
        return result.achieved
    project = result.project
    until = min(project.ends_on or timezone.localdate(), timezone.localdate())
    since = project.starts_on or date(1990, 1, 1)
    return Decimal(computation.between(project.unit.path, since, until))
