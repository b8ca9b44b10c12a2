"""Indicators computed from live data: each a named, documented query counting one year in the
strategy's territory. A planner chooses one for an indicator; its value is counted when read,
so a report registered today shows in the plan at once."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

from django.db.models import Sum
from django.utils import timezone
from django.utils.functional import Promise, lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from ocrotire.planning.models import Indicator


@dataclass(frozen=True)
class Computation:
    name: str
    label: str | Promise
    description: str | Promise
    count: Callable[[Indicator, int], int]
    # Counted over any period of a territory (a donor project's results), where it can be.
    between: Callable[[str, date, date], int] | None = None


def _year(year: int) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(date(year, 1, 1), time.min))
    end = timezone.make_aware(datetime.combine(date(year + 1, 1, 1), time.min))
    return start, end


def _path(indicator: Indicator) -> str:
    return indicator.strategy.unit.path


def reports_received(indicator: Indicator, year: int) -> int:
    from ocrotire.intake.models import Report

    start, end = _year(year)
    return Report.objects.filter(
        received_at__gte=start, received_at__lt=end, unit__path__startswith=_path(indicator)
    ).count()


def _reports_between(path: str, since: date, until: date) -> int:
    from ocrotire.intake.models import Report

    return Report.objects.filter(
        received_at__date__gte=since, received_at__date__lte=until, unit__path__startswith=path
    ).count()


def children_placed_emergency(indicator: Indicator, year: int) -> int:
    from ocrotire.care.models import Placement

    start, end = _year(year)
    return (
        Placement.objects.filter(
            emergency=True,
            started_at__gte=start,
            started_at__lt=end,
            child__scope_unit__path__startswith=_path(indicator),
        )
        .values("child_id")
        .distinct()
        .count()
    )


def children_referred(indicator: Indicator, year: int) -> int:
    from ocrotire.cases.models import Referral

    start, end = _year(year)
    return (
        Referral.objects.filter(
            sent_at__gte=start, sent_at__lt=end, case__unit__path__startswith=_path(indicator)
        )
        .values("case__child_id")
        .distinct()
        .count()
    )


def complex_cases_referred(indicator: Indicator, year: int) -> int:
    from ocrotire.cases.models import Referral

    start, end = _year(year)
    return (
        Referral.objects.filter(
            complex_case=True,
            sent_at__gte=start,
            sent_at__lt=end,
            case__unit__path__startswith=_path(indicator),
        )
        .values("case_id")
        .distinct()
        .count()
    )


def _events(indicator: Indicator, year: int):  # type: ignore[no-untyped-def]
    from ocrotire.planning.models import TrainingEvent

    return TrainingEvent.objects.filter(items=indicator.item_id, held_on__year=year)


def training_events(indicator: Indicator, year: int) -> int:
    return int(_events(indicator, year).count())


def training_participants(indicator: Indicator, year: int) -> int:
    return int(_events(indicator, year).aggregate(n=Sum("participants"))["n"] or 0)


# --- community outreach (issue 22): each household's latest screening in the period ------------


def _screened(path: str, since: date, until: date) -> list[Any]:
    from ocrotire.outreach.selectors import territory_counts

    return territory_counts(path=path, since=since, until=until)


def _year_span(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def households_screened_between(path: str, since: date, until: date) -> int:
    return sum(row.households for row in _screened(path, since, until))


def children_flagged_between(path: str, since: date, until: date) -> int:
    return sum(row.flagged_children for row in _screened(path, since, until))


def children_reported_between(path: str, since: date, until: date) -> int:
    from ocrotire.outreach.models import FollowUp

    return (
        FollowUp.objects.filter(
            kind="report",
            created_at__date__gte=since,
            created_at__date__lte=until,
            screening__unit__path__startswith=path,
        )
        .values("child_id")
        .distinct()
        .count()
    )


def families_served_between(path: str, since: date, until: date) -> int:
    from ocrotire.outreach.models import Delivery

    return (
        Delivery.objects.filter(
            delivered_on__gte=since, delivered_on__lte=until, unit__path__startswith=path
        )
        .values("household_id")
        .distinct()
        .count()
    )


def certificates_issued_between(path: str, since: date, until: date) -> int:
    from ocrotire.outreach.models import Certificate

    return Certificate.objects.filter(
        number__isnull=False,
        decided_at__date__gte=since,
        decided_at__date__lte=until,
        programme__unit__path__startswith=path,
    ).count()


def _group_between(code: str) -> Callable[[str, date, date], int]:
    def count(path: str, since: date, until: date) -> int:
        return sum(
            row.groups[code].children for row in _screened(path, since, until) if code in row.groups
        )

    return count


def _by_year(between: Callable[[str, date, date], int]) -> Callable[[Indicator, int], int]:
    def count(indicator: Indicator, year: int) -> int:
        return between(_path(indicator), *_year_span(year))

    return count


def _outreach() -> list[Computation]:
    from ocrotire.outreach.screening import group_flags

    found = [
        Computation(
            "households_screened",
            _("Households screened"),
            _("Households of the territory screened in the period (each counted once)."),
            _by_year(households_screened_between),
            households_screened_between,
        ),
        Computation(
            "children_flagged",
            _("Children in flagged households"),
            _(
                "Children under 18 of the households whose latest screening in the period "
                "raised a flag."
            ),
            _by_year(children_flagged_between),
            children_flagged_between,
        ),
        Computation(
            "children_reported_by_community",
            _("Children reported from a screening"),
            _("Children of the territory reported to the authority after a screening."),
            _by_year(children_reported_between),
            children_reported_between,
        ),
        Computation(
            "families_served_package",
            _("Families who received a service of the package"),
            _("Households of the territory given a service of a package in the period."),
            _by_year(families_served_between),
            families_served_between,
        ),
    ]
    found.append(
        Computation(
            "certificates_issued",
            _("Benefit certificates issued"),
            _("Certificates of the territory's benefit programmes issued in the period."),
            _by_year(certificates_issued_between),
            certificates_issued_between,
        )
    )
    for code, names in group_flags():
        between = _group_between(code)
        found.append(
            Computation(
                f"screened_{code}",
                format_lazy(_("Children screened: {}"), _named(names)),
                format_lazy(
                    _("Children of the households whose latest screening was flagged: {}"),
                    _named(names),
                ),
                _by_year(between),
                between,
            )
        )
    return found


def _named(names: dict[str, str]) -> str | Promise:
    from ocrotire.dataforms.spec import name_in

    return lazy(lambda: name_in(names), str)()


COMPUTATIONS = {
    c.name: c
    for c in (
        Computation(
            "reports_received",
            _("Reports received"),
            _("Reports registered in the year whose unit is in the strategy's territory."),
            reports_received,
            lambda path, since, until: _reports_between(path, since, until),
        ),
        Computation(
            "children_placed_emergency",
            _("Children placed in emergency"),
            _(
                "Children with an emergency placement in alternative care that started in the "
                "year, living in the strategy's territory."
            ),
            children_placed_emergency,
        ),
        Computation(
            "children_referred",
            _("Children referred to a service"),
            _("Children of cases of the territory referred to a service in the year."),
            children_referred,
        ),
        Computation(
            "complex_cases_referred",
            _("Complex cases referred"),
            _("Cases of the territory referred in the year as complex cases."),
            complex_cases_referred,
        ),
        Computation(
            "training_events",
            _("Trainings and events held"),
            _("Trainings, seminars and other events of the year linked to the sub-action."),
            training_events,
        ),
        Computation(
            "training_participants",
            _("Training participants"),
            _("Participants of the year's trainings and events linked to the sub-action."),
            training_participants,
        ),
        *_outreach(),
    )
}

# What an imported result indicator is computed by, from the words of its unit. Conservative:
# only units that name one count unambiguously (a planner chooses the rest).
SUGGESTIONS = (
    (re.compile(r"^sesiz\w*\s+parvenit", re.I), "reports_received"),
    (re.compile(r"^participan", re.I), "training_participants"),
    (re.compile(r"^(seminar|training|instruir|instruiri|instruire)", re.I), "training_events"),
)


def suggest(unit: str) -> str:
    return next((name for pattern, name in SUGGESTIONS if pattern.search(unit.strip())), "")
