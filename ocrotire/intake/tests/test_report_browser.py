"""In a real browser: a specialist files a report about a new child, triages it into a case and
lands on the report card that shows the case; the register pages pass the axe checks."""

from __future__ import annotations

import pytest

from ocrotire.core.tests.browser import serious_violations, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(browser, live_server, demo):
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 1280, "height": 900},
        bypass_csp=True,
        locale="en-GB",
    )
    page = context.new_page()
    yield page
    context.close()


def test_specialist_files_a_report_about_a_new_child_and_opens_a_case(page):
    from ocrotire.cases.models import Case
    from ocrotire.geo.models import Unit
    from ocrotire.intake.models import Report

    sign_in(page, "specialist")
    page.goto("/reports/")
    assert serious_violations(page) == []
    page.click("a[href='/reports/new/']")
    page.wait_for_url("**/reports/new/")
    assert serious_violations(page) == []
    page.select_option("#id_channel", "phone")
    # an anonymous caller: the identity fields go away
    page.check("input[name=reporter_kind][value=anonymous]")
    assert not page.is_visible("#id_reporter_name")
    page.check("input[name=reporter_kind][value=professional]")
    assert page.is_visible("#id_reporter_name")
    page.select_option("#id_reporter_sector", "education")
    page.fill("#id_reporter_name", "Valentina Grosu")
    page.fill("#id_child-0-family_name", "Bîrcă")
    page.fill("#id_child-0-given_name", "Dorin")
    page.select_option("#id_child-0-sex", "M")
    page.fill("#id_child-0-birth_date", "2016-09-14")
    page.locator("#id_child-0-birth_date").dispatch_event("change")
    # the registry's duplicate check answered for this child row
    page.wait_for_selector("#child-0-matches p, #child-0-matches fieldset", state="attached")
    page.check("input[name=concerns][value=physical]")
    page.select_option("#id_unit", str(Unit.objects.get(code="MD-CU-BOT").pk))
    page.fill("#id_narrative", "The teacher saw fresh bruises; the boy is afraid to go home.")
    page.check("#id_immediate_danger")
    page.click("#save-report")
    page.wait_for_url("**/reports/*/")
    report = Report.objects.order_by("-id").first()
    assert report is not None
    assert report.number in page.inner_text(".messages")
    assert "Bîrcă Dorin" in page.inner_text("main")
    assert serious_violations(page) == []

    page.check("input[name=decision][value=open_case]")
    page.fill("#id_reason", "Bruises and fear of going home: the child needs assessment.")
    page.select_option("#id_risk_level", "high")
    page.click("#triage-form button[type=submit]")
    page.wait_for_url(f"**/reports/{report.pk}/")
    case = Case.objects.get(reports=report)
    assert case.number in page.inner_text("#report-cases")
    assert case.number in page.inner_text(".messages")
    assert page.locator("#triage-form").count() == 0
    # received, then triaged with its reason: in order on the timeline
    events = page.locator("#timeline > li")
    assert events.count() == 2
    assert report.number in events.nth(0).inner_text()
    assert "Bruises and fear of going home" in events.nth(1).inner_text()


def test_reporter_files_the_short_form_and_follows_its_status(page):
    from ocrotire.geo.models import Unit
    from ocrotire.intake.models import Report

    sign_in(page, "reporter")
    page.click("nav.main-nav a[href='/reports/new/']")
    page.wait_for_url("**/reports/new/")
    assert serious_violations(page) == []
    page.fill("#id_child-0-family_name", "Lungu")
    page.fill("#id_child-0-given_name", "Irina")
    page.check("input[name=concerns][value=neglect]")
    page.select_option("#id_unit", str(Unit.objects.get(code="MD-CU-BOT").pk))
    page.fill("#id_narrative", "She often comes to school hungry and without warm clothes.")
    page.click("#save-report")
    page.wait_for_url("**/reports/mine/")
    report = Report.objects.filter(created_by__username="reporter").order_by("-id").first()
    assert report is not None
    assert report.number in page.inner_text(".messages")
    assert report.number in page.inner_text("main table")
    assert serious_violations(page) == []
    assert "Lungu" not in page.inner_text("main table")
