"""In a real browser (Debian's Chromium driven by Playwright): sign-in in every language, navigation
for every role, a phone-sized screen, the htmx tree, and axe-core accessibility checks."""

from __future__ import annotations

import pytest

from ocrotire.core.tests.browser import serious_violations, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(browser, live_server, demo):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}, bypass_csp=True
    )
    page = context.new_page()
    yield page
    context.close()


@pytest.mark.parametrize(
    ("language", "heading", "welcome"),
    [
        ("ro", "Autentificare", "Bine ați venit"),
        ("uk", "Вхід", "Вітаємо"),
        ("ru", "Вход", "Добро пожаловать"),
        ("en", "Sign in", "Welcome"),
    ],
)
def test_sign_in_in_each_language(page, language, heading, welcome):
    page.goto("/accounts/login/")
    page.select_option("#language-select", language)
    page.wait_for_function(f"document.documentElement.lang === '{language}'")
    assert page.inner_text("main h1") == heading
    assert serious_violations(page) == []
    sign_in(page, "specialist")
    assert page.evaluate("document.documentElement.lang") == language
    assert welcome in page.inner_text("main h1")


BASE_NAV = {
    "/home/",
    "/territory/",
    "/accounts/institutions/",
    "/api/docs/",
    "/cases/notifications/",
    "/providers/",
    "/plans/",
}
REGISTRY_NAV = {"/registry/", "/registry/duplicates/"}
CASE_NAV = {"/cases/", "/cases/my-work/", "/providers/referrals/"}
BOARD_NAV = {"/cases/board/"}
REGISTER_NAV = {"/reports/", "/reports/hotline/"}
COMPLAINT_NAV = {"/complaints/"}
FILER_NAV = {"/reports/new/", "/reports/mine/"}
ANALYTICS_NAV = {"/analytics/"}
FORMS_NAV = {"/forms/"}  # the official forms a directorate adapts
OUTREACH_NAV = {"/outreach/"}
PROGRAMME_NAV = {"/programmes/"}  # benefit programmes and their certificates
ROLE_NAV = {
    "admin": BASE_NAV
    | REGISTRY_NAV
    | OUTREACH_NAV
    | REGISTER_NAV
    | CASE_NAV
    | BOARD_NAV
    | ANALYTICS_NAV
    | FORMS_NAV
    | PROGRAMME_NAV
    | {"/admin/"},
    "specialist": BASE_NAV
    | REGISTRY_NAV
    | OUTREACH_NAV
    | REGISTER_NAV
    | CASE_NAV
    | ANALYTICS_NAV
    | PROGRAMME_NAV,
    "supervisor": BASE_NAV
    | REGISTRY_NAV
    | OUTREACH_NAV
    | REGISTER_NAV
    | COMPLAINT_NAV
    | CASE_NAV
    | BOARD_NAV
    | ANALYTICS_NAV
    | PROGRAMME_NAV,
    "head": BASE_NAV
    | REGISTRY_NAV
    | OUTREACH_NAV
    | REGISTER_NAV
    | COMPLAINT_NAV
    | CASE_NAV
    | BOARD_NAV
    | ANALYTICS_NAV
    | FORMS_NAV
    | PROGRAMME_NAV,
    "reporter": BASE_NAV | FILER_NAV,
    "provider": BASE_NAV | {"/providers/referrals/"},
    "planner": BASE_NAV | ANALYTICS_NAV | PROGRAMME_NAV,
    "auditor": BASE_NAV | {"/audit/"},
    "community": BASE_NAV | {"/registry/"} | OUTREACH_NAV | FILER_NAV | PROGRAMME_NAV,
}


@pytest.mark.parametrize("username", sorted(ROLE_NAV))
def test_navigation_for_each_role(page, username):
    sign_in(page, username)
    links = set(
        page.eval_on_selector_all("nav.main-nav a", "els => els.map(e => e.getAttribute('href'))")
    )
    assert links == ROLE_NAV[username]
    for href in sorted(links - {"/api/docs/", "/admin/"}):
        response = page.goto(href)
        assert response is not None, href
        assert response.status == 200, href
        assert page.get_attribute(f'nav.main-nav a[href="{href}"]', "aria-current") == "page"
        assert serious_violations(page) == [], href


