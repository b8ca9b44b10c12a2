"""Deadlines: working days on each country's calendar, rules loaded from the packs and revised as
new versions, the admin that revises them, and the overdue scan that escalates missed tasks."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import holidays
import pytest
from django.core.management import call_command
from django.utils import timezone

from ocrotire.accounts.models import User
from ocrotire.cases.models import Case
from ocrotire.cases.services import case_protective_action_record
from ocrotire.cases.triage import TriageInput, report_triage
from ocrotire.core import workdays
from ocrotire.core.models import AuditEvent
from ocrotire.core.workdays import Calendar, due_at
from ocrotire.geo.calendars import calendar_of
from ocrotire.geo.models import Unit
from ocrotire.intake.models import ConcernCategory
from ocrotire.intake.services import (
    ChildInput,
    ReportInput,
    concerns_load,
    report_create,
)
from ocrotire.registry.services import PersonInput
from ocrotire.workflow import deadlines
from ocrotire.workflow.deadlines import rule_applies, rules_load
from ocrotire.workflow.models import DeadlineRule, Notification, Task, TaskStatus, TimelineEvent
from ocrotire.workflow.tasks import overdue_scan

pytestmark = pytest.mark.django_db
MD = ZoneInfo("Europe/Chisinau")
UA = ZoneInfo("Europe/Kyiv")


def _end_of(day: date, zone: ZoneInfo) -> datetime:
    return datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=zone)


# Working days, hours and calendar days -------------------------------------------------------


def test_friday_removal_is_due_in_court_at_the_end_of_wednesday() -> None:
    friday = datetime(2026, 3, 13, 14, 0, tzinfo=MD)
    assert friday.weekday() == 4
    due = due_at(friday, offset=3, unit="working_days", calendar=calendar_of("MD"))
    assert due == _end_of(date(2026, 3, 18), MD)
    assert due.astimezone(MD).strftime("%A") == "Wednesday"


def test_a_moldovan_public_holiday_moves_the_due_day_by_one() -> None:
    assert date(2026, 8, 27) in holidays.country_holidays("MD", years=2026)
    # Monday 24 August: the three working days are Tue 25, Wed 26 and — Thursday 27 being
    # Independence Day — Friday 28, before National Language Day on Monday 31.
    monday = datetime(2026, 8, 24, 11, 0, tzinfo=MD)
    due = due_at(monday, offset=3, unit="working_days", calendar=calendar_of("MD"))
    assert due == _end_of(date(2026, 8, 28), MD)
    no_holidays = Calendar(country="MD", timezone="Europe/Chisinau", public_holidays=False)
    without = due_at(monday, offset=3, unit="working_days", calendar=no_holidays)
    assert without == _end_of(date(2026, 8, 27), MD)


def test_ukraine_under_martial_law_works_on_public_holidays(monkeypatch: Any) -> None:
    ukraine = calendar_of("UA")
    assert ukraine.public_holidays is False
    assert ukraine.timezone == "Europe/Kyiv"
    # Whatever the library says about 24 August (Independence Day), the Ukrainian calendar does
    # not ask it; a calendar that did would skip the day.
    monkeypatch.setattr(workdays, "_public_holidays", lambda country, year: {date(2026, 8, 24)})
    friday = datetime(2026, 8, 21, 16, 0, tzinfo=UA)
    due = due_at(friday, offset=1, unit="working_days", calendar=ukraine)
    assert due == _end_of(date(2026, 8, 24), UA)
    peacetime = Calendar(country="UA", timezone="Europe/Kyiv", public_holidays=True)
    assert due_at(friday, offset=1, unit="working_days", calendar=peacetime) == _end_of(
        date(2026, 8, 25), UA
    )


def test_working_days_end_at_the_close_of_the_local_day() -> None:
    # 23:30 on Friday in Chișinău is still Friday there, though it is Friday 20:30 UTC.
    late = datetime(2026, 3, 13, 21, 30, tzinfo=ZoneInfo("UTC"))
    due = due_at(late, offset=1, unit="working_days", calendar=calendar_of("MD"))
    assert due == _end_of(date(2026, 3, 16), MD)


def test_hours_are_exact_even_across_a_clock_change() -> None:
    # Moldova leaves summer time in the night of 24 to 25 October 2026.
    # (Aware datetimes in the same zone subtract by wall clock, so compare instants in UTC.)
    anchor = datetime(2026, 10, 24, 12, 0, tzinfo=MD)
    start = anchor.astimezone(UTC)
    due = due_at(anchor, offset=24, unit="hours", calendar=calendar_of("MD"))
    assert due.astimezone(UTC) - start == timedelta(hours=24)
    assert due.astimezone(MD).hour == 11
    three_days = due_at(anchor, offset=72, unit="hours", calendar=calendar_of("MD"))
    assert three_days.astimezone(UTC) - start == timedelta(hours=72)
    week = due_at(anchor, offset=7, unit="calendar_days", calendar=calendar_of("MD"))
    assert week.astimezone(UTC) - start == timedelta(days=7)
    # The same from a UTC anchor, as the services pass them.
    assert due_at(start, offset=24, unit="hours", calendar=calendar_of("MD")) == due


def test_rule_applies_only_when_every_condition_is_known_and_met() -> None:
    rule = DeadlineRule(applies_when={"channel": ["phone"], "reporter_kind": ["professional"]})
    assert rule_applies(rule, {"channel": "phone", "reporter_kind": "professional"})
    assert not rule_applies(rule, {"channel": "phone"})
    assert not rule_applies(rule, {})
    assert not rule_applies(rule, {"channel": "online", "reporter_kind": "professional"})
    assert rule_applies(DeadlineRule(applies_when={}), {})
    assert not rule_applies(DeadlineRule(applies_when={"immediate_danger": [True]}), {})


# End to end through a case -------------------------------------------------------------------


def _case(actor: User, unit: Unit, received: datetime, given: str = "Ion") -> Case:
    report = report_create(
        actor=actor,
        data=ReportInput(
            channel="online",
            reporter_kind="citizen",
            unit=unit,
            narrative="The neighbour hears the child being beaten.",
            concerns=["physical"],
            children=[
                ChildInput(
                    new=PersonInput(
                        given_name=given,
                        family_name="Rusu",
                        sex="M",
                        birth_date=date(2015, 3, 2),
                    )
                )
            ],
            received_at=received,
        ),
    )
    report = report_triage(
        actor=actor,
        report=report,
        version=report.version,
        data=TriageInput(
            decision="open_case",
            reason="Injuries",
            risk_level="high",
            at=received + timedelta(hours=1),
        ),
    )
    return report.cases.get()


def _removal(actor: User, case: Case, decided: datetime) -> Case:
    return case_protective_action_record(
        actor=actor,
        case=case,
        version=case.version,
        kind="removal",
        decided_at=decided,
        description="Placed in emergency care.",
    )


def test_a_removal_on_a_friday_starts_the_prosecutor_and_court_deadlines(
    personas: dict[str, User], territory: dict[str, Unit], casework: None
) -> None:
    specialist = personas["specialist"]
    case = _case(specialist, territory["MD-CU-BOT"], datetime(2026, 3, 13, 9, 0, tzinfo=MD))
    removed = datetime(2026, 3, 13, 14, 0, tzinfo=MD)
    case = _removal(specialist, case, removed)
    assert case.stage == "emergency_protection"
    court = Task.objects.get(case=case, kind="court_filing")
    assert court.due_at == _end_of(date(2026, 3, 18), MD)
    assert court.assignee == specialist
    prosecutor = Task.objects.get(case=case, kind="prosecutor_notice")
    assert prosecutor.due_at - removed == timedelta(hours=24)


def test_a_removal_before_independence_day_is_due_a_day_later(
    personas: dict[str, User], territory: dict[str, Unit], casework: None
) -> None:
    specialist = personas["specialist"]
    case = _case(specialist, territory["MD-CU-BOT"], datetime(2026, 8, 24, 9, 0, tzinfo=MD))
    case = _removal(specialist, case, datetime(2026, 8, 24, 11, 0, tzinfo=MD))
    court = Task.objects.get(case=case, kind="court_filing")
    assert court.due_at == _end_of(date(2026, 8, 28), MD)


def test_a_ukrainian_case_does_not_skip_a_holiday(
    personas: dict[str, User], territory: dict[str, Unit], casework: None, monkeypatch: Any
) -> None:
    monkeypatch.setattr(workdays, "_public_holidays", lambda country, year: {date(2026, 8, 24)})
    specialist = personas["specialist_ua"]
    case = _case(specialist, territory["UA-74"], datetime(2026, 8, 20, 10, 0, tzinfo=UA))
    # The Ukrainian initial assessment is due in 5 working days: Fri 21, Mon 24 (a working day
    # under martial law), Tue 25, Wed 26, Thu 27.
    task = Task.objects.get(case=case, kind="initial_assessment")
    assert task.due_at == _end_of(date(2026, 8, 27), UA)


# Rules from the packs ------------------------------------------------------------------------


def test_loading_the_packs_again_writes_nothing(territory: dict[str, Unit], casework: None) -> None:
    rules = DeadlineRule.objects.count()
    categories = ConcernCategory.objects.count()
    audit = AuditEvent.objects.count()
    assert rules
    assert categories
    for country in ("MD", "UA"):
        assert rules_load(country=country) == 0
        assert concerns_load(country=country) == 0
    assert DeadlineRule.objects.count() == rules
    assert ConcernCategory.objects.count() == categories
    assert AuditEvent.objects.count() == audit


def test_load_packs_command_loads_concerns_and_rules_once(db: Any) -> None:
    call_command("load_packs", "MD")
    assert DeadlineRule.objects.filter(country="MD", code="court_filing", active=True).exists()
    assert ConcernCategory.objects.filter(country="MD", code="parents_abroad").exists()
    assert ConcernCategory.objects.filter(country="MD", code="physical").exists()
    audit = AuditEvent.objects.count()
    call_command("load_packs", "md")
    assert AuditEvent.objects.count() == audit


def test_a_changed_pack_rule_is_a_new_version_and_the_old_keeps_its_tasks(
    personas: dict[str, User], territory: dict[str, Unit], casework: None, monkeypatch: Any
) -> None:
    specialist = personas["specialist"]
    case = _case(specialist, territory["MD-CU-BOT"], datetime(2026, 3, 13, 9, 0, tzinfo=MD))
    case = _removal(specialist, case, datetime(2026, 3, 13, 14, 0, tzinfo=MD))
    old_task = Task.objects.get(case=case, kind="court_filing")
    old_rule = old_task.rule

    pack = deadlines._pack_rules("MD")
    for row in pack["rules"]:
        if row["code"] == "court_filing":
            row["offset"] = 5
    monkeypatch.setattr(deadlines, "_pack_rules", lambda country: pack)
    assert rules_load(country="MD") == 1
    assert rules_load(country="MD") == 0

    versions = DeadlineRule.objects.filter(country="MD", code="court_filing").order_by("version")
    assert [(r.version, r.offset, r.active) for r in versions] == [(1, 3, False), (2, 5, True)]
    old_task.refresh_from_db()
    assert old_task.rule_id == old_rule.pk
    assert old_task.due_at == _end_of(date(2026, 3, 18), MD)
    assert AuditEvent.objects.filter(
        object_type="cases.deadlinerule", object_id=str(versions[1].pk), action="update"
    ).exists()

    other = _case(
        personas["specialist2"],
        territory["MD-CU-CEN"],
        datetime(2026, 3, 13, 9, 0, tzinfo=MD),
        given="Vasile",
    )
    other = _removal(personas["specialist2"], other, datetime(2026, 3, 13, 14, 0, tzinfo=MD))
    new_task = Task.objects.get(case=other, kind="court_filing")
    assert new_task.rule == versions[1]
    assert new_task.due_at == _end_of(date(2026, 3, 20), MD)


# The admin -----------------------------------------------------------------------------------


def _rule_form(rule: DeadlineRule, **changes: Any) -> dict[str, Any]:
    import json

    data: dict[str, Any] = {
        "anchor": rule.anchor,
        "completed_by": rule.completed_by,
        "offset": rule.offset,
        "offset_unit": rule.offset_unit,
        "counted_from": rule.counted_from,
        "applies_when": json.dumps(rule.applies_when),
        "escalation": json.dumps(rule.escalation),
        "assignee": rule.assignee,
        "names": json.dumps(rule.names),
        "legal_reference": rule.legal_reference,
        "note": rule.note,
    }
    if rule.verified:
        data["verified"] = "on"
    if rule.active:
        data["active"] = "on"
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_admin_change_makes_a_new_version_and_never_deletes(
    client: Any, personas: dict[str, User], casework: None, mfa_off: None
) -> None:
    client.force_login(personas["admin"])
    rule = DeadlineRule.objects.get(country="MD", code="court_filing", active=True)
    url = f"/admin/cases/deadlinerule/{rule.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    for name in ("anchor", "applies_when", "legal_reference", "verified", "note", "active"):
        assert f'name="{name}"' in page.content.decode()

    response = client.post(url, _rule_form(rule, offset=4, note="Changed by a lawyer."))
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.active is False
    assert rule.offset == 3
    revised = DeadlineRule.objects.get(country="MD", code="court_filing", active=True)
    assert (revised.version, revised.offset, revised.note) == (2, 4, "Changed by a lawyer.")
    event = AuditEvent.objects.filter(object_type="cases.deadlinerule").latest("id")
    assert event.object_id == str(revised.pk)
    assert event.actor_username == "admin"

    # A retired version is history: shown, not editable; nothing is ever deleted.
    assert 'name="offset"' not in client.get(url).content.decode()
    assert client.get(f"/admin/cases/deadlinerule/{rule.pk}/delete/").status_code == 403

    # Unticking "active" retires the rule without a replacement.
    response = client.post(
        f"/admin/cases/deadlinerule/{revised.pk}/change/", _rule_form(revised, active=None)
    )
    assert response.status_code == 302
    assert not DeadlineRule.objects.filter(country="MD", code="court_filing", active=True).exists()
    assert DeadlineRule.objects.filter(country="MD", code="court_filing").count() == 2


def test_admin_creates_a_rule_through_the_audited_path(
    client: Any, personas: dict[str, User], casework: None, mfa_off: None
) -> None:
    client.force_login(personas["admin"])
    template = DeadlineRule.objects.get(country="MD", code="court_filing", active=True)
    data = _rule_form(template, code="court_hearing", country="MD", offset=10)
    response = client.post("/admin/cases/deadlinerule/add/", data)
    assert response.status_code == 302
    created = DeadlineRule.objects.get(country="MD", code="court_hearing")
    assert created.version == 1
    assert created.active
    assert AuditEvent.objects.filter(
        object_type="cases.deadlinerule", object_id=str(created.pk), action="create"
    ).exists()


def test_only_administrators_edit_rules_in_the_admin(
    client: Any, personas: dict[str, User], casework: None, mfa_off: None
) -> None:
    supervisor = personas["supervisor"]
    User.objects.filter(pk=supervisor.pk).update(is_staff=True)
    client.force_login(supervisor)
    rule = DeadlineRule.objects.get(country="MD", code="court_filing", active=True)
    response = client.post(
        f"/admin/cases/deadlinerule/{rule.pk}/change/", _rule_form(rule, offset=9)
    )
    assert response.status_code in (302, 403)
    assert DeadlineRule.objects.filter(country="MD", code="court_filing").count() == 1


# The overdue scan ----------------------------------------------------------------------------


def test_overdue_scan_escalates_once_to_the_manager_and_the_supervisor(
    personas: dict[str, User],
    territory: dict[str, Unit],
    casework: None,
    settings: Any,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.OCROTIRE_NOTIFY_EMAIL = True
    specialist, supervisor = personas["specialist"], personas["supervisor"]
    User.objects.filter(pk=specialist.pk).update(email="specialist@example.invalid")
    received = timezone.now() - timedelta(hours=3)
    case = _case(specialist, territory["MD-CU-BOT"], received)
    task = Task.objects.get(case=case, kind="initial_assessment_high")
    assert task.status == TaskStatus.OPEN

    assert overdue_scan(now=task.due_at - timedelta(minutes=1)) == 0
    later = task.due_at + timedelta(minutes=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert overdue_scan(now=later) == 1
    task.refresh_from_db()
    assert task.overdue_notified_at == later
    events = TimelineEvent.objects.filter(case=case, kind="task_overdue")
    assert [e.data["task_id"] for e in events] == [task.pk]
    notified = set(
        Notification.objects.filter(task=task, kind="task_overdue").values_list(
            "user__username", flat=True
        )
    )
    assert notified == {specialist.username, supervisor.username}
    # Only the users with an e-mail address get one (the supervisor has none here).
    assert [m.to for m in mailoutbox] == [["specialist@example.invalid"]]
    assert case.number in mailoutbox[0].body

    with django_capture_on_commit_callbacks(execute=True):
        assert overdue_scan(now=later + timedelta(hours=1)) == 0
    assert Notification.objects.filter(task=task).count() == 2
    assert TimelineEvent.objects.filter(case=case, kind="task_overdue").count() == 1
    assert len(mailoutbox) == 1


def test_overdue_scan_sends_no_mail_unless_configured(
    personas: dict[str, User],
    territory: dict[str, Unit],
    casework: None,
    settings: Any,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.OCROTIRE_NOTIFY_EMAIL = False
    specialist = personas["specialist"]
    User.objects.filter(pk=specialist.pk).update(email="specialist@example.invalid")
    case = _case(specialist, territory["MD-CU-BOT"], timezone.now() - timedelta(hours=3))
    task = Task.objects.get(case=case, kind="initial_assessment_high")
    with django_capture_on_commit_callbacks(execute=True):
        assert overdue_scan(now=task.due_at + timedelta(minutes=1)) == 1
    assert Notification.objects.filter(task=task).exists()
    assert mailoutbox == []


def test_a_task_met_in_time_is_never_escalated(
    personas: dict[str, User], territory: dict[str, Unit], casework: None
) -> None:
    specialist = personas["specialist"]
    case = _case(specialist, territory["MD-CU-BOT"], timezone.now() - timedelta(hours=3))
    triage = Task.objects.get(report__cases=case, kind="triage")
    assert triage.status == TaskStatus.DONE
    assert overdue_scan(now=timezone.now() + timedelta(days=30)) == 1  # only the open one
    triage.refresh_from_db()
    assert triage.overdue_notified_at is None
