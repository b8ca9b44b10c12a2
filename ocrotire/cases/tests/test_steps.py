"""The step register: every step of the stage pipeline declared once, with a page form and an API
input built from that one declaration; names that differ between the page and the API mapped in
it; another app may add a field to a step before it is used."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from ocrotire.cases.steps import Step, api_input, page_form, registry, step_extend, steps_all
from ocrotire.cases.steps.apis import step_endpoints
from ocrotire.cases.steps.fields import Flag, Text
from ocrotire.workflow.definitions import definition_read, workflow_parse


def test_every_step_of_the_common_workflow_is_declared_once() -> None:
    codes = [step.code for step in steps_all()]
    assert len(codes) == len(set(codes))
    assert set(codes) == set(workflow_parse(definition_read("MD")).steps)


def test_every_step_has_a_page_form_and_an_api_input_from_its_declaration() -> None:
    for step in steps_all():
        form = page_form(step)
        own = [f.form_name for f in step.page_fields() if not f.per_case]
        assert list(form.base_fields) == ["version", *own]
        assert step.api is not None, step.code
        serializer = api_input(step)
        assert serializer.__name__ == step.api.input
        assert list(serializer().fields) == ["version", *(f.name for f in step.api_fields())]


def test_page_and_api_names_that_differ_are_mapped_in_the_declaration() -> None:
    decide = registry.step_get("plan_decide")
    assert decide is not None
    assert "decision" in page_form(decide).base_fields
    assert "approve" in api_input(decide)().fields
    # The two decisions share one input, as the API document names it.
    closure = registry.step_get("closure_decide")
    assert closure is not None
    assert api_input(closure) is api_input(decide)
    # One API address takes both assessments, its kind in the body.
    endpoints = step_endpoints()
    assert endpoints["assessments"].step.code == "initial_assessment"
    assert "kind" in api_input(endpoints["assessments"].step)().fields
    assert "kind" not in page_form(endpoints["assessments"].step).base_fields


def test_every_api_address_and_url_name_is_kept() -> None:
    expected = {
        "case-assessments": "assessments",
        "case-protective-actions": "protective-actions",
        "case-protective-step": "protective-actions/1/steps",
        "case-emergency-end": "emergency-end",
        "case-plan": "plan",
        "case-plan-decision": "plan/decision",
        "case-visits": "visits",
        "case-review": "review",
        "case-referrals": "referrals",
        "case-meetings": "meetings",
        "case-close": "close",
        "case-closure-decision": "closure-decision",
        "case-reopen": "reopen",
        "case-transfer": "transfer",
        "case-reassign": "reassign",
        "case-team": "team",
    }
    for name, address in expected.items():
        kwargs: dict[str, Any] = {"pk": 7}
        if name == "case-protective-step":
            kwargs["action_pk"] = 1
        assert reverse(f"api:{name}", kwargs=kwargs) == f"/api/v1/cases/7/{address}/"


@pytest.fixture
def scratch_register(monkeypatch: pytest.MonkeyPatch) -> None:
    """A copy of the register for a test that changes it."""
    monkeypatch.setattr(registry, "_STEPS", dict(registry._STEPS))
    monkeypatch.setattr(registry, "_FORMS", {})
    monkeypatch.setattr(registry, "_INPUTS", {})


def test_another_app_adds_a_field_to_both_surfaces(scratch_register: None) -> None:
    step_extend(
        "reopen",
        Flag("urgent", "Urgent", api_help="Work on it first"),
        before="reason",
    )
    step = registry.step_get("reopen")
    assert isinstance(step, Step)
    assert list(page_form(step).base_fields) == ["version", "urgent", "reason"]
    assert list(api_input(step)().fields) == ["version", "urgent", "reason"]
    with pytest.raises(ImproperlyConfigured):
        step_extend("reopen", Text("more", "More", max_length=10))


def test_a_step_is_registered_once(scratch_register: None) -> None:
    step = registry.step_get("reopen")
    assert step is not None
    with pytest.raises(ImproperlyConfigured):
        registry.register(step)
