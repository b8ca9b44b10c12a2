"""In a real browser: the account's security pages (devices, recovery codes, password, sessions
and tokens) pass the axe-core checks."""

from __future__ import annotations

import pytest

from ocrotire.core.tests.browser import serious_violations, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_security_pages_are_accessible(browser, live_server, demo):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}, bypass_csp=True
    )
    page = context.new_page()
    sign_in(page, "specialist")
    for url in [
        "/accounts/profile/",
        "/accounts/two-factor/setup/",
        "/accounts/password/",
        "/accounts/sessions/",
        "/accounts/login/verify/",
    ]:
        response = page.goto(url)
        assert response is not None
        assert response.status == 200, url
        assert serious_violations(page) == [], url
    context.close()
