"""Shortcuts over the intake and case services for the demo's stories (`demo.reports`,
`demo.cases`): times given as days ago and a local hour, children found in the registry demo or
made new, a report filed, triaged, a case assessed, planned and closed."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from ocrotire.accounts.models import Institution, User
from ocrotire.cases.models import AssessmentKind, Case
from ocrotire.cases.services import (
    AssessmentInput,
    case_assessment_record,
    case_closure_decide,
    case_closure_propose,
    case_plan_decide,
    case_plan_submit,
)
from ocrotire.cases.triage import TriageInput, report_triage
from ocrotire.core.workdays import due_at
from ocrotire.geo.calendars import calendar_of
from ocrotire.geo.models import Unit
from ocrotire.intake.models import Report
from ocrotire.intake.services import ChildInput, ReportInput, report_create
from ocrotire.registry.models import Person, PersonStatus
from ocrotire.registry.services import PersonInput

# Channels that need the office to be open: a report through them is received on a working day.
OFFICE_CHANNELS = ("notification_form", "walk_in", "written", "self_referral")


class Desk:
    """Shortcuts over the services for the stories below; times are given as days ago and a
    local hour, so that the demo always looks as if it had been used over the last weeks."""

    def __init__(self, users: dict[str, User], institutions: dict[str, Institution]) -> None:
        self.users = users
        self.institutions = institutions
        self.now = timezone.now()

    def at(self, days: int, hour: int = 10, minute: int = 0, country: str = "MD") -> datetime:
        zone = calendar_of(country).zone
        day = timezone.localtime(self.now, zone).date() - timedelta(days=days)
        value = datetime.combine(day, time(hour, minute), tzinfo=zone)
        # Today's events happen now when the hour asked for is still to come.
        return min(value, self.now)

    def overdue_days(
        self, *, offset: int, unit: str, least: int, hour: int = 10, country: str = "MD"
    ) -> int:
        """The fewest days ago (at least `least`) for an event at `hour` whose deadline of
        `offset` `unit` has already passed today, whatever the weekday and holidays."""
        days = least
        calendar = calendar_of(country)
        while True:
            anchor = self.at(days, hour, country=country)
            if due_at(anchor, offset=offset, unit=unit, calendar=calendar) < self.now:
                return days
            days += 1

    def person(self, given: str, family: str, sex: str, born: date, unit: str) -> ChildInput:
        """A child of the registry demo, or the same child as a new record if it is missing."""
        found = (
            Person.objects.filter(
                given_name=given, family_name=family, birth_date=born, status=PersonStatus.ACTIVE
            )
            .order_by("pk")
            .first()
        )
        if found is not None:
            return ChildInput(person=found)
        return self.new(given, family, sex, born, unit)

    def new(self, given: str, family: str, sex: str, born: date, unit: str) -> ChildInput:
        return ChildInput(
            new=PersonInput(
                given_name=given,
                family_name=family,
                sex=sex,
                birth_date=born,
                unit=Unit.objects.get(code=unit),
            )
        )

    def file(
        self,
        actor: str,
        unit: str,
        received: datetime,
        *,
        channel: str,
        reporter_kind: str,
        narrative: str,
        concerns: list[str],
        children: list[ChildInput],
        **extra: Any,
    ) -> Report:
        place = Unit.objects.get(code=unit)
        if channel in OFFICE_CHANNELS:
            # Earlier, never later, so that every step a story dates after it stays after it.
            calendar = calendar_of(place.country)
            while not calendar.is_working_day(timezone.localtime(received, calendar.zone).date()):
                received -= timedelta(days=1)
        return report_create(
            actor=self.users[actor],
            data=ReportInput(
                channel=channel,
                reporter_kind=reporter_kind,
                unit=place,
                narrative=narrative,
                concerns=concerns,
                children=children,
                received_at=received,
                **extra,
            ),
        )

    def triage(
        self,
        actor: str,
        report: Report,
        decision: str,
        reason: str,
        at: datetime | None,
        **extra: Any,
    ) -> Report:
        return report_triage(
            actor=self.users[actor],
            report=report,
            version=report.version,
            data=TriageInput(decision=decision, reason=reason, at=at, **extra),
        )

    def open(self, actor: str, report: Report, risk: str, reason: str, at: datetime | None) -> Case:
        report = self.triage(actor, report, "open_case", reason, at, risk_level=risk)
        case = report.cases.order_by("pk").first()
        assert case is not None
        return case

    def assess(
        self,
        actor: str,
        case: Case,
        kind: str,
        at: datetime,
        *,
        risk: str,
        confirmed: str,
        findings: str,
        emergency: bool = False,
        needs: list[str] | None = None,
        recommendation: str = "",
    ) -> Case:
        return case_assessment_record(
            actor=self.users[actor],
            case=case,
            version=case.version,
            kind=kind,
            data=AssessmentInput(
                findings=findings,
                risk_level=risk,
                confirmed=confirmed,
                protection_interview_done=kind == AssessmentKind.INITIAL,
                recommendation=recommendation,
                needs=needs,
                completed_at=at,
                emergency=emergency,
            ),
        )

    def plan(self, actor: str, case: Case, goals: str, actions: list[tuple[str, str]]) -> Case:
        review = timezone.localdate() + timedelta(days=90)
        return case_plan_submit(
            actor=self.users[actor],
            case=case,
            version=case.version,
            goals=goals,
            actions=[
                {"action": action, "responsible": responsible, "due": ""}
                for action, responsible in actions
            ],
            next_review_due=review,
        )

    def approve_plan(self, actor: str, case: Case) -> Case:
        return case_plan_decide(
            actor=self.users[actor], case=case, version=case.version, approve=True
        )

    def close(self, actor: str, approver: str, case: Case, reason: str, note: str) -> Case:
        case = case_closure_propose(
            actor=self.users[actor], case=case, version=case.version, reason=reason, note=note
        )
        return case_closure_decide(
            actor=self.users[approver], case=case, version=case.version, approve=True
        )
