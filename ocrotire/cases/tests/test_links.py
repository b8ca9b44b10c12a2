"""Merging two person records carries their reports and cases; undo carries them back."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from ocrotire.cases.models import Case
from ocrotire.cases.triage import TriageInput, report_triage
from ocrotire.intake.models import ReportChild
from ocrotire.intake.services import (
    ChildInput,
    ReportInput,
    report_create,
)
from ocrotire.registry.models import Person
from ocrotire.registry.services import PersonInput, merge_undo, person_create, person_merge

pytestmark = pytest.mark.django_db


def _report(actor: Any, unit: Any, person: Person) -> Any:
    return report_create(
        actor=actor,
        data=ReportInput(
            channel="phone",
            reporter_kind="citizen",
            unit=unit,
            narrative="The child is alone at night.",
            concerns=["neglect"],
            children=[ChildInput(person=person)],
        ),
    )


def test_merge_moves_reports_and_cases_and_undo_moves_them_back(
    personas: dict[str, Any], territory: dict[str, Any], casework: None
) -> None:
    specialist = personas["specialist"]
    unit = territory["MD-CU-BOT"]
    first = person_create(
        actor=specialist, data=PersonInput(given_name="Ion", family_name="Rusu", unit=unit)
    )
    second = person_create(
        actor=specialist, data=PersonInput(given_name="Ioan", family_name="Rusu", unit=unit)
    )
    report = _report(specialist, unit, second)
    report_triage(
        actor=specialist,
        report=report,
        version=report.version,
        data=TriageInput(decision="open_case", reason="Neglect", risk_level="medium"),
    )
    merge = person_merge(actor=specialist, survivor=first, merged=second)
    assert list(ReportChild.objects.filter(report=report).values_list("person_id", flat=True)) == [
        first.pk
    ]
    assert Case.objects.get().child_id == first.pk
    merge_undo(actor=specialist, merge=merge)
    assert list(ReportChild.objects.filter(report=report).values_list("person_id", flat=True)) == [
        second.pk
    ]
    assert Case.objects.get().child_id == second.pk


def test_merge_refused_while_both_have_open_cases(
    personas: dict[str, Any], territory: dict[str, Any], casework: None
) -> None:
    specialist = personas["specialist"]
    unit = territory["MD-CU-BOT"]
    people = [
        person_create(
            actor=specialist, data=PersonInput(given_name=name, family_name="Rusu", unit=unit)
        )
        for name in ("Ion", "Ioan")
    ]
    for person in people:
        report = _report(specialist, unit, person)
        report_triage(
            actor=specialist,
            report=report,
            version=report.version,
            data=TriageInput(decision="open_case", reason="Neglect", risk_level="low"),
        )
    with pytest.raises(ValidationError):
        person_merge(actor=specialist, survivor=people[0], merged=people[1])
    assert sorted(Case.objects.values_list("child_id", flat=True)) == sorted(p.pk for p in people)
