"""Reads of cases, their tasks and timeline, always through the reader's scope."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from ocrotire.accounts.models import Institution, RoleCode, User
from ocrotire.accounts.permissions import has_role, is_member
from ocrotire.cases.models import (
    OPEN_STAGES,
    Assessment,
    Case,
    CaseMember,
    ProtectiveAction,
    ProtectiveActionKind,
    RiskLevel,
    Stage,
    Visit,
)
from ocrotire.cases.needs import need_names
from ocrotire.cases.permissions import APPROVER_ROLES, CASE_ROLES, works_cases
from ocrotire.geo.models import Unit
from ocrotire.registry.selectors import has_digits, named_q, scope_q
from ocrotire.workflow.models import Task, TaskStatus, TimelineEvent


def case_scope(user: User) -> QuerySet[Case]:
    """Case workers see their area; everybody sees the cases whose team they are on."""
    if not is_member(user):
        return Case.objects.none()
    teams = CaseMember.objects.filter(user=user, active=True)
    if works_cases(user):
        condition = scope_q(user, "unit")
        if condition is None:
            return Case.objects.all()
        # The cases whose team the user is on outside their area, as a list of ids (usually
        # none): an OR with a per-row EXISTS would make every count scan the whole table.
        in_area = scope_q(user, "case__unit")
        assert in_area is not None
        elsewhere = list(teams.exclude(in_area).order_by().values_list("case_id", flat=True))
        return Case.objects.filter(condition | Q(pk__in=elsewhere) if elsewhere else condition)
    return Case.objects.filter(Q(Exists(teams.filter(case=OuterRef("pk")))))


def case_list(
    *,
    user: User,
    stage: str = "",
    unit_code: str = "",
    manager: User | None = None,
    search: str = "",
    risk_level: str = "",
    open_only: bool = False,
) -> QuerySet[Case]:
    qs = case_scope(user)
    if stage:
        qs = qs.filter(stage=stage)
    elif open_only:
        qs = qs.exclude(stage=Stage.CLOSED)
    if unit_code:
        qs = qs.filter(Q(unit__code=unit_code) | Q(unit__path__contains=f"/{unit_code}/"))
    if manager is not None:
        qs = qs.filter(manager=manager)
    if risk_level:
        qs = qs.filter(risk_level=risk_level)
    if search:
        # A case number has digits and a name has none: one condition, not an OR the index
        # of either could not answer.
        term = search.strip()
        qs = (
            qs.filter(number__iexact=term)
            if has_digits(term)
            else qs.filter(named_q("child_id", term))
        )
    return (
        qs.select_related("unit", "child", "manager")
        .annotate(overdue_count=overdue_count())
        .order_by("-opened_at", "-id")
    )


def _flag(value: str) -> bool:
    return value in ("1", "on", "true")


def case_list_from_query(
    *, user: User, params: Mapping[str, Any]
) -> tuple[QuerySet[Case], dict[str, str]]:
    """The cases as the list page filters them from its query string (the export of the list
    reads the same filters the same way): the cases and the filters as understood."""
    stage = params.get("stage", "") if params.get("stage", "") in Stage.values else ""
    risk = params.get("risk_level", "") if params.get("risk_level", "") in RiskLevel.values else ""
    unit = params.get("unit", "").strip()[:40]
    search = params.get("q", "").strip()[:100]
    mine = _flag(params.get("mine", ""))
    open_only = _flag(params.get("open", ""))
    qs = case_list(
        user=user,
        stage=stage,
        unit_code=unit,
        risk_level=risk,
        search=search,
        manager=user if mine else None,
        open_only=open_only,
    )
    filters = {
        "stage": stage,
        "risk_level": risk,
        "unit": unit,
        "q": search,
        "mine": "1" if mine else "",
        "open": "1" if open_only else "",
    }
    return qs, filters


def assessment_list_from_query(
    *, user: User, params: Mapping[str, Any]
) -> tuple[QuerySet[Assessment], dict[str, str]]:
    """The assessments filled with an official form of the cases the list page shows with these
    filters (their export has one column per question of the forms)."""
    cases, filters = case_list_from_query(user=user, params=params)
    qs = (
        Assessment.objects.filter(case__in=cases.values("pk"), form_version__isnull=False)
        .select_related("case__child", "form_version__definition")
        .order_by("case__number", "completed_at", "pk")
    )
    return qs, filters


def visit_list_from_query(
    *, user: User, params: Mapping[str, Any]
) -> tuple[QuerySet[Visit], dict[str, str]]:
    """The visits filled with an official form (Romania's observation sheet) of the cases the
    list page shows with these filters (their export has one column per question)."""
    cases, filters = case_list_from_query(user=user, params=params)
    qs = (
        Visit.objects.filter(case__in=cases.values("pk"), form_version__isnull=False)
        .select_related("case__child", "form_version__definition")
        .order_by("case__number", "visited_at", "pk")
    )
    return qs, filters


def case_page_rows(ids: list[int]) -> list[Case]:
    """The cases of a list page, in the order of `ids` (chosen from a scoped `case_list`), with
    what the list shows: unit, child, manager, overdue steps and every step."""
    by_id = {
        case.pk: case
        for case in Case.objects.filter(pk__in=ids)
        .select_related("unit", "child", "manager")
        .annotate(overdue_count=overdue_count())
        .prefetch_related(
            Prefetch(
                "tasks",
                queryset=Task.objects.select_related("rule").order_by("due_at", "id"),
                to_attr="prefetched_tasks",
            )
        )
    }
    return [by_id[pk] for pk in ids if pk in by_id]


def overdue_count(now: datetime | None = None) -> Coalesce:
    """The case's open steps past their due time, counted in a correlated subquery: only the rows
    of the page are counted (a join and GROUP BY would count the tasks of every case in scope
    before sorting, and make the pagination count group them too)."""
    tasks = (
        Task.objects.filter(
            case=OuterRef("pk"), status=TaskStatus.OPEN, due_at__lt=now or timezone.now()
        )
        .order_by()
        .values("case")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(tasks, output_field=IntegerField()), 0)


def case_get(*, user: User, pk: int | str) -> Case:
    try:
        return (
            case_scope(user)
            .select_related(
                "unit", "child", "manager", "lead_institution", "opened_by", "closure_approved_by"
            )
            .get(pk=pk)
        )
    except (Case.DoesNotExist, ValueError, OverflowError) as exc:
        raise Http404 from exc


def case_tasks(case: Case) -> QuerySet[Task]:
    return (
        Task.objects.filter(case=case)
        .select_related("rule", "assignee", "unit")
        .order_by("due_at", "id")
    )


def case_timeline(case: Case) -> list[TimelineEvent]:
    """Every event of the case and of the reports linked to it, in order."""
    # Two indexed conditions (case, report ids) that the database can OR from its indexes.
    report_ids = list(case.reports.values_list("pk", flat=True))
    return list(
        TimelineEvent.objects.filter(Q(case=case) | Q(report_id__in=report_ids))
        .select_related("actor", "report", "case", "case__unit", "report__unit")
        .order_by("at", "id")
    )


def task_scope(user: User) -> QuerySet[Task]:
    """Tasks of the cases and reports a user may see."""
    if not works_cases(user):
        return Task.objects.filter(case__in=case_scope(user))
    condition = scope_q(user, "unit")
    qs = Task.objects.all()
    return qs if condition is None else qs.filter(condition)


def my_work(
    *, user: User, now: datetime | None = None
) -> dict[str, QuerySet[Task] | QuerySet[Case]]:
    """Due today, overdue, and awaiting my approval."""
    now = now or timezone.now()
    end_of_day = timezone.localtime(now).replace(hour=23, minute=59, second=59)
    mine = (
        task_scope(user)
        .filter(status=TaskStatus.OPEN)
        .filter(
            Q(assignee=user)
            | Q(case__manager=user, assignee__isnull=True, rule__assignee="manager")
            | Q(assignee__isnull=True, report__isnull=False, rule__assignee="triage")
        )
        .select_related("rule", "unit", "case", "report", "case__child")
    )
    if has_role(user, *APPROVER_ROLES):
        approvals = (
            case_scope(user)
            .filter(stage__in=[Stage.PLAN_APPROVAL, Stage.CLOSURE_PROPOSED])
            .select_related("child", "manager", "unit")
        )
    else:
        approvals = Case.objects.none()
    return {
        "overdue": mine.filter(due_at__lt=now).order_by("due_at"),
        "due_today": mine.filter(due_at__gte=now, due_at__lte=end_of_day).order_by("due_at"),
        "upcoming": mine.filter(
            due_at__gt=end_of_day, due_at__lte=now + timedelta(days=7)
        ).order_by("due_at"),
        "approvals": approvals.order_by("updated_at"),
    }


def board(*, user: User, unit_code: str = "") -> dict[str, list[Case]]:
    """Every open case of the area by stage, with its overdue steps counted (supervisor view)."""
    cases = case_list(user=user, unit_code=unit_code, open_only=True)
    grouped: dict[str, list[Case]] = {stage: [] for stage in OPEN_STAGES}
    for case in cases[:2000]:
        grouped.setdefault(case.stage, []).append(case)
    return grouped


def board_reports(*, user: User, unit_code: str = "") -> QuerySet[Any]:
    """Reports of the area still awaiting triage, oldest first, with their overdue steps counted
    (the first column of the supervisor board)."""
    from ocrotire.intake.models import ReportStatus
    from ocrotire.intake.selectors import report_scope

    qs = report_scope(user).filter(status=ReportStatus.NEW)
    if unit_code:
        qs = qs.filter(Q(unit__code=unit_code) | Q(unit__path__contains=f"/{unit_code}/"))
    now = timezone.now()
    return (
        qs.select_related("unit")
        .annotate(
            overdue_count=Count(
                "tasks",
                filter=Q(tasks__status=TaskStatus.OPEN, tasks__due_at__lt=now),
                distinct=True,
            )
        )
        .order_by("received_at", "id")
    )


def case_team(case: Case) -> QuerySet[CaseMember]:
    return (
        CaseMember.objects.filter(case=case, active=True)
        .select_related("user", "user__institution")
        .order_by("added_at", "id")
    )


def case_removals(case: Case) -> QuerySet[ProtectiveAction]:
    """Removals from the family whose prosecutor notice or court filing is still to record."""
    return ProtectiveAction.objects.filter(case=case, kind=ProtectiveActionKind.REMOVAL).filter(
        Q(prosecutor_notified_at__isnull=True) | Q(court_filed_at__isnull=True)
    )


def case_managers_for(unit: Unit) -> QuerySet[User]:
    """Case workers whose area covers the unit: who may manage a case there."""
    codes = unit.ancestor_codes()
    paths = ["/".join(codes[: i + 1]) + "/" for i in range(len(codes))]
    covers = (
        Q(units__path__in=paths)
        | Q(units__isnull=True, institution__units__path__in=paths)
        | Q(roles__code=RoleCode.ADMINISTRATOR)
    )
    ids = User.objects.filter(covers, is_active=True, roles__code__in=CASE_ROLES).values("pk")
    return User.objects.filter(pk__in=ids).order_by("last_name", "first_name", "username")


def transfer_units(case: Case) -> QuerySet[Unit]:
    """Units of the case's country a case can go to."""
    return (
        Unit.objects.filter(country=case.unit.country, active=True)
        .exclude(pk=case.unit_id)
        .prefetch_related("names")
        .order_by("path")
    )


def referral_institutions(case: Case) -> QuerySet[Institution]:
    """Institutions of the case's country that can receive a referral."""
    return Institution.objects.filter(active=True, country=case.unit.country).order_by("name")


def team_candidate(username: str) -> User | None:
    return User.objects.filter(username=username.strip(), is_active=True).first()


def case_records(case: Case) -> dict[str, list[Any]]:
    """What each step recorded on the case, newest first, with the people who recorded it."""
    assessments = list(
        case.assessments.select_related("author", "form_version__definition").order_by(
            "-completed_at"
        )
    )
    names = need_names(case.unit.country, (code for a in assessments for code in a.needs or []))
    for assessment in assessments:
        assessment.need_names = [names[c] for c in assessment.needs or []]  # type: ignore[attr-defined]
    return {
        "assessments": assessments,
        "plans": list(
            case.plans.select_related(
                "submitted_by", "decided_by", "form_version__definition"
            ).order_by("-number")
        ),
        "visits": list(
            case.visits.select_related("author", "form_version__definition").order_by("-visited_at")
        ),
        "reviews": list(case.reviews.select_related("author").order_by("-reviewed_at")),
        "meetings": list(case.meetings.select_related("author").order_by("-held_at")),
        "referrals": list(
            case.referrals.select_related("to_institution", "sent_by").order_by("-sent_at")
        ),
        "protective_actions": list(
            case.protective_actions.select_related("author").order_by("-decided_at")
        ),
    }


def removals_awaiting_return(case: Case, now: datetime | None = None) -> list[dict[str, Any]]:
    """Removals from the family whose court action was not filed by the court-filing deadline
    and whose child was not returned: under Moldova's Family Code art. 71 the child must then be
    returned to the parents. Each with its removal and the deadline missed. Ending the emergency
    protection does not silence it: only the court action or the child's return does."""
    if not case.is_open:
        return []
    now = now or timezone.now()
    found = []
    removals = case.protective_actions.filter(
        kind=ProtectiveActionKind.REMOVAL, court_filed_at__isnull=True, returned_at__isnull=True
    )
    for action in removals:
        deadline = (
            Task.objects.filter(
                case=case, rule__completed_by="court_filed", anchor_at=action.decided_at
            )
            .order_by("-id")
            .first()
        )
        if deadline is not None and deadline.status == TaskStatus.OPEN and deadline.due_at < now:
            found.append({"action": action, "due_at": deadline.due_at})
    return found
