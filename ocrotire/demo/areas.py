"""A working day in Chernihiv, Bacău county and Alamüdün district: in each area, reports filed
and triaged into cases at every stage (initial assessment, emergency protection, complex
assessment, planning, plan approval, implementation, closure proposed, closed), with deadlines of
the country's pack met, missed and still running, and a report still awaiting triage. The texts
are in the country's language (`demo.area_ua`, `demo.area_ro`, `demo.area_kg`); the children's
and reporters' names come from the name lists of `demo.synthetic.names`. Written through the
intake and case services only, as `demo.cases` does for Chișinău."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from ocrotire.cases.models import AssessmentKind, Case, ClosureReason
from ocrotire.cases.services import case_closure_propose, case_protective_action_record
from ocrotire.demo.desk import Desk
from ocrotire.demo.synthetic.names import countries
from ocrotire.geo.models import Unit
from ocrotire.intake.models import Report
from ocrotire.intake.services import ChildInput
from ocrotire.registry.services import PersonInput

# What a story does after the report is filed, by the stage its case ends at. "triage" leaves the
# report awaiting triage; "initial_overdue" and "complex_overdue" stop before a step whose deadline
# has passed; "closed_unconfirmed" closes after an initial assessment that found nothing.
PLOTS = (
    "triage",
    "report_closed",
    "initial",
    "initial_overdue",
    "emergency",
    "complex",
    "complex_overdue",
    "planning",
    "plan_approval",
    "implementation",
    "closure_proposed",
    "closed",
    "closed_unconfirmed",
)


@dataclass(frozen=True)
class Story:
    """One report of an area and how far its case goes."""

    plot: str
    days: int  # received this many days ago, at `hour` local time
    unit: str
    channel: str
    reporter: str  # reporter kind
    narrative: str
    concerns: tuple[str, ...]
    risk: str
    reason: str  # the triage note
    who: str = ""  # the reporter's function, after a generated name; "" for none
    sector: str = ""
    source: str = "third_party"
    perpetrator: str = ""
    children: int = 1
    ages: tuple[int, int] = (3, 16)
    danger: bool = False
    hour: int = 10


@dataclass(frozen=True)
class Area:
    """An area's stories and the words its workers write."""

    country: str
    specialist: str
    supervisor: str
    script: str  # "lat", "cyr" (the country's Cyrillic) or "rcyr" (Russian-form Cyrillic)
    stories: tuple[Story, ...]
    initial_findings: tuple[str, ...]
    complex_findings: tuple[str, ...]
    plans: tuple[tuple[str, tuple[tuple[str, str], ...]], ...]
    unconfirmed: str
    closure_note: str
    emergency_measure: str
    seed: int = 20


class People:
    """Children and reporters with names of the country, in the area's script, the same on
    every load."""

    def __init__(self, area: Area) -> None:
        self.names = countries()[area.country]
        self.script = area.script
        self.rng = random.Random(area.seed)  # noqa: S311 - invented demo names

    def _pick(self, forms: tuple[object, ...]) -> str:
        chosen = self.rng.choice(forms)
        return str(getattr(chosen, self.script))

    def family(self) -> int:
        return self.rng.randrange(len(self.names.family_male))

    def surname(self, family: int, sex: str) -> str:
        forms = self.names.family_male if sex == "M" else self.names.family_female
        return str(getattr(forms[family], self.script))

    def adult(self) -> str:
        sex = self.rng.choice("FM")
        given = self._pick(self.names.female if sex == "F" else self.names.male)
        return f"{given} {self.surname(self.family(), sex)}"

    def children(self, story: Story, country: str) -> list[ChildInput]:
        """The story's children, siblings of one family with the same father's name."""
        family = self.family()
        fathers = [pair for pair in self.names.patronymics if pair is not None]
        father = self.rng.choice(fathers) if fathers else None
        unit = Unit.objects.get(code=story.unit)
        result = []
        today = timezone.localdate()
        for _index in range(story.children):
            sex = self.rng.choice("FM")
            given = self._pick(self.names.female if sex == "F" else self.names.male)
            years = self.rng.randint(*story.ages)
            born = today - timedelta(days=years * 365 + self.rng.randint(20, 340))
            patronymic = ""
            if father is not None:
                patronymic = str(getattr(father[0] if sex == "M" else father[1], self.script))
            person = PersonInput(
                given_name=given,
                family_name=self.surname(family, sex),
                patronymic=patronymic,
                sex=sex,
                birth_date=born,
                unit=unit,
                citizenship=country,
            )
            result.append(ChildInput(new=person))
        return result


