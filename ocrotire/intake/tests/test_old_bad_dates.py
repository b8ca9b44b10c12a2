"""A report dated year 1, written before the API bounded its dates (or straight into the
database), still opens: its page and its API answer, like the deadline watcher, do not fail."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client

from ocrotire.cases.tests.test_case_pages import REPORT
from ocrotire.intake.models import Report

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "received_at",
    [datetime(1, 1, 1, 0, 5, tzinfo=UTC), datetime(9999, 6, 1, tzinfo=UTC)],
)
def test_a_report_dated_outside_the_bounds_still_opens(
    api: Any, personas: dict[str, Any], casework: None, received_at: datetime
) -> None:
    client = api(personas["specialist"])
    response = client.post("/api/v1/reports/", REPORT, format="json")
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    Report.objects.filter(pk=pk).update(received_at=received_at)

    assert client.get(f"/api/v1/reports/{pk}/").status_code == 200
    browser = Client()
    browser.force_login(personas["specialist"])
    assert browser.get(f"/reports/{pk}/").status_code == 200
