"""The field app in a real browser with the network cut (issue 22 items 4 and 6): a screening and
a service given recorded offline survive closing the page and are sent, once, when the page is
opened again online;
two devices change the same answer of a screening offline, the second sees the conflict side by
side and keeps its own; signing out, or losing the field role (a remote wipe), deletes the
device's data; axe finds nothing serious."""

from __future__ import annotations

from typing import Any

import pytest

from ocrotire.accounts.models import User
from ocrotire.core.tests.browser import serious_violations, sign_in
from ocrotire.outreach.models import Delivery, Screening, SyncChange, SyncOutcome
from ocrotire.providers.models import ServiceType
from ocrotire.registry.models import Household

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PIN = "246813"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def device(browser: Any, live_server: Any, demo: None) -> Any:
    opened = []

    def open_device(**options: Any) -> Any:
        context = browser.new_context(
            base_url=live_server.url, viewport=PHONE, locale="en-GB", **options
        )
        opened.append(context)
        return context

    yield open_device
    for context in opened:
        context.close()


def _cut(context: Any) -> None:
    """No network for the device. Chromium's offline emulation does not always reach a page
    reloaded through the service worker (its navigator.onLine may still say online), so the
    API is also refused at the browser, as a missing network would."""
    context.set_offline(True)
    context.route("**/api/**", lambda route: route.abort("internetdisconnected"))


def _restore(context: Any) -> None:
    context.unroute("**/api/**")
    context.set_offline(False)


def _open_app(page: Any) -> None:
    page.goto("/outreach/field/")
    page.wait_for_selector("#field-app[data-ready=true]")


def _take_the_pack(context: Any) -> Any:
    """Signs in, sets the PIN and waits for the households: the pack is on the device."""
    page = context.new_page()
    sign_in(page, "community")
    _open_app(page)
    page.evaluate("async () => { await navigator.serviceWorker.ready; }")
    page.fill("#field-new-pin", PIN)
    page.fill("#field-new-pin-again", PIN)
    page.click("#field-setup-submit")
    page.wait_for_selector("#field-households article")
    return page


def _unlock(page: Any) -> None:
    _open_app(page)
    page.fill("#field-pin", PIN)
    page.click("#field-unlock-submit")
    page.wait_for_selector("#field-main:not([hidden])")


def _waiting(page: Any, count: int) -> None:
    page.wait_for_selector(f"#field-outbox[data-count='{count}']")


def _screened_household(page: Any) -> int:
    """A household of the pack that has a screening (the demo screened three)."""
    card = page.locator("#field-households article:has(.correct-screening)").first
    return int(card.get_attribute("data-household"))


