"""In a real browser, on the demo's imported action plan: the Botanica specialist (a section of
DGPDC) opens the plan from the navigation, finds a DGPDC sub-action in the tree, records its
progress for the year and sees it in the row's history; the pages pass the axe-core checks."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from ocrotire.core.tests.browser import serious_violations, sign_in
from ocrotire.planning.models import PlanItem, Progress

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def specialist(browser: Any, live_server: Any, demo: None, seed: Any) -> Iterator[Any]:
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}, bypass_csp=True
    )
    page = context.new_page()
    sign_in(page, "specialist")
    yield page
    context.close()


def test_a_responsible_section_records_progress_on_its_sub_action(specialist: Any) -> None:
    page = specialist
    page.click("nav.main-nav a[href='/plans/']")
    page.click("#strategies a")
    page.select_option("#year", "2023")
    page.click("form.filters button[type=submit]")
    assert page.locator("#plan-tree tr[data-code]").count() == 52
    assert serious_violations(page) == []
    page.click("#plan-tree tr[data-code='1.1.1.3'] a")
    item = PlanItem.objects.get(code="1.1.1.3")
    page.wait_for_url(f"**/items/{item.pk}/**")
    assert serious_violations(page) == []
    page.select_option("#id_status", "done")
    page.fill("#id_comment", "Planul TFU actualizat și aprobat")
    page.click("#progress-form button[type=submit]")
    page.wait_for_selector("#progress .badge.status-done")
    progress = Progress.objects.get(item=item, year=2023)
    assert (progress.status, progress.comment) == ("done", "Planul TFU actualizat și aprobat")
    assert "Planul TFU actualizat și aprobat" in page.locator("#progress").inner_text()
