"""The HG 270 annual monitoring report: counts of a year's reports and of the children in them,
in the official form's rows (DOMAIN.md §1.3, SPEC §3).

What each row counts (choices where the form is silent are written in docs/ARCHITECTURE.md):

- "1" reports registered in the year (received in the unit's subtree), self-referrals apart;
  "1.1"/"1.2"/"1.3" those filed by educational, public-order and medical institutions
  ("1.other_sources": every other reporter); "2" self-referrals by the authority.
- "1.urban"/"1.rural" by the report's unit (the nearest unit up the tree that says whether it is
  urban); "1.girls"/"1.boys" and "1.age_0_2"/"1.age_3_6"/"1.age_7_17" count the children named
  in those reports (a report about two children counts twice), age on the day the report came.
  The "…_unknown" keys hold what has no sex, no birth date (or an age of 18 or more), or no
  urban/rural mark, so that every breakdown adds up to its row.
- "3"/"4" reports / self-referrals whose suspicion an assessment of the case found confirmed
  (or partly confirmed) after the report came.
- "5" children subjected to violence, each child once, under the most serious form recorded in
  their latest report of the year that names one of the five forms (a later report about
  neglect alone does not take them out); "6"–"10" those forms, which add up to "5".
- "11"–"14" children (each once) whose reports of the year name neglect, labour exploitation,
  trafficking or presumed trafficking.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
    Window,
)
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ocrotire.analytics.common import figures
from ocrotire.analytics.common.expressions import UNKNOWN, band_of
from ocrotire.analytics.common.suppression import Group, suppress
from ocrotire.cases.models import Assessment, Confirmation
from ocrotire.core.expressions import InIds
from ocrotire.geo.models import Unit
from ocrotire.intake.models import Channel, Report, ReportChild, ReporterSector

VIOLENCE_FORMS = {
    "physical": "6",
    "sexual": "7",
    "psychological": "8",
    "spiritual": "9",
    "economic": "10",
}
CHILD_CONCERNS = {
    "neglect": "11",
    "labour_exploitation": "12",
    "trafficking": "13",
    "presumed_trafficking": "14",
}
SOURCES = {
    ReporterSector.EDUCATION: "1",
    ReporterSector.PUBLIC_ORDER: "2",
    ReporterSector.HEALTH: "3",
}
# The shared groups (`expressions`) as the form's keys.
PLACES = {"urban": "urban", "rural": "rural", UNKNOWN: "place_unknown"}
BANDS = {
    "0_2": "age_0_2",
    "3_6": "age_3_6",
    "7_17": "age_7_17",
    "18_plus": "age_unknown",
    UNKNOWN: "age_unknown",
}


@dataclass(frozen=True)
class Line:
    key: str
    label: Promise
    depth: int = 0


def _breakdown_lines(row: str) -> list[Line]:
    return [
        Line(f"{row}.urban", _("in urban areas"), 1),
        Line(f"{row}.rural", _("in rural areas"), 1),
        Line(f"{row}.place_unknown", _("urban or rural not known"), 1),
        Line(f"{row}.girls", _("girls"), 1),
        Line(f"{row}.boys", _("boys"), 1),
        Line(f"{row}.sex_unknown", _("sex not recorded"), 1),
        Line(f"{row}.age_0_2", _("aged 0–2"), 1),
        Line(f"{row}.age_3_6", _("aged 3–6"), 1),
        Line(f"{row}.age_7_17", _("aged 7–17"), 1),
        Line(f"{row}.age_unknown", _("age not known or 18 and over"), 1),
    ]


# The form's rows in order, with their labels (the page, the workbook).
LINES: list[Line] = [
    Line("1", _("Reports of suspected violence, neglect, exploitation or trafficking registered")),
    Line("1.1", _("from educational institutions"), 1),
    Line("1.2", _("from public-order bodies (police)"), 1),
    Line("1.3", _("from medical institutions"), 1),
    Line("1.other_sources", _("from other sources"), 1),
    *_breakdown_lines("1"),
    Line("2", _("Self-referrals by the guardianship authority")),
    *_breakdown_lines("2"),
    Line("3", _("Confirmed reports")),
    Line("4", _("Confirmed self-referrals")),
    Line("5", _("Children subjected to violence (by the most serious form)")),
    Line("6", _("physical violence"), 1),
    Line("7", _("sexual violence"), 1),
    Line("8", _("psychological violence"), 1),
    Line("9", _("spiritual violence"), 1),
    Line("10", _("economic violence"), 1),
    Line("11", _("Neglected children")),
    Line("12", _("Children exploited through labour")),
    Line("13", _("Child victims of trafficking")),
    Line("14", _("Presumed child victims of trafficking")),
]
KEYS = [line.key for line in LINES]


def _groups() -> list[Group[str]]:
    """The rows that add up (docstring above): a small row hidden alone could be computed back
    from them. The children named in row 1 (or 2) are not a row of the form, but their sexes and
    their ages both add up to that number, so each breakdown is a group of its own with a total
    the reader may know. Rows 1 and 2 add up to every report of the year, which the dashboards
    show. So does each breakdown's part in rows 1 and 2 together: the dashboards show the
    year's children by sex and by age, and its reports by unit (each urban or rural)."""
    groups: list[Group[str]] = [
        Group("1", ("1.1", "1.2", "1.3", "1.other_sources")),
        Group("5", ("6", "7", "8", "9", "10")),
        Group(None, ("1", "2")),
    ]
    places = ("urban", "rural", "place_unknown")
    sexes = ("girls", "boys", "sex_unknown")
    bands = tuple(sorted(set(BANDS.values())))
    for row in ("1", "2"):
        groups.append(Group(row, tuple(f"{row}.{p}" for p in places)))
        groups.append(Group(None, tuple(f"{row}.{s}" for s in sexes)))
        groups.append(Group(None, tuple(f"{row}.{b}" for b in bands)))
    for part in (*places, *sexes, *bands):
        groups.append(Group(None, (f"1.{part}", f"2.{part}")))
    return groups