def _story(desk: Desk, area: Area, people: People, story: Story, index: int) -> None:
    cc = area.country

    who = ""
    if story.reporter in ("professional", "citizen"):
        who = people.adult() + (f", {story.who}" if story.who else "")
    elif story.reporter == "child":
        who = story.who
    extra: dict[str, object] = {}
    if len(story.concerns) > 1:
        # The first concern a story names is its most serious.
        extra["most_serious"] = story.concerns[0]
    if story.danger:
        extra["immediate_danger"] = True
        extra["agencies"] = [("police", desk.at(story.days, story.hour, 20, country=cc), "")]
    days = story.days
    if story.plot == "triage" and days:
        # Past the triage deadline whatever the weekday and holidays.
        days = desk.overdue_days(
            offset=1, unit="working_days", least=days, hour=story.hour, country=cc
        )
    report = desk.file(
        area.specialist,
        story.unit,
        desk.at(days, story.hour, country=cc),
        channel=story.channel,
        reporter_kind=story.reporter,
        reporter_sector=story.sector,
        reporter_name=who,
        narrative=story.narrative,
        concerns=list(story.concerns),
        children=people.children(story, cc),
        information_source=story.source,
        alleged_perpetrator=story.perpetrator,
        **extra,
    )
    if story.plot == "triage":
        return
    if story.plot == "report_closed":
        desk.triage(
            area.specialist, report, "close", story.reason, desk.at(story.days - 1, 11, country=cc)
        )
        return
    opened = desk.at(days, story.hour + 2, country=cc) if days else None
    report = desk.triage(
        area.specialist, report, "open_case", story.reason, opened, risk_level=story.risk
    )
    for case in report.cases.order_by("pk"):
        _case(desk, area, story, case, index)


def _case(desk: Desk, area: Area, story: Story, case: Case, index: int) -> None:
    cc, me, boss, days = area.country, area.specialist, area.supervisor, story.days
    if story.plot in ("initial", "initial_overdue"):
        return
    if story.plot == "emergency":
        case = desk.assess(
            me,
            case,
            AssessmentKind.INITIAL,
            desk.at(days, story.hour + 4, country=cc),
            risk="high",
            confirmed="yes",
            findings=area.initial_findings[index % len(area.initial_findings)],
            emergency=True,
        )
        case_protective_action_record(
            actor=desk.users[me],
            case=case,
            version=case.version,
            kind="police_order",
            decided_at=desk.at(days, story.hour + 5, country=cc),
            description=area.emergency_measure,
        )
        return
    unconfirmed = story.plot == "closed_unconfirmed"
    case = desk.assess(
        me,
        case,
        AssessmentKind.INITIAL,
        desk.at(days - 2, 15, country=cc),
        risk="low" if unconfirmed else story.risk,
        confirmed="no" if unconfirmed else "yes",
        findings=area.unconfirmed
        if unconfirmed
        else area.initial_findings[index % len(area.initial_findings)],
    )
    if unconfirmed:
        desk.close(me, boss, case, ClosureReason.NOT_CONFIRMED, area.unconfirmed)
        return
    if story.plot == "complex" or story.plot == "complex_overdue":
        return
    case = desk.assess(
        me,
        case,
        AssessmentKind.COMPLEX,
        desk.at(max(days - 20, 1), 12, country=cc),
        risk="medium" if story.risk == "high" else "low",
        confirmed="yes",
        findings=area.complex_findings[index % len(area.complex_findings)],
    )
    if story.plot == "planning":
        return
    goals, actions = area.plans[index % len(area.plans)]
    case = desk.plan(me, case, goals, list(actions))
    if story.plot == "plan_approval":
        return
    case = desk.approve_plan(boss, case)
    if story.plot == "implementation":
        return
    if story.plot == "closure_proposed":
        case_closure_propose(
            actor=desk.users[me],
            case=case,
            version=case.version,
            reason=ClosureReason.OBJECTIVES_ACHIEVED,
            note=area.closure_note,
        )
        return
    desk.close(me, boss, case, ClosureReason.OBJECTIVES_ACHIEVED, area.closure_note)


def area_load(desk: Desk, area: Area) -> int:
    """File the area's reports and take each as far as its story goes, in the order they were
    received (registration numbers follow the dates). Runs once per country: if the country's
    register holds any report, nothing is added."""
    if Report.objects.filter(unit__country=area.country).exists():
        return 0
    people = People(area)
    ordered = sorted(enumerate(area.stories), key=lambda pair: (-pair[1].days, pair[1].hour))
    for index, story in ordered:
        assert story.plot in PLOTS, story.plot
        _story(desk, area, people, story, index)
    return len(area.stories)


__all__ = ["PLOTS", "Area", "Story", "area_load"]