def test_a_screening_and_a_service_recorded_offline_are_sent_when_the_app_opens_online(
    device: Any,
) -> None:
    context = device()
    page = _take_the_pack(context)
    household = int(page.locator("#field-households article").first.get_attribute("data-household"))
    before = Screening.objects.filter(household_id=household).count()
    stored = page.evaluate("async () => (await indexedDB.databases()).map((d) => d.name)")
    assert "ocrotire-field" in stored

    _cut(context)
    # The page opens with no network: the shell from the service worker, the data from the
    # device once the PIN opens it.
    page.reload()
    _unlock(page)
    card = page.locator(f"#field-households article[data-household='{household}']")
    card.locator(".new-screening").click()
    page.select_option("#fa-economic-poverty", "yes")
    page.click("#field-save")
    _waiting(page, 1)
    # A service given (the demo's Moldova has no package: the country's catalogue is offered).
    card.locator(".record-delivery").click()
    page.select_option("#fd-service", "family_support")
    page.click("#field-save")
    assert page.locator("#field-delivery-form [role=alert]").is_visible()  # no minutes yet
    page.fill("#fd-minutes", "45")
    page.click("#field-save")
    _waiting(page, 2)
    # A second one, of a service withdrawn from the catalogue before the device is back online.
    card.locator(".record-delivery").click()
    page.select_option("#fd-service", "psychological_counselling")
    page.fill("#fd-minutes", "30")
    page.click("#field-save")
    _waiting(page, 3)
    page.close()
    assert Screening.objects.filter(household_id=household).count() == before
    assert not Delivery.objects.filter(household_id=household).exists()
    ServiceType.objects.filter(country="MD", code="psychological_counselling").update(active=False)

    _restore(context)
    page = context.new_page()
    _unlock(page)
    _waiting(page, 0)

    latest = Screening.objects.filter(household_id=household).order_by("-id").first()
    assert Screening.objects.filter(household_id=household).count() == before + 1
    assert latest is not None
    assert latest.answers["economic"]["poverty"] is True
    (given,) = Delivery.objects.filter(household_id=household)
    assert (given.service.code, given.minutes) == ("family_support", 45)
    assert SyncChange.objects.filter(outcome=SyncOutcome.APPLIED).count() == 2
    rejected = page.locator("#field-rejected article")
    strings = page.evaluate("JSON.parse(document.getElementById('field-strings').textContent)")
    name = Household.objects.get(pk=household).name
    assert rejected.locator("h3").inner_text() == strings["kind_delivery"].format(name=name)

    # The site's sign-out leaves nothing of the app on the device.
    page.click("header form[action='/accounts/logout/'] button")
    page.wait_for_url("**/accounts/login/")
    stored = page.evaluate("async () => (await indexedDB.databases()).map((d) => d.name)")
    assert "ocrotire-field" not in stored
    assert page.evaluate("async () => (await caches.keys()).length") == 0


def test_two_devices_change_one_answer_and_the_second_chooses(device: Any) -> None:
    first = _take_the_pack(device())
    second_context = device(bypass_csp=True)  # axe is injected as an inline script
    second = _take_the_pack(second_context)
    household = _screened_household(first)
    screening = Screening.objects.filter(household_id=household).order_by("-id").first()
    assert screening is not None
    version = screening.version
    was = (screening.answers.get("economic") or {}).get("poverty") is True
    mine, theirs = ("no", "yes") if was else ("yes", "no")
    _cut(first.context)
    _cut(second_context)
    for page, answer in ((first, theirs), (second, mine)):
        page.locator(f"article[data-household='{household}'] .correct-screening").click()
        page.select_option("#fa-economic-poverty", answer)
        page.click("#field-save")
        _waiting(page, 1)

    _restore(first.context)
    _waiting(first, 0)
    screening.refresh_from_db()
    assert screening.version == version + 1

    _restore(second_context)
    conflict = second.locator(".conflict-item")
    conflict.wait_for()
    row = conflict.locator("tr.differs").first
    cells = [row.locator("td").nth(i).inner_text() for i in (0, 1)]
    strings = second.evaluate("JSON.parse(document.getElementById('field-strings').textContent)")
    assert cells == [strings[mine], strings[theirs]]
    assert serious_violations(second) == []
    screening.refresh_from_db()
    assert screening.version == version + 1  # nothing overwritten

    conflict.locator(".keep-mine").click()
    second.wait_for_selector("#field-outbox[data-count='0'][data-conflicts='0']")
    screening.refresh_from_db()
    assert screening.version == version + 2
    assert screening.answers["economic"]["poverty"] is (mine == "yes")
    user = User.objects.get(username="community")
    (kept,) = SyncChange.objects.filter(user=user, outcome=SyncOutcome.CONFLICT)
    assert kept.settled_at is not None
    assert kept.settled_by is not None


def test_a_worker_who_lost_the_field_role_finds_the_device_wiped(device: Any) -> None:
    page = _take_the_pack(device())
    User.objects.get(username="community").roles.clear()

    page.click("#field-send")

    page.wait_for_selector("#field-setup:not([hidden])")
    stored = page.evaluate("async () => (await indexedDB.databases()).map((d) => d.name)")
    assert "ocrotire-field" not in stored
    assert page.evaluate("async () => (await caches.keys()).length") == 0
