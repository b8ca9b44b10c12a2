"""At phone width in a real browser, on the demo: Chernihiv's specialist applies for a household
that the rule refuses and reads why; the hromada's supervisor issues a certificate and sees its
number large; axe finds nothing serious on the pages; the same steps work with JavaScript off."""

from __future__ import annotations

import pytest

from ocrotire.core.tests.browser import serious_violations, sign_in
from ocrotire.outreach.models import Certificate, Programme

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser, live_server, demo):
    opened = []

    def open_page(*, javascript: bool = True):
        context = browser.new_context(
            base_url=live_server.url,
            viewport=PHONE,
            is_mobile=True,
            bypass_csp=True,
            java_script_enabled=javascript,
        )
        opened.append(context)
        return context.new_page()

    yield open_page
    for context in opened:
        context.close()


def _fits(page, javascript: bool) -> None:
    """No sideways scrolling at phone width; axe (a script) where scripts run."""
    if not javascript:
        return
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways ({width} px)"
    assert serious_violations(page) == []


@pytest.mark.parametrize("javascript", [True, False])
def test_a_certificate_is_issued_at_phone_width(phone, javascript) -> None:
    programme = Programme.objects.get(code="CHN-SERT-2025")
    page = phone(javascript=javascript)
    sign_in(page, "specialist_ua")
    page.goto(f"/programmes/{programme.pk}/")
    _fits(page, javascript)
    page.select_option("#id_household", label="Олійник · вул. Толстого, 55 · Чернігів")
    page.click("#apply")
    page.wait_for_selector("[role=alert]")
    assert "0" in page.inner_text("[role=alert]")
    _fits(page, javascript)

    page = phone(javascript=javascript)
    sign_in(page, "supervisor_ua")
    page.goto("/programmes/")
    _fits(page, javascript)
    page.click(f"a[href='/programmes/{programme.pk}/']")
    page.wait_for_selector("#certificates")
    waiting = Certificate.objects.filter(programme=programme, status="applied").first()
    assert waiting is not None
    page.click(f"a[href='/programmes/certificates/{waiting.pk}/']")
    page.wait_for_selector("#decision-form")
    _fits(page, javascript)
    page.check("input[name=decision][value=issue]")
    page.click("#decide")
    page.wait_for_selector("#certificate-number")
    number = page.inner_text("#certificate-number").strip()
    assert number == "CHN-SERT-2025-0004"
    if javascript:
        size = page.eval_on_selector("#certificate-number", "e => getComputedStyle(e).fontSize")
        assert float(size.removesuffix("px")) >= 24
    _fits(page, javascript)
    page.goto(f"/programmes/{programme.pk}/")
    assert page.inner_text("#taken").strip() == "4"
    assert page.inner_text("#left").strip() == "46"
