"""In a real browser: a Romanian specialist fills Romania's initial assessment form (Order
288/2006) on the case page, in Romanian; the answers show on the case page and in the case file."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from ocrotire.accounts.models import User
from ocrotire.cases.casefile import case_file_html
from ocrotire.cases.models import Assessment, Case
from ocrotire.cases.triage import TriageInput, report_triage
from ocrotire.core.tests.browser import serious_violations, sign_in
from ocrotire.geo.models import Unit
from ocrotire.intake.services import ChildInput, ReportInput, report_create
from ocrotire.registry.services import PersonInput

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(browser: Any, live_server: Any, demo: None) -> Iterator[Any]:
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}, bypass_csp=True
    )
    yield context.new_page()
    context.close()


def _romanian_case(actor: User) -> Case:
    received = timezone.now() - timedelta(hours=3)
    report = report_create(
        actor=actor,
        data=ReportInput(
            channel="phone",
            reporter_kind="citizen",
            unit=Unit.objects.get(code="RO-BC"),
            narrative="Vecina aude copilul plângând noaptea.",
            concerns=["neglect"],
            children=[
                ChildInput(
                    new=PersonInput(
                        given_name="Mihai",
                        family_name="Lungu",
                        sex="M",
                        birth_date=date(2016, 5, 4),
                    )
                )
            ],
            received_at=received,
        ),
    )
    report = report_triage(
        actor=actor,
        report=report,
        version=report.version,
        data=TriageInput(decision="open_case", reason="Neglijare", risk_level="medium"),
    )
    return report.cases.get()


def test_a_romanian_initial_assessment_is_filled_on_the_case_page(page: Any) -> None:
    specialist = User.objects.get(username="specialist_ro")
    case = _romanian_case(specialist)
    sign_in(page, "specialist_ro")
    page.goto(f"/cases/{case.pk}/")
    page.click("[data-step=initial_assessment]")
    page.wait_for_url(f"**/cases/{case.pk}/steps/initial_assessment/")
    # Romania's own form, named in Romanian, its sections as headings.
    assert page.locator("h2.form-section", has_text="Vizita la domiciliu").count() == 1
    assert page.locator("h2.form-section", has_text="Concluzia evaluării inițiale").count() == 1
    assert serious_violations(page) == []

    page.fill("#id_findings", "Copilul rămâne singur seara; mama lucrează în ture.")
    page.select_option("#id_risk_level", "medium")
    page.select_option("#id_confirmed", "partly")
    page.select_option('[name="answers.visit.done"]', "yes")
    page.fill('[name="answers.visit.visited_on"]', timezone.localdate().isoformat())
    page.select_option('[name="answers.visit.living_conditions"]', "poor")
    page.check('[name="answers.harm.forms"][value="neglect"]')
    page.select_option('[name="answers.outcome.next"]', "service_plan")
    page.click("#step-form button[type=submit]")
    page.wait_for_url(f"**/cases/{case.pk}/")

    record = page.locator("[data-record=assessment]").first
    assert "Evaluarea inițială (Ordinul 288/2006)" in record.inner_text()
    assert "Precare" in record.inner_text()
    assert "Servicii în comunitate: plan de servicii" in record.inner_text()
    assessment = Assessment.objects.get(case=case)
    assert assessment.answers["outcome"] == {"next": "service_plan"}
    assert assessment.answers["harm"] == {"forms": ["neglect"]}

    # The case file prints the same answers, in the version they were filled with.
    html = case_file_html(actor=specialist, case=case)
    assert "Vizita la domiciliu" in html
    assert "Precare" in html
    assert "Neglijare" in html
    response = page.request.get(f"/cases/{case.pk}/file.pdf")
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
