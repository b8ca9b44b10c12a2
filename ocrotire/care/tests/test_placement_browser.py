"""In a real browser, on the demo's case of Ion Ceban: the specialist places the child in the
municipality's maternal centre from the case page in an emergency, records the commission's
decision that makes it planned, reviews it, and ends it; the timeline shows every step and the
page passes the axe-core checks."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone

from ocrotire.care.models import Placement
from ocrotire.cases.models import Case, Stage
from ocrotire.core.tests.browser import serious_violations, sign_in
from ocrotire.providers.models import ServicePoint

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def specialist(browser: Any, live_server: Any, demo: None) -> Iterator[Any]:
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}, bypass_csp=True
    )
    page = context.new_page()
    sign_in(page, "specialist")
    yield page
    context.close()


def test_the_child_is_placed_and_the_placement_ended_from_the_case_page(specialist: Any) -> None:
    case = Case.objects.get(
        child__given_name="Ion", child__family_name="Ceban", stage=Stage.INITIAL_ASSESSMENT
    )
    # In Rîșcani, another sector of Chișinău than the case's Botanica.
    centre = ServicePoint.objects.get(service_type__code="maternal_centre", unit__code="MD-CU-RIS")
    page = specialist
    page.goto(f"/cases/{case.pk}/")
    assert page.locator("#placements").count() == 0
    page.click("#place-child summary")
    assert serious_violations(page) == []
    page.select_option("#id_form", "maternal_centre")
    page.check("#id_emergency")
    page.fill("#id_national_type", "Centru maternal")
    page.fill("#id_decision_reference", "Dispoziția DGPDC nr. 7")
    page.select_option("#id_facility", str(centre.pk))
    page.click("#place-child button[type=submit]")
    page.wait_for_url(f"**/cases/{case.pk}/")

    placement = Placement.objects.get(case=case)
    assert (placement.form, placement.emergency, placement.facility_id) == (
        "maternal_centre",
        True,
        centre.pk,
    )
    row = page.locator(f'#placements tr[data-placement="{placement.pk}"]')
    assert centre.name in row.inner_text()
    assert row.locator(".placement-end").inner_text() == "—"

    assert "nu există hotărârea comisiei" in row.locator(".placement-decision").inner_text()
    page.click(f"#decide-placement-{placement.pk} summary")
    assert serious_violations(page) == []
    prefix = f"#id_decision-{placement.pk}-"
    page.select_option(prefix + "decision_by", "gatekeeper")
    page.select_option(prefix + "decision_outcome", "approved")
    page.fill(prefix + "decision_reference", "Hotărârea Comisiei nr. 3")
    page.fill(prefix + "decision_date", timezone.localdate().isoformat())
    page.click(f"#decide-placement-{placement.pk} button[type=submit]")
    page.wait_for_url(f"**/cases/{case.pk}/")
    placement.refresh_from_db()
    assert (placement.emergency, placement.decision_by) == (False, "gatekeeper")
    row = page.locator(f'#placements tr[data-placement="{placement.pk}"]')
    assert "Hotărârea Comisiei nr. 3" in row.locator(".placement-decision").inner_text()

    page.click(f"#review-placement-{placement.pk} summary")
    page.select_option(f"#id_review-{placement.pk}-outcome", "continue")
    page.fill(f"#id_review-{placement.pk}-note", "Mama și copilul sunt bine îngrijiți.")
    page.click(f"#review-placement-{placement.pk} button[type=submit]")
    page.wait_for_url(f"**/cases/{case.pk}/")
    assert placement.reviews.count() == 1

    page.click(f"#end-placement-{placement.pk} summary")
    assert serious_violations(page) == []
    page.select_option(f"#id_end-{placement.pk}-end_reason", "reintegrated")
    page.fill(f"#id_end-{placement.pk}-note", "Mama și copilul s-au întors acasă.")
    page.click(f"#end-placement-{placement.pk} button[type=submit]")
    page.wait_for_url(f"**/cases/{case.pk}/")

    placement.refresh_from_db()
    assert placement.ended_at is not None
    assert placement.end_reason == "reintegrated"
    assert placement.end_note == "Mama și copilul s-au întors acasă."
    row = page.locator(f'#placements tr[data-placement="{placement.pk}"]')
    assert row.locator(".placement-end").inner_text() != "—"
    assert page.locator(f"#end-placement-{placement.pk}").count() == 0
    kinds = page.eval_on_selector_all("#timeline > li", "els => els.map(e => e.dataset.kind)")
    assert [k for k in kinds if k.startswith("placement_")] == [
        "placement_started",
        "placement_decided",
        "placement_reviewed",
        "placement_ended",
    ]