GROUPS = _groups()


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """The first instant of the year and of the next, in the server's time zone."""
    tz = timezone.get_current_timezone()
    return datetime(year, 1, 1, tzinfo=tz), datetime(year + 1, 1, 1, tzinfo=tz)


def _unit_ids(unit: Unit) -> list[int]:
    return list(Unit.objects.subtree(unit).values_list("pk", flat=True))


def period_reports(*, unit_ids: list[int], start: datetime, end: datetime) -> QuerySet[Report]:
    return Report.objects.filter(received_at__gte=start, received_at__lt=end).filter(
        InIds("unit_id", unit_ids)
    )


def hg270_counts(*, unit: Unit, year: int) -> dict[str, int]:
    """Every row of the form for the reports received in `unit`'s subtree during `year`."""
    start, end = year_bounds(year)
    return period_counts(unit=unit, start=start, end=end)


def period_counts(*, unit: Unit, start: datetime, end: datetime) -> dict[str, int]:
    """The form's rows for the reports received in `unit`'s subtree from `start` to `end`
    (excluded); any period, for the DHIS2 export's months and quarters."""
    unit_ids = _unit_ids(unit)
    rows = dict.fromkeys(KEYS, 0)
    reports = period_reports(unit_ids=unit_ids, start=start, end=end)
    is_self = Case(
        When(channel=Channel.SELF_REFERRAL, then=Value("2")),
        default=Value("1"),
        output_field=CharField(),
    )
    # One of the report's cases has an assessment, made after the report came, that confirmed
    # the suspicion (the link table, then the assessments' index: no join through the cases).
    confirmed = Exists(
        Report.cases.through.objects.filter(report_id=OuterRef("pk")).filter(
            Exists(
                Assessment.objects.filter(
                    case_id=OuterRef("case_id"),
                    completed_at__gte=OuterRef(OuterRef("received_at")),
                    confirmed__in=[Confirmation.YES, Confirmation.PARTLY],
                )
            )
        )
    )
    for group in (
        reports.order_by()
        .annotate(row=is_self, confirmed=confirmed, place=figures.area_kinds(unit_ids))
        .values("row", "place", "reporter_sector", "confirmed")
        .annotate(n=Count("pk"))
    ):
        row, n = group["row"], group["n"]
        rows[row] += n
        rows[f"{row}.{PLACES[group['place']]}"] += n
        if row == "1":
            sub = SOURCES.get(group["reporter_sector"])
            rows[f"1.{sub}" if sub else "1.other_sources"] += n
        if group["confirmed"]:
            rows["3" if row == "1" else "4"] += n

    # The children of those reports, joined to them once (not through a subquery of ids).
    children = (
        ReportChild.objects.filter(report__received_at__gte=start, report__received_at__lt=end)
        .filter(InIds("report__unit_id", unit_ids))
        .order_by()
    )
    for (self_referral, sex, years), n in _children_by_age(unit_ids, start, end):
        row = "2" if self_referral == "yes" else "1"
        sex_key = {"F": "girls", "M": "boys"}.get(sex, "sex_unknown")
        rows[f"{row}.{sex_key}"] += n
        rows[f"{row}.{BANDS[band_of(years)]}"] += n

    # Each child once, under the most serious form of their latest report of the year.
    latest = (
        children.filter(report__most_serious__code__in=list(VIOLENCE_FORMS))
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("person_id")],
                order_by=[F("report__received_at").desc(), F("report_id").desc()],
            )
        )
        .filter(rank=1)
        .values_list("report__most_serious__code", flat=True)
    )
    for code in latest:
        rows["5"] += 1
        rows[VIOLENCE_FORMS[code]] += 1
    for group in (
        children.filter(report__concerns__code__in=list(CHILD_CONCERNS))
        .values("report__concerns__code")
        .annotate(n=Count("person_id", distinct=True))
    ):
        rows[CHILD_CONCERNS[group["report__concerns__code"]]] = group["n"]
    return rows


def _children_by_age(
    unit_ids: list[int], start: datetime, end: datetime
) -> Iterable[tuple[tuple[str, str, int | None], int]]:
    """The children of the span's reports by self-referral, sex and whole years of age: from the
    dashboards' day figures for a span of whole days (exact: the days changed since they were
    kept are counted from the records), else from the records."""
    keys = ("self_referral", "sex", "years")
    days = figures.days_of(start, end)
    if days is None:
        where = Q(
            InIds("report__unit_id", unit_ids),
            report__received_at__gte=start,
            report__received_at__lt=end,
        )
        return figures.live_counts(figures.CHILDREN, where, keys).items()
    span = figures.period(figures.units_q(unit_ids), *days, unit_ids)
    return figures.counts(figures.CHILDREN, keys, span).items()


def hg270_document(*, unit: Unit, year: int, exact: bool) -> dict[str, Any]:
    """The report as the reader may see it: when `exact` is false, counts from 1 to 4 read "<5"
    and the rows that would give them away by subtraction read "×"."""
    counts = hg270_counts(unit=unit, year=year)
    shown = suppress({key: counts[key] for key in KEYS}, GROUPS, exact=exact)
    return {
        "year": year,
        "unit": unit.code,
        "unit_name": unit.display_name(),
        "suppressed": not exact,
        "rows": shown,
    }