def test_territory_tree_expands_in_place(page):
    sign_in(page, "specialist")
    page.goto("/territory/")
    moldova = page.locator("li", has=page.locator("a", has_text="Republica Moldova")).first
    moldova.locator("button.toggle").first.click()
    page.wait_for_selector("text=municipiul Chișinău")
    chisinau = page.locator("li", has=page.locator("a", has_text="municipiul Chișinău")).last
    chisinau.locator("button.toggle").first.click()
    page.wait_for_selector("a:text('Botanica')")
    assert page.locator("a:text('Râșcani')").count() == 1


def test_institution_search_and_scope(page):
    sign_in(page, "specialist")
    page.goto("/accounts/institutions/")
    page.fill("#q", "DGPDC")
    page.wait_for_function("!document.querySelector('#results').innerText.includes('Centru')")
    text = page.inner_text("#results")
    assert "Botanica" in text
    assert "Centru" not in text


def test_phone_screen_has_no_horizontal_scroll(browser, live_server, demo):
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 360, "height": 740},
        is_mobile=True,
        has_touch=True,
        bypass_csp=True,
    )
    page = context.new_page()
    try:
        sign_in(page, "supervisor")
        for path in [
            "/home/",
            "/accounts/institutions/",
            "/territory/",
            "/cases/",
            "/cases/board/",
        ]:
            page.goto(path)
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, path
    finally:
        context.close()


def test_keyboard_users_can_skip_to_content(page):
    sign_in(page, "specialist")
    page.goto("/home/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_sign_in_page_focuses_the_user_name(page):
    page.goto("/accounts/login/")
    assert page.evaluate("document.activeElement.id") == "id_username"


def test_register_a_person_sees_the_duplicate_and_merges_it_then_undoes(page):
    sign_in(page, "specialist")
    page.goto("/registry/new/")
    page.fill("#id_family_name", "Turcanu")
    page.fill("#id_given_name", "Maria")
    page.fill("#id_birth_date", "2015-03-12")
    page.locator("#id_birth_date").dispatch_event("change")
    page.wait_for_selector("#duplicates .candidates li")
    panel = page.inner_text("#duplicates")
    assert "Țurcanu Maria" in panel or "Цуркану Мария" in panel
    assert serious_violations(page) == []
    # Saving without confirming keeps nothing and asks the user to look at the candidates.
    page.click("#person-form button[type=submit]")
    page.wait_for_selector("input[name=confirm_new]")
    page.goto("/registry/")
    page.fill("#q", "Цуркану")
    page.wait_for_function("document.querySelector('#results').innerText.includes('Цуркану')")
    page.click("#results a:has-text('Цуркану')")
    cyrillic_url = page.url
    page.goto("/registry/")
    page.fill("#q", "Țurcanu Maria")
    page.wait_for_function("document.querySelector('#results').innerText.includes('Țurcanu Maria')")
    page.click("#results a:has-text('Țurcanu Maria')")
    latin_id = page.url.rstrip("/").split("/")[-1]
    cyrillic_id = cyrillic_url.rstrip("/").split("/")[-1]
    page.goto(f"/registry/compare/{latin_id}/{cyrillic_id}/")
    assert serious_violations(page) == []
    page.click("button[value=merge]")
    page.wait_for_url(f"**/registry/{latin_id}/")
    assert (
        page.locator("text=Undo this merge").count()
        + page.locator("form[action*='/undo/'] button").count()
        >= 1
    )
    page.locator("form[action*='/undo/'] button").first.click()
    page.wait_for_url(f"**/registry/{latin_id}/")
    page.goto(f"/registry/{cyrillic_id}/")
    assert page.locator(".message.error").count() == 0


def test_supervisor_starts_a_registry_wide_search_and_sees_its_progress(page, settings):
    sign_in(page, "supervisor")
    page.goto("/registry/duplicates/")
    page.click("form[action$='/duplicates/run/'] button")
    page.wait_for_selector("#dedup-run")
    # No worker runs in the test: the run waits in the queue and the panel keeps polling.
    assert page.locator("#dedup-run[hx-trigger='every 2s']").count() == 1
    assert serious_violations(page) == []
