"""A reporter files only in its own institution's name; the sector follows the institution."""

from __future__ import annotations

from typing import Any

import pytest

from ocrotire.core.models import AuditEvent
from ocrotire.intake.models import Report

pytestmark = pytest.mark.django_db


def _body(**reporter: Any) -> dict[str, Any]:
    return {
        "channel": "notification_form",
        "reporter": {"kind": "professional", **reporter},
        "children": [{"given_name": "Ion", "family_name": "Rusu", "sex": "M"}],
        "concerns": ["neglect"],
        "unit": "MD-CU-BOT",
        "narrative": "The child comes to school hungry every day.",
    }


@pytest.fixture
def counts() -> Any:
    return lambda: (Report.objects.count(), AuditEvent.objects.count())


def test_school_reporter_cannot_file_as_the_police(
    api: Any, personas: dict[str, Any], institutions: dict[str, Any], casework: None, counts: Any
) -> None:
    before = counts()
    response = api(personas["reporter"]).post(
        "/api/v1/reports/",
        _body(institution=institutions["IGP"].pk, sector="public_order"),
        format="json",
    )
    assert response.status_code == 400, response.json()
    assert "reporter" in response.json()["error"]["fields"]
    assert counts() == before


def test_school_reporter_cannot_claim_another_sector(
    api: Any, personas: dict[str, Any], institutions: dict[str, Any], casework: None, counts: Any
) -> None:
    before = counts()
    response = api(personas["reporter"]).post(
        "/api/v1/reports/", _body(sector="public_order"), format="json"
    )
    assert response.status_code == 400, response.json()
    assert "reporter" in response.json()["error"]["fields"]
    assert counts() == before


def test_school_reporter_files_for_its_school(
    api: Any, personas: dict[str, Any], institutions: dict[str, Any], casework: None
) -> None:
    client = api(personas["reporter"])
    for reporter in ({}, {"institution": institutions["SCH-BOT"].pk, "sector": "education"}):
        response = client.post("/api/v1/reports/", _body(**reporter), format="json")
        assert response.status_code == 201, response.json()
    reports = Report.objects.all()
    assert {(r.reporter_institution_id, r.reporter_sector) for r in reports} == {
        (institutions["SCH-BOT"].pk, "education")
    }


def test_specialist_records_a_call_from_an_institution_of_the_area(
    api: Any, personas: dict[str, Any], institutions: dict[str, Any], casework: None, counts: Any
) -> None:
    """A directorate records the reports others phone in: any institution it can see."""
    client = api(personas["specialist"])
    response = client.post(
        "/api/v1/reports/",
        {**_body(institution=institutions["SCH-BOT"].pk), "channel": "phone"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    report = Report.objects.get()
    assert report.reporter_sector == "education"
    before = counts()
    # A school of another sector of the city is outside a Botanica specialist's area.
    for reporter in (
        {"institution": institutions["SCH-CEN"].pk},
        {"institution": institutions["SCH-BOT"].pk, "sector": "health"},
    ):
        response = client.post(
            "/api/v1/reports/", {**_body(**reporter), "channel": "phone"}, format="json"
        )
        assert response.status_code == 400, response.json()
        assert "reporter" in response.json()["error"]["fields"]
    assert counts() == before
