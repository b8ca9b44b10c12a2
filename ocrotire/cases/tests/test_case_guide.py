"""The case page guides the work: the stage path of the case's workflow with where the case
stands (the emergency as a side state, the country's own names of its stages), the next legal
step first with its deadline and the button of the step that meets it, the other steps in groups,
and names, not codes, of rules and service needs."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from ocrotire.cases.casefile import case_file_html
from ocrotire.cases.guide import steps_meeting
from ocrotire.cases.models import Case, Stage
from ocrotire.cases.steps import steps_all
from ocrotire.cases.steps.registry import GROUPS
from ocrotire.cases.tests.test_case_pages import as_user, open_case, post_step
from ocrotire.geo.services import PACKS_DIR
from ocrotire.workflow.definitions import definition_read, workflow_parse
from ocrotire.workflow.events import kinds
from ocrotire.workflow.models import Task

pytestmark = pytest.mark.django_db

ASSESSMENT = {
    "findings": "Confirmed bruises",
    "risk_level": "high",
    "confirmed": "yes",
    "protection_interview_done": "on",
}


@pytest.fixture(autouse=True)
def english(personas: dict[str, Any]) -> None:
    for user in personas.values():
        user.language = "en"
        user.save(update_fields=["language"])


@pytest.fixture
def case(api: Any, personas: dict[str, Any], casework: None, mfa_off: None) -> Case:
    return open_case(api, personas["specialist"])


def section(html: str, ident: str) -> str:
    start = html.index(f'id="{ident}"')
    return html[start : html.index("</section>", start)]


def path_states(html: str) -> list[tuple[str, str, bool]]:
    """(stage, state, aria-current) of each stage of the path, in order."""
    return [
        (stage, state, bool(current))
        for state, stage, current in re.findall(
            r'<li class="stage-([a-z]+)" data-stage="([a-z_]+)"( aria-current="step")?',
            section(html, "stage-path"),
        )
    ]


def test_path_shows_the_stages_in_order_with_the_current_one(
    client: Any, personas: dict[str, Any], case: Case
) -> None:
    html = as_user(client, personas["specialist"]).get(f"/cases/{case.pk}/").content.decode()
    states = path_states(html)
    assert [s for s, _state, _current in states] == [
        s for s in Stage.values if s != Stage.EMERGENCY_PROTECTION
    ]
    assert states[0] == ("initial_assessment", "current", True)
    assert all(state == "todo" and not current for _s, state, current in states[1:])
    assert html.count('aria-current="step"') == 1
    assert 'id="side-stage"' not in html
    assert "<ol" in section(html, "stage-path")


def test_next_legal_step_comes_first_with_its_deadline_and_button(
    client: Any, personas: dict[str, Any], case: Case
) -> None:
    task = Task.objects.select_related("rule").get(case=case, status="open")
    assert task.rule.code == "initial_assessment_high"
    html = as_user(client, personas["specialist"]).get(f"/cases/{case.pk}/").content.decode()
    box = section(html, "next-step")
    assert html.index('id="next-step"') < html.index('id="actions"')
    assert task.rule.label() in box
    assert "Due in " in box
    assert timezone.localtime(task.due_at).isoformat() in box
    assert "not verified by a lawyer" in box  # the Moldovan default is unverified
    assert 'data-step="initial_assessment"' in box
    # Each step has one button: the one put first is not repeated in its group.
    assert html.count('data-step="initial_assessment"') == 1
    actions = section(html, "actions")
    groups = re.findall(r'data-group="([a-z]+)"', actions)
    assert groups == ["protection", "records", "team", "closure"]
    assert 'data-step="closure_propose"' in actions
    # Steps the specialist may not take are not shown.
    assert 'data-step="reassign"' not in html
    assert 'data-step="closure_decide"' not in html


def test_an_overdue_deadline_says_by_how_much_and_comes_first(
    client: Any, personas: dict[str, Any], case: Case
) -> None:
    now = timezone.now()
    Task.objects.filter(case=case, status="open").update(due_at=now - timedelta(days=2, hours=3))
    html = as_user(client, personas["specialist"]).get(f"/cases/{case.pk}/").content.decode()
    box = section(html, "next-step")
    assert "Overdue by 2\xa0days, 3\xa0hours." in box
    assert "is-overdue" in html


def test_taking_the_step_moves_the_path_and_the_next_step(
    client: Any, personas: dict[str, Any], case: Case
) -> None:
    specialist = as_user(client, personas["specialist"])
    assert post_step(specialist, case, "initial_assessment", ASSESSMENT).status_code == 302
    html = specialist.get(f"/cases/{case.pk}/").content.decode()
    states = path_states(html)
    assert states[0] == ("initial_assessment", "done", False)
    assert states[1] == ("complex_assessment", "current", True)
    box = section(html, "next-step")
    rule = Task.objects.get(case=case, status="open", rule__code="complex_assessment").rule
    assert rule.label() in box
    assert 'data-step="complex_assessment"' in box


def test_emergency_is_a_side_state_and_the_path_shows_where_the_case_goes_back(
    client: Any, personas: dict[str, Any], case: Case
) -> None:
    specialist = as_user(client, personas["specialist"])
    emergency = {**ASSESSMENT, "emergency": "on"}
    assert post_step(specialist, case, "initial_assessment", emergency).status_code == 302
    case.refresh_from_db()
    assert case.stage == Stage.EMERGENCY_PROTECTION
    html = specialist.get(f"/cases/{case.pk}/").content.decode()
    assert html.count('aria-current="step"') == 1
    side = html[html.index('id="side-stage"') :]
    assert 'data-stage="emergency_protection"' in side[:200]
    assert "Afterwards the case goes on at the stage “Complex assessment”." in side
    states = path_states(html)
    assert "emergency_protection" not in [s for s, _state, _current in states]
    assert states[0][1] == "done"
    assert not any(current for *_x, current in states)


def test_a_supervisor_is_led_to_the_decision_the_plan_awaits(
    client: Any, personas: dict[str, Any], case: Case
) -> None:
    specialist = as_user(client, personas["specialist"])
    post_step(specialist, case, "initial_assessment", ASSESSMENT)
    post_step(specialist, case, "complex_assessment", ASSESSMENT)
    post_step(specialist, case, "plan_submit", {"goals": "Safety", "actions": "Course | CMC"})
    case.refresh_from_db()
    assert case.stage == Stage.PLAN_APPROVAL
    # The specialist has no step that meets the approval: no next step is put first for her.
    assert 'id="next-step"' not in specialist.get(f"/cases/{case.pk}/").content.decode()
    supervisor = as_user(client, personas["supervisor"])
    box = section(supervisor.get(f"/cases/{case.pk}/").content.decode(), "next-step")
    assert 'data-step="plan_decide"' in box


def test_a_country_names_its_stages_in_the_readers_language(
    client: Any, api: Any, personas: dict[str, Any], casework: None, mfa_off: None
) -> None:
    reader = personas["specialist_ua"]
    case = open_case(api, reader, unit="UA-74")
    html = as_user(client, reader).get(f"/cases/{case.pk}/").content.decode()
    path = section(html, "stage-path")
    assert "Needs assessment of the child and family" in path
    assert "Individual plan of social protection of the child" in path
    assert "Complex assessment" in path  # not named by the pack: the generic name
    # The list of cases and a step's page call the stage the same way.
    listed = as_user(client, reader).get("/cases/").content.decode()
    assert "Needs assessment of the child and family" in listed
    step = as_user(client, reader).get(f"/cases/{case.pk}/steps/visit/").content.decode()
    assert "at the stage “Needs assessment of the child and family”" in step
    reader.language = "uk"
    reader.save(update_fields=["language"])
    html = as_user(client, reader).get(f"/cases/{case.pk}/").content.decode()
    assert "Оцінювання потреб дитини та сім&#x27;ї" in section(html, "stage-path")


def test_every_pack_workflow_names_its_stages_in_every_language_and_runs() -> None:
    languages = {code for code, _name in settings.LANGUAGES}
    files = sorted(PACKS_DIR.glob("*/workflow.json"))
    assert {f.parent.name for f in files} >= {"common", "md", "ua", "ro", "kg"}
    for path in files:
        data = json.loads(path.read_text(encoding="utf-8"))
        if path.parent.name != "common":
            assert data["country"] == path.parent.name.upper()
            workflow_parse(definition_read(data["country"]))  # raises when it could not run
        for row in data.get("stages", []):
            assert row["code"] in Stage.values, (path, row["code"])
            if "names" in row:
                assert set(row["names"]) == languages, (path, row["code"])
                assert all(name.strip() for name in row["names"].values())
            if path.parent.name != "common":
                assert isinstance(row["verified"], bool)
                assert "legal_reference" in row


def test_which_step_meets_which_deadline_comes_from_the_declarations() -> None:
    meeting = steps_meeting()
    assert meeting["initial_assessment_done"] == ("initial_assessment",)
    assert meeting["court_filed"] == ("protective_step",)
    # A milestone is met by the step that records either of its events.
    assert meeting["plan_decided"] == ("plan_decide",)
    assert meeting["closure_decided"] == ("closure_decide",)


def test_every_step_names_the_events_it_records_and_its_group() -> None:
    registered = set(kinds())
    for step in steps_all():
        assert step.fires, step.code
        assert {str(event) for event in step.fires} <= registered, step.code
        assert step.group in GROUPS, step.code


def test_service_needs_show_by_name_on_the_page_and_in_the_case_file(
    client: Any, personas: dict[str, Any], case: Case
) -> None:
    specialist = as_user(client, personas["specialist"])
    with_needs = {**ASSESSMENT, "needs": "family_support, day_centre_risk, typed_by_hand"}
    assert post_step(specialist, case, "initial_assessment", with_needs).status_code == 302
    html = specialist.get(f"/cases/{case.pk}/").content.decode()
    records = section_of(html, "records")
    assert "Family support, Day centre for children at risk, typed_by_hand" in records
    assert "family_support" not in records
    document = case_file_html(actor=personas["specialist"], case=case)
    assert "Family support, Day centre for children at risk" in document
    assert "day_centre_risk" not in document


def section_of(html: str, ident: str) -> str:
    start = html.index(f'id="{ident}"')
    return html[start : html.index("</div>\n", start)]


def test_the_next_step_opens_with_what_meets_the_deadline_chosen(
    client: Any, personas: dict[str, Any], case: Case
) -> None:
    specialist = as_user(client, personas["specialist"])
    # The initial assessment's clock runs from the report's receipt, so it would come first;
    # recorded, the removal's deadlines are the nearest.
    assert post_step(specialist, case, "initial_assessment", ASSESSMENT).status_code == 302
    removal = {"kind": "removal", "description": "Taken to the emergency centre"}
    assert post_step(specialist, case, "protective_action", removal).status_code == 302
    html = specialist.get(f"/cases/{case.pk}/").content.decode()
    box = section(html, "next-step")
    rule = Task.objects.get(case=case, status="open", rule__code="prosecutor_notice").rule
    assert rule.label() in box
    assert f'href="/cases/{case.pk}/steps/protective_step/?step=prosecutor_notified"' in box
    page = specialist.get(f"/cases/{case.pk}/steps/protective_step/?step=court_filed")
    assert re.search(r'<option value="court_filed"\s+selected>', page.content.decode())
    # Only the values a step presets are taken from the address.
    other = specialist.get(f"/cases/{case.pk}/steps/visit/?observations=Injected")
    textarea = re.search(
        r'<textarea[^>]*id="id_observations"[^>]*>([^<]*)</textarea>', other.content.decode()
    )
    assert textarea is not None
    assert textarea.group(1).strip() == ""
