"""A country's workflow is pack data: a changed `workflow.json` is loaded as a new version with no
code, a case keeps the version it was opened with, the steps, their stages, roles, required
records and where they lead come from it, and a workflow the engine could not run is refused
with its reasons, loading nothing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation

from ocrotire.accounts.models import User
from ocrotire.cases.models import Case
from ocrotire.cases.tests.test_api import report_body
from ocrotire.cases.tests.test_case_pages import as_user
from ocrotire.core.errors import Invalid
from ocrotire.geo.services import PACKS_DIR
from ocrotire.site.packs import packs_load
from ocrotire.workflow.definitions import workflow_load
from ocrotire.workflow.models import WorkflowVersion

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(api: Any) -> Any:
    def client_for(user: User | None) -> Any:
        client = api(user)
        client.credentials(HTTP_ACCEPT_LANGUAGE="en")
        return client

    return client_for


@pytest.fixture
def specialist(api: Any, personas: dict[str, User], casework: None) -> Any:
    return api(personas["specialist"])


@pytest.fixture
def supervisor(api: Any, personas: dict[str, User], casework: None) -> Any:
    return api(personas["supervisor"])


def _open(client: Any, child_name: str = "Ion") -> dict[str, Any]:
    """A case for the named child (one open case per child: a test opening two names two)."""
    child = {"given_name": child_name, "family_name": "Rusu", "sex": "M"}
    report = client.post(
        "/api/v1/reports/",
        report_body(children=[{**child, "birth_date": "2015-03-02"}]),
        format="json",
    )
    assert report.status_code == 201, report.json()
    triaged = client.post(
        f"/api/v1/reports/{report.json()['id']}/triage/",
        {"decision": "open_case", "reason": "Injuries seen by the school", "risk_level": "high"},
        format="json",
    )
    assert triaged.status_code == 200, triaged.json()
    return _detail(client, triaged.json()["cases"][0]["id"])


def _detail(client: Any, case_id: int) -> dict[str, Any]:
    response = client.get(f"/api/v1/cases/{case_id}/")
    assert response.status_code == 200
    return dict(response.json())


def _post(client: Any, case: dict[str, Any], path: str, body: dict[str, Any]) -> Any:
    version = _detail(client, case["id"])["version"]
    return client.post(
        f"/api/v1/cases/{case['id']}/{path}/", {"version": version, **body}, format="json"
    )


def _pack(tmp_path: Path, country: str, change: dict[str, Any]) -> Path:
    """A copy of the packs' workflows with the country's file changed as a directorate would."""
    for name in ("common", country.lower()):
        (tmp_path / name).mkdir(parents=True, exist_ok=True)
        shutil.copy(PACKS_DIR / name / "workflow.json", tmp_path / name / "workflow.json")
    path = tmp_path / country.lower() / "workflow.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data.update(change)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return tmp_path


MEETING = {
    "kind": "case_conference",
    "decision": "The team agrees on a home visit every week.",
    "held_at": "2026-01-05T10:00:00+02:00",
}


def test_a_changed_pack_is_a_new_version_and_a_case_keeps_the_one_it_began_with(
    specialist: Any, supervisor: Any, client: Any, personas: dict[str, User], tmp_path: Path
) -> None:
    before = _open(specialist)
    assert before["workflow"] == {"country": "MD", "version": 1}
    assert before["stage"] == "initial_assessment"

    md = json.loads((PACKS_DIR / "md" / "workflow.json").read_text(encoding="utf-8"))
    stages = [
        {**row, "names": {"en": "Initial assessment and protection interview"}}
        if row["code"] == "initial_assessment"
        else row
        for row in md["stages"]
    ]
    folder = _pack(
        tmp_path,
        "MD",
        {
            "stages": stages,
            "steps": {
                # Case conferences are the supervisors' to record, and closure needs an
                # approved plan first.
                "meeting": {"from": "open", "roles": ["supervisor", "head"]},
                "closure_propose": {
                    "from": "working",
                    "requires": ["approved_plan"],
                    "to": {"done": "closure_proposed"},
                },
            },
        },
    )
    assert workflow_load(country="MD", folder=folder) == 1
    assert workflow_load(country="MD", folder=folder) == 0  # unchanged: no new version
    after = _open(specialist, "Maria")
    assert after["workflow"] == {"country": "MD", "version": 2}
    assert _detail(specialist, before["id"])["workflow"] == {"country": "MD", "version": 1}

    # The new version's rules hold for the new case only.
    assert _post(specialist, after, "meetings", MEETING).status_code == 403
    assert "meeting" in _detail(specialist, after["id"])["allowed_steps"]
    assert _post(supervisor, after, "meetings", MEETING).status_code == 200
    assert _post(specialist, before, "meetings", MEETING).status_code == 200

    refused = _post(supervisor, after, "close", {"reason": "risk_removed"})
    assert refused.status_code == 400
    assert "an approved plan" in json.dumps(refused.json())
    assert "closure_propose" not in _detail(supervisor, after["id"])["allowed_steps"]
    assert Case.objects.get(pk=after["id"]).stage == "initial_assessment"
    assert _post(specialist, before, "close", {"reason": "risk_removed"}).status_code == 200

    # The case page names the stage as the case's version of the workflow does.
    reader = personas["supervisor"]
    reader.language = "en"
    reader.save(update_fields=["language"])
    page = as_user(client, reader).get(f"/cases/{after['id']}/")
    assert page.status_code == 200
    assert "Initial assessment and protection interview" in page.content.decode()
    assert "workflow version 2" in page.content.decode()


def test_where_a_step_leads_is_the_packs(
    specialist: Any, client: Any, personas: dict[str, User], tmp_path: Path
) -> None:
    """A country whose plan needs no approval: the plan goes straight to its implementation."""
    folder = _pack(
        tmp_path,
        "MD",
        {
            "stages": [
                row
                for row in json.loads(
                    (PACKS_DIR / "md" / "workflow.json").read_text(encoding="utf-8")
                )["stages"]
                if row["code"] != "plan_approval"
            ],
            "steps": {
                "plan_submit": {"from": ["planning"], "to": {"done": "implementation"}},
                "plan_decide": None,
            },
        },
    )
    assert workflow_load(country="MD", folder=folder) == 1
    case = _open(specialist)
    Case.objects.filter(pk=case["id"]).update(stage="planning")
    detail = _detail(specialist, case["id"])
    assert "plan_decide" not in detail["allowed_steps"]
    submitted = _post(
        specialist,
        case,
        "plan",
        {"goals": "Safety at home", "actions": [], "next_review_due": None},
    )
    assert submitted.status_code == 200, submitted.json()
    assert _detail(specialist, case["id"])["stage"] == "implementation"
    page = as_user(client, personas["specialist"]).get(f"/cases/{case['id']}/")
    assert page.status_code == 200
    assert 'data-stage="implementation"' in page.content.decode()
    assert 'data-stage="plan_approval"' not in page.content.decode()


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        # Dropping the complex assessment leaves its legal deadline with nothing to meet it.
        (
            {"steps": {"complex_assessment": None}},
            "waits for a step this workflow does not have",
        ),
        ({"stages": [{"code": "triage"}, {"code": "closed", "final": True}]}, "triage"),
        (
            {"steps": {"plan_submit": {"from": ["planning"], "to": {"done": "nowhere"}}}},
            "nowhere",
        ),
        (
            {"steps": {"plan_submit": {"from": ["planning"], "to": {}}}},
            "needs the stage its outcome",
        ),
        ({"steps": {"visit": {"from": "open", "roles": ["janitor"]}}}, "roles"),
        (
            {
                "steps": {
                    "plan_decide": {
                        "from": ["plan_approval"],
                        "approval": True,
                        "to": {"approved": "plan_approval", "returned": "plan_approval"},
                    }
                }
            },
            "No step leads out of the stage",
        ),
    ],
)
def test_a_workflow_the_engine_could_not_run_is_refused_and_nothing_loaded(
    casework: None, tmp_path: Path, change: dict[str, Any], reason: str
) -> None:
    folder = _pack(tmp_path, "MD", change)
    versions = WorkflowVersion.objects.count()
    with translation.override("en"), pytest.raises(Invalid) as refused:
        workflow_load(country="MD", folder=folder)
    assert any(reason in message for message in refused.value.messages), refused.value.messages
    assert WorkflowVersion.objects.count() == versions


def test_cases_opened_before_the_pack_was_loaded_keep_its_first_version(
    specialist: Any,
) -> None:
    case = _open(specialist)
    # As on a system that ran before workflows were pack data: no version loaded, no case pinned.
    Case.objects.update(workflow_version=None)
    WorkflowVersion.objects.filter(country="MD").delete()
    assert _detail(specialist, case["id"])["workflow"] == {"country": "MD", "version": 0}
    assert packs_load(country="MD", units=False).workflow == 1
    assert Case.objects.get(pk=case["id"]).workflow_version is not None
    assert _detail(specialist, case["id"])["workflow"] == {"country": "MD", "version": 1}
