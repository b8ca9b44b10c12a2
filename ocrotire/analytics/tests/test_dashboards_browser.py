"""In a real browser on the demo data: the city's supervisor opens Analytics from the navigation,
sees the charts drawn over their tables, and follows a count to the reports behind it; the
planner sees the same page without links. Both pages pass the axe-core checks."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from ocrotire.core.tests.browser import serious_violations, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _context(browser: Any, live_server: Any, *, bypass_csp: bool) -> Any:
    return browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}, bypass_csp=bypass_csp
    )


@pytest.fixture
def page(browser: Any, live_server: Any, demo: None) -> Iterator[Any]:
    # The CSP is bypassed only so that the axe-core check can be injected.
    context = _context(browser, live_server, bypass_csp=True)
    page = context.new_page()
    yield page
    context.close()


def test_charts_draw_under_the_strict_content_security_policy(
    browser: Any, live_server: Any, demo: None
) -> None:
    context = _context(browser, live_server, bypass_csp=False)
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        sign_in(page, "supervisor")
        page.goto("/analytics/")
        page.wait_for_selector("figure[data-chart='placements'][data-drawn='true']")
        assert page.locator("figure.chart[data-drawn='true']").count() >= 10
        assert errors == []
    finally:
        context.close()


def test_supervisor_reads_the_charts_and_drills_down_to_the_reports(page: Any) -> None:
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    sign_in(page, "supervisor")
    page.click("nav.main-nav a[href='/analytics/']")
    page.wait_for_url("**/analytics/")
    page.wait_for_selector("figure[data-chart='reports_by_month'][data-drawn='true']")
    drawn = page.evaluate(
        "() => { const c = document.getElementById('reports_by_month-chart');"
        " return c.width > 0 && !!c.chart; }"
    )
    assert drawn
    assert page.locator("#reports_by_month-table tbody tr").count() == 12
    assert page.locator("#reports_by_unit-table tbody a").count() > 0
    assert serious_violations(page) == []
    link = page.locator("#reports_by_unit-table tbody a").first
    expected = int(link.inner_text())
    link.click()
    page.wait_for_url("**/analytics/drill/**")
    rows = page.locator("#drill-records tbody tr a")
    assert rows.count() == min(expected, 50)
    assert serious_violations(page) == []
    rows.first.click()
    page.wait_for_url("**/reports/*/")


def test_planner_sees_the_page_without_drill_links(page: Any) -> None:
    sign_in(page, "planner")
    page.goto("/analytics/")
    page.wait_for_selector("figure[data-chart='reports_by_month'][data-drawn='true']")
    assert page.locator("table.figures-table a").count() == 0
    assert serious_violations(page) == []
