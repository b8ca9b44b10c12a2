"""In a real browser at phone width, with no account: a child files a concern from the sign-in
page and gets a code, a specialist replies, the child reads the reply with the code; axe finds
nothing serious on the public pages; and the same pages work with JavaScript off."""

from __future__ import annotations

import pytest

from ocrotire.core.tests.browser import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def contexts(browser, live_server, demo):
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


def test_a_child_files_a_concern_on_a_phone_and_reads_the_reply(contexts):
    from ocrotire.accounts.models import User
    from ocrotire.intake import public
    from ocrotire.intake.models import Report

    page = contexts(javascript=True)
    page.goto("/public/")
    assert serious_violations(page) == []
    page.goto("/public/privacy/")
    assert serious_violations(page) == []
    page.goto("/public/report/")
    assert serious_violations(page) == []
    code = _file_a_concern(page)
    assert len(code.replace("-", "")) == 20
    assert page.is_visible("[data-print]")  # shown only where JavaScript can print
    assert serious_violations(page) == []

    digest = public.code_digest(public.code_normalise(code) or "")
    report = Report.objects.get(public_access__code_digest=digest)
    public.public_reply_add(
        actor=User.objects.get(username="specialist"),
        report=report,
        text="Thank you, Ana. We will come to your school tomorrow.",
    )

    _follow(page, code)
    assert "We will come to your school tomorrow." in page.inner_text("#public-replies")
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
