"""Filing and triage through the services: numbers, children, rules, repeat reports."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils.translation import override

from ocrotire.cases.models import Case, Stage
from ocrotire.cases.triage import TriageInput, report_triage
from ocrotire.geo.models import Unit
from ocrotire.intake.models import ReportStatus
from ocrotire.intake.services import (
    ChildInput,
    ReportInput,
    report_create,
)
from ocrotire.registry.services import PersonInput
from ocrotire.workflow.models import Task, TaskStatus

pytestmark = pytest.mark.django_db
MD = ZoneInfo("Europe/Chisinau")


def _input(unit: Unit, **extra: Any) -> ReportInput:
    values: dict[str, Any] = {
        "channel": "phone",
        "reporter_kind": "professional",
        "reporter_sector": "education",
        "unit": unit,
        "narrative": "Bruises seen on the child's arms.",
        "concerns": ["physical"],
        "children": [
            ChildInput(
                new=PersonInput(
                    given_name="Ion",
                    family_name="Rusu",
                    sex="M",
                    birth_date=date(2015, 3, 2),
                )
            )
        ],
    }
    values.update(extra)
    return ReportInput(**values)


def test_number_is_per_authority_and_year(
    personas: dict[str, Any], territory: dict[str, Unit], casework: None
) -> None:
    first = report_create(actor=personas["specialist"], data=_input(territory["MD-CU-BOT"]))
    second = report_create(
        actor=personas["specialist"],
        data=_input(
            territory["MD-CU-BOT"],
            children=[ChildInput(new=PersonInput(given_name="Ana", family_name="Popa", sex="F"))],
        ),
    )
    year = datetime.now(tz=MD).year
    assert first.number == f"DGPDC-BOT-{year}-000001"
    assert second.number == f"DGPDC-BOT-{year}-000002"
    assert first.status == ReportStatus.NEW
    # the triage and notification-form tasks came from the Moldovan rules
    kinds = set(Task.objects.filter(report=first).values_list("kind", flat=True))
    assert kinds == {"triage", "notification_form"}


def test_same_child_is_found_not_duplicated(
    personas: dict[str, Any], territory: dict[str, Unit], casework: None
) -> None:
    first = report_create(actor=personas["reporter"], data=_input(territory["MD-CU-BOT"]))
    second = report_create(actor=personas["reporter"], data=_input(territory["MD-CU-BOT"]))
    assert list(first.children.all()) == list(second.children.all())


def test_triage_opens_case_and_repeat_report_links(
    personas: dict[str, Any], territory: dict[str, Unit], casework: None
) -> None:
    specialist = personas["specialist"]
    report = report_create(actor=specialist, data=_input(territory["MD-CU-BOT"]))
    report = report_triage(
        actor=specialist,
        report=report,
        version=report.version,
        data=TriageInput(decision="open_case", reason="Injuries seen", risk_level="high"),
    )
    assert report.status == ReportStatus.CASE_OPENED
    case = report.cases.get()
    assert case.stage == Stage.INITIAL_ASSESSMENT
    assert case.manager == specialist
    task = Task.objects.get(case=case)
    assert task.kind == "initial_assessment_high"
    # The initial assessment's clock runs from the report's receipt, not the case's opening.
    assert (task.due_at - report.received_at).total_seconds() == 24 * 3600
    assert Task.objects.get(report=report, kind="triage").status == TaskStatus.DONE

    repeat = report_create(actor=specialist, data=_input(territory["MD-CU-BOT"]))
    with override("en"), pytest.raises(ValidationError) as refused:
        report_triage(
            actor=specialist,
            report=repeat,
            version=repeat.version,
            data=TriageInput(decision="open_case", reason="again", risk_level="high"),
        )
    assert "already has an open case" in str(refused.value)
    repeat = report_triage(
        actor=specialist,
        report=repeat,
        version=repeat.version,
        data=TriageInput(decision="link_case", reason="same child"),
    )
    assert repeat.status == ReportStatus.LINKED
    assert list(repeat.cases.all()) == [case]
    assert Case.objects.count() == 1
