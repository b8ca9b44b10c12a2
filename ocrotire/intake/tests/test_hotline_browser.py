"""In a real browser, by keyboard alone: a hotline operator takes an anonymous call, finds the child
already in the registry through the live match, files with Ctrl+Enter, reads the number and opens
the next call; axe finds nothing serious. Built on the small test world, not the demo."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from ocrotire.core.tests.browser import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(browser: Any, live_server: Any, personas: Any, casework: None, mfa_off: None) -> Any:
    from ocrotire.accounts.models import User
    from ocrotire.accounts.tests.factories import PASSWORD

    User.objects.update(language="en")
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 1280, "height": 900},
        bypass_csp=True,  # axe is added as an inline script
        locale="en-GB",
    )
    page = context.new_page()
    page.goto("/accounts/login/")
    page.fill("#id_username", "specialist")
    page.fill("#id_password", PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_url("**/home/")
    yield page
    context.close()


def _focused(page: Any) -> str:
    return str(page.evaluate("document.activeElement && document.activeElement.id"))


def _tab_to(page: Any, element_id: str, most: int = 60) -> None:
    """Press Tab until the element has the focus."""
    for _press in range(most):
        if _focused(page) == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached #{element_id} (at #{_focused(page)})")


def test_an_operator_files_a_call_by_keyboard_alone(page: Any, personas: Any, territory: Any):
    from ocrotire.intake.models import Report
    from ocrotire.registry.services import PersonInput, person_create

    ion = person_create(
        actor=personas["specialist"],
        data=PersonInput(
            given_name="Ion",
            family_name="Rusu",
            sex="M",
            birth_date=date(2015, 3, 2),
            unit=territory["MD-CU-BOT"],
        ),
    )
    page.goto("/reports/hotline/")
    assert serious_violations(page) == []
    # without a click: the focus is on who calls, the timer runs, the shortcut is said
    assert _focused(page) == "id_reporter_kind_0"
    page.wait_for_selector("[data-call-elapsed]:not([hidden])")
    assert "Ctrl+Enter" in page.inner_text("#hotline-keys")

    # an anonymous caller: the name and contact fields go away, Tab skips them
    for _press in range(3):
        page.keyboard.press("ArrowDown")
    assert page.is_checked("#id_reporter_kind_3")
    assert not page.is_visible("#id_reporter_name")
    page.keyboard.press("Tab")
    assert _focused(page) == "id_unit"
    page.keyboard.press("ArrowDown")
    assert page.input_value("#id_unit") == str(territory["MD-CU-BOT"].pk)
    _tab_to(page, "id_concerns_0")
    page.keyboard.press("Space")
    _tab_to(page, "id_immediate_danger")
    page.keyboard.press("Space")
    _tab_to(page, "id_narrative")
    page.keyboard.type("A neighbour heard a boy screaming; his father beats him when drunk.")

    # the child: the live registry match offers the record, picked with the arrow keys
    _tab_to(page, "id_child-0-family_name")
    page.keyboard.type("Rusu")
    page.keyboard.press("Tab")
    page.keyboard.type("Ion")
    page.keyboard.press("Tab")
    page.wait_for_selector(f"#child-0-person-{ion.pk}", state="attached")
    _tab_to(page, "child-0-person-none")
    with page.expect_response("**/reports/new/children/matches/**"):
        page.keyboard.press("ArrowDown")
    # the panel was drawn again and gave the focus back to the choice
    page.wait_for_function(
        f"document.activeElement && document.activeElement.id === 'child-0-person-{ion.pk}'"
    )
    assert page.is_checked(f"#child-0-person-{ion.pk}")

    with page.expect_navigation(url="**/reports/hotline/filed/"):
        page.keyboard.press("Control+Enter")
    report = Report.objects.get()
    assert report.channel == "hotline"
    assert report.reporter_anonymous
    assert (report.reporter_name, report.reporter_contact) == ("", "")
    assert list(report.children.all()) == [ion]
    assert [c.code for c in report.concerns.all()] == ["physical"]
    assert report.immediate_danger
    assert report.number in page.inner_text("#filed-number")
    assert _focused(page) == "next-call"
    assert serious_violations(page) == []

    # "Next call" by Enter: a fresh form, with a new timer
    with page.expect_navigation(url="**/reports/hotline/"):
        page.keyboard.press("Enter")
    started = page.get_attribute("[data-call-started]", "data-call-started")
    assert started is not None
    assert started > report.received_at.isoformat()
    assert page.input_value("#id_narrative") == ""
    assert _focused(page) == "id_reporter_kind_0"
