"""In a real browser: a child is removed from the family before the initial assessment; the case
page shows the prosecutor's and the court's deadlines and still offers the initial assessment,
which is recorded during the emergency; ending the emergency leaves the court's deadline open."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from ocrotire.accounts.models import User
from ocrotire.cases.models import Case, Stage
from ocrotire.cases.tests.test_case_browser import signed_in, take_step
from ocrotire.core.tests.browser import serious_violations
from ocrotire.workflow.models import Task

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

__all__ = ["signed_in"]


def _task_rows(page: Any) -> list[str]:
    return list(page.eval_on_selector_all("#tasks tr", "rows => rows.map(r => r.innerText)"))


def test_an_emergency_removal_before_the_initial_assessment(signed_in: Any) -> None:
    # The demo's Botanica case of Ion Ceban awaits its initial assessment (high risk).
    case = Case.objects.get(
        child__given_name="Ion", child__family_name="Ceban", stage=Stage.INITIAL_ASSESSMENT
    )
    specialist = signed_in("specialist")
    take_step(
        specialist,
        case,
        "protective_action",
        {"#id_kind": "removal", "#id_description": "Plasat la Centrul de plasament temporar."},
        check=True,
    )
    case.refresh_from_db()
    assert case.stage == Stage.EMERGENCY_PROTECTION
    assert serious_violations(specialist) == []

    language = User.objects.get(username="specialist").language
    prosecutor = Task.objects.get(case=case, kind="prosecutor_notice")
    court = Task.objects.get(case=case, kind="court_filing")
    rows = "\n".join(_task_rows(specialist))
    for task in (prosecutor, court):
        assert task.rule.label(language) in rows, task.kind
        local = timezone.localtime(task.due_at)
        assert local.strftime("%H:%M") in rows
    # The initial assessment is still offered, and recorded during the emergency.
    assert specialist.locator("[data-step=initial_assessment]").count() == 1
    take_step(
        specialist,
        case,
        "initial_assessment",
        {
            "#id_findings": "Interviul de protecție confirmă loviturile.",
            "#id_risk_level": "high",
            "#id_confirmed": "yes",
            "#id_protection_interview_done": "on",
        },
    )
    case.refresh_from_db()
    assert case.stage == Stage.EMERGENCY_PROTECTION
    assert specialist.locator("[data-step=initial_assessment]").count() == 0
    take_step(specialist, case, "emergency_end", {"#id_note": "Copilul este în siguranță."})
    case.refresh_from_db()
    assert case.stage == Stage.COMPLEX_ASSESSMENT
    # Ending the emergency closed neither legal deadline.
    rows = "\n".join(_task_rows(specialist))
    assert prosecutor.rule.label(language) in rows
    assert court.rule.label(language) in rows
