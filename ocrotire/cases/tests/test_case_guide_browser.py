"""In a real browser, without JavaScript: a specialist opens the demo case that awaits its initial
assessment, sees the stage path with that stage current and the next legal step with its deadline
first, takes it, and the page then shows the next stage current; the page passes axe-core."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation

from ocrotire.cases.models import Case, Stage
from ocrotire.core.tests.browser import serious_violations, sign_in
from ocrotire.workflow.models import Task

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def pages(browser: Any, live_server: Any, demo: None) -> Iterator[dict[str, Any]]:
    """The specialist signed in twice: with JavaScript (for axe-core) and without."""
    opened: dict[str, Any] = {}
    contexts = []
    for name, scripts in (("js", True), ("plain", False)):
        context = browser.new_context(
            base_url=live_server.url,
            viewport={"width": 1280, "height": 900},
            bypass_csp=True,
            java_script_enabled=scripts,
        )
        contexts.append(context)
        opened[name] = context.new_page()
        sign_in(opened[name], "specialist")
    yield opened
    for context in contexts:
        context.close()


def current_stage(page: Any) -> tuple[str, str]:
    item = page.locator("#stage-path [aria-current=step]")
    assert item.count() == 1
    return item.get_attribute("data-stage"), item.inner_text().strip()


def test_specialist_is_led_through_the_next_legal_step(pages: dict[str, Any]) -> None:
    case = Case.objects.get(
        child__given_name="Ion", child__family_name="Ceban", stage=Stage.INITIAL_ASSESSMENT
    )
    task = Task.objects.select_related("rule").get(
        case=case, status="open", rule__completed_by="initial_assessment_done"
    )
    with translation.override("ro"):  # the demo specialist reads Romanian
        initial, complex_ = str(Stage.INITIAL_ASSESSMENT.label), str(Stage.COMPLEX_ASSESSMENT.label)
        rule_name = task.rule.label()

    checked = pages["js"]
    checked.goto(f"/cases/{case.pk}/")
    assert serious_violations(checked) == []

    page = pages["plain"]
    page.goto(f"/cases/{case.pk}/")
    assert current_stage(page) == ("initial_assessment", initial)
    # The next legal step is the first thing after the path, with its deadline and its button.
    first = page.locator("#main section.card").first
    assert first.get_attribute("id") == "next-step"
    box = page.locator("#next-step")
    assert rule_name in box.inner_text()
    assert box.locator("time").get_attribute("datetime")
    assert box.locator("#next-step-when").inner_text().strip()

    box.locator("[data-step=initial_assessment]").click()
    page.wait_for_url(f"**/cases/{case.pk}/steps/initial_assessment/")
    page.fill("#id_findings", "Tăietură la mână, dezvăluire confirmată.")
    page.select_option("#id_risk_level", "high")
    page.select_option("#id_confirmed", "yes")
    page.click("#step-form button[type=submit]")
    page.wait_for_url(f"**/cases/{case.pk}/")

    assert current_stage(page) == ("complex_assessment", complex_)
    done = page.locator("#stage-path li.stage-done")
    assert done.count() == 1
    assert done.get_attribute("data-stage") == "initial_assessment"
    assert page.locator("#next-step [data-step=complex_assessment]").count() == 1

    checked.goto(f"/cases/{case.pk}/")
    assert serious_violations(checked) == []
