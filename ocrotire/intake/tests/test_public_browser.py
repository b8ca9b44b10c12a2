"""In a real browser at phone width, with no account: a child tells a concern in short steps and
gets a code, a specialist replies from the report's page, the child reads the reply with the code;
axe finds
nothing serious on the public pages; and the same pages work with JavaScript off;
a child complains about a centre and reads the supervisor's answer."""

from __future__ import annotations

import pytest

from ocrotire.core.tests.browser import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def contexts(browser, live_server, demo, settings):
    # A robot fills the forms faster than the time trap allows; test_public_pages tests the trap.
    settings.OCROTIRE_PUBLIC_MIN_SECONDS = 0
    opened = []

    def open_context(*, javascript: bool):
        context = browser.new_context(
            base_url=live_server.url,
            viewport=PHONE,
            is_mobile=True,
            bypass_csp=True,
            locale="en-GB",
            java_script_enabled=javascript,
        )
        opened.append(context)
        return context.new_page()

    yield open_context
    for context in opened:
        context.close()


def _file_a_concern(page) -> str:
    page.goto("/accounts/login/")
    page.click("a[href='/public/report/']")
    page.wait_for_url("**/public/report/")
    assert page.locator("a[href='tel:112']").count() == 1
    assert page.locator("a[href='tel:116111']").count() == 1
    page.check("input[name=reporter][value=child]")
    page.fill("#id_narrative", "My stepfather hits me when he drinks. I am scared to go home.")
    page.select_option("#id_place", "MD-CU-BOT")
    page.fill("#id_child_0_name", "Ana")
    page.fill("#id_child_0_age", "12")
    page.click("#send-report")
    page.wait_for_selector("#tracking-code")
    return str(page.inner_text("#tracking-code")).strip()


def _follow(page, code: str) -> None:
    page.goto("/public/follow/")
    page.fill("#id_code", code)
    page.click("form.public-form button[type=submit]")
    page.wait_for_selector("#public-status")


def _tell_step_by_step(page) -> str:
    """A child on the short steps: big buttons first, then a few words on each page."""
    page.goto("/public/")
    page.click("#child-steps")
    page.wait_for_url("**/public/child/")
    assert serious_violations(page) == []
    page.click("#danger-no")
    page.wait_for_selector("#about-me")
    assert serious_violations(page) == []
    page.click("#about-me")
    page.fill("#id_name", "Ana")
    page.fill("#id_age", "12")
    page.keyboard.press("Enter")  # Enter is "Next", not "Back"
    page.wait_for_selector("#id_narrative")
    page.fill("#id_narrative", "My stepfather hits me when he drinks. I am scared to go home.")
    page.click("#step-next")
    page.wait_for_selector("#id_place")
    page.select_option("#id_place", "MD-CU-BOT")
    page.click("#step-next")
    page.wait_for_selector("#child-summary")
    assert "My stepfather hits me" in page.inner_text("#child-summary")
    assert serious_violations(page) == []
    page.click("#send-child-report")
    page.wait_for_selector("#tracking-code")
    return str(page.inner_text("#tracking-code")).strip()


def test_a_child_files_a_concern_on_a_phone_and_reads_the_reply(contexts, browser, live_server):
    from ocrotire.accounts.models import User
    from ocrotire.core.tests.browser import sign_in
    from ocrotire.intake import public
    from ocrotire.intake.models import Report

    page = contexts(javascript=True)
    page.goto("/public/privacy/")
    assert serious_violations(page) == []
    page.goto("/public/report/")
    assert serious_violations(page) == []
    code = _tell_step_by_step(page)
    assert len(code.replace("-", "")) == 20
    assert page.is_visible("[data-print]")  # shown only where JavaScript can print
    assert serious_violations(page) == []

    digest = public.code_digest(public.code_normalise(code) or "")
    report = Report.objects.get(public_access__code_digest=digest)
    staff = browser.new_context(base_url=live_server.url, bypass_csp=True, locale="en-GB")
    try:
        desk = staff.new_page()
        sign_in(desk, "specialist")
        desk.goto(f"/reports/{report.pk}/")
        desk.wait_for_selector("#public-messages")
        desk.fill("#public-reply", "Thank you, Ana. We will come to your school tomorrow.")
        desk.click("#public-messages button[type=submit]")
        desk.wait_for_selector(".message.success")
        assert serious_violations(desk) == []
    finally:
        staff.close()

    _follow(page, code)
    assert "We will come to your school tomorrow." in page.inner_text("#public-replies")
    seen = page.inner_text("main")
    assert User.objects.get(username="specialist").last_name not in seen  # no staff name
    assert report.number not in seen  # nor the register's number
    assert serious_violations(page) == []
    page.goto("/public/follow/")
    page.fill("#id_code", "0000-0000-0000-0000-0000")
    page.click("form.public-form button[type=submit]")
    page.wait_for_selector("#not-found")
    assert serious_violations(page) == []


def test_the_public_pages_work_with_javascript_off(contexts):
    page = contexts(javascript=False)
    code = _file_a_concern(page)
    assert not page.is_visible("[data-print]")
    _follow(page, code)
    assert "There is no answer yet." in page.inner_text("main")
    page.fill("#id_text", "He came back tonight.")
    page.click("form.public-form button[type=submit]")
    page.wait_for_selector("text=Your information was added")
    page.click("a[data-quick-exit]")
    page.wait_for_url("**/public/away/")
    assert page.title() == "New tab"


def test_a_child_complains_about_a_centre_and_the_supervisor_answers(
    contexts, browser, live_server
):
    from ocrotire.core.tests.browser import sign_in
    from ocrotire.intake.models import Complaint

    child = contexts(javascript=True)
    child.goto("/public/")
    child.click("a[href='/public/complaint/']")
    child.wait_for_url("**/public/complaint/")
    assert serious_violations(child) == []
    child.check("input[name=reporter][value=child]")
    child.check("input[name=about][value=service]")
    child.fill("#id_about_name", "Centrul Speranța")
    child.fill("#id_narrative", "They take our phones for a week when we are late.")
    child.select_option("#id_place", "MD-CU-BOT")
    child.click("#send-complaint")
    child.wait_for_selector("#tracking-code")
    assert serious_violations(child) == []
    code = str(child.inner_text("#tracking-code")).strip()

    staff = browser.new_context(base_url=live_server.url, bypass_csp=True, locale="en-GB")
    try:
        page = staff.new_page()
        sign_in(page, "supervisor")
        page.goto("/complaints/")
        assert serious_violations(page) == []
        number = Complaint.objects.latest("id").number
        page.click(f"#complaints a:has-text('{number}')")
        page.wait_for_selector("#complaint-messages")
        assert "They take our phones" in page.inner_text("main")
        assert serious_violations(page) == []
        page.fill("#id_text", "We spoke with the centre: your phone stays with you.")
        page.check("#id_answer")
        page.click("#complaint-messages button[type=submit]")
        page.wait_for_selector(".message.success")
        assert Complaint.objects.get(number=number).status == "answered"
    finally:
        staff.close()

    _follow(child, code)
    assert "Your complaint was answered" in child.inner_text("#public-status")
    assert "your phone stays with you" in child.inner_text("#public-replies")
