"""In a real browser: a specialist refers a child from the case file to a day centre of the
register; the day centre's staff find the referral in their inbox, accept it and enrol the
child; the case timeline shows each step. The pages pass the axe-core checks."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from ocrotire.accounts.models import User
from ocrotire.cases.models import Case, Referral, Stage
from ocrotire.core.tests.browser import serious_violations, sign_in
from ocrotire.geo.models import Unit
from ocrotire.providers.models import Provider, ServicePoint, ServiceType
from ocrotire.providers.services import provider_create, service_point_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def signed_in(browser: Any, live_server: Any, demo: None) -> Iterator[Any]:
    contexts: list[Any] = []

    def open_as(username: str) -> Any:
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": 1280, "height": 900}, bypass_csp=True
        )
        contexts.append(context)
        page = context.new_page()
        sign_in(page, username)
        return page

    yield open_as
    for context in contexts:
        context.close()


@pytest.fixture
def day_centre(demo: None) -> ServicePoint:
    """The demo day centre entered in the register, with one service point in Botanica."""
    supervisor = User.objects.get(username="supervisor")
    institution = User.objects.get(username="provider").institution
    assert institution is not None
    provider = Provider.objects.filter(institution=institution).first() or provider_create(
        actor=supervisor, kind="public", institution=institution
    )
    return service_point_create(
        actor=supervisor,
        provider=provider,
        service_type=ServiceType.objects.get(country="MD", code="day_centre_risk"),
        unit=Unit.objects.get(code="MD-CU-BOT"),
        name="Centrul de zi Botanica (browser)",
        capacity=3,
    )


def test_referral_is_accepted_and_the_child_enrolled(signed_in: Any, day_centre: Any) -> None:
    case = Case.objects.get(
        child__given_name="Ion", child__family_name="Ceban", stage=Stage.INITIAL_ASSESSMENT
    )
    specialist = signed_in("specialist")
    specialist.goto(f"/cases/{case.pk}/")
    specialist.click("[data-step=referral]")
    specialist.wait_for_url(f"**/cases/{case.pk}/steps/referral/")
    assert serious_violations(specialist) == []
    specialist.select_option("#id_service_point", str(day_centre.pk))
    specialist.fill("#id_reason", "Programul de după școală și sprijin la teme.")
    specialist.click("#step-form button[type=submit]")
    specialist.wait_for_url(f"**/cases/{case.pk}/")
    referral = Referral.objects.get(case=case, service_point=day_centre)

    provider = signed_in("provider")
    provider.goto("/providers/referrals/")
    assert serious_violations(provider) == []
    card = provider.locator(f"#referral-{referral.pk}")
    card.get_by_role("button", name="Acceptă").click()
    provider.wait_for_url("**/providers/referrals/")
    card = provider.locator(f"#referral-{referral.pk}")
    card.get_by_role("button", name="Înscrie").click()
    provider.wait_for_url("**/providers/referrals/")
    assert (
        provider.locator(f"#referral-{referral.pk} .referral-status").inner_text()
        == "Înscris în serviciu"
    )
    referral.refresh_from_db()
    assert referral.status == "enrolled"

    specialist.goto(f"/cases/{case.pk}/")
    kinds = specialist.eval_on_selector_all("#timeline > li", "els => els.map(e => e.dataset.kind)")
    assert [k for k in kinds if k.startswith("referral_")] == [
        "referral_sent",
        "referral_accepted",
        "referral_enrolled",
    ]
    provider.goto(f"/providers/{day_centre.provider_id}/")
    assert serious_violations(provider) == []
    specialist.goto("/providers/gaps/?unit=MD-CU-BOT")
    assert serious_violations(specialist) == []
    cell = specialist.locator('td[data-unit="MD-CU-BOT"][data-service="day_centre_risk"]')
    assert "gap" not in (cell.get_attribute("class") or "")
    assert "Centrul de zi Botanica (browser)" in provider.content()
