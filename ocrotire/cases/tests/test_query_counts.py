"""N+1 guards for the lists of the API: the SQL queries of a page are a fixed number, whatever the
number of cases, reports, tasks and filters, and within a budget."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ocrotire.cases.tests.test_api import _open_case, report_body
from ocrotire.workflow.tasks import overdue_scan

pytestmark = pytest.mark.django_db

# Authentication and scope (3), then the count, the page's ids, its rows and their steps.
CASE_LIST_QUERIES = 7
REPORT_LIST_QUERIES = 12


def _queries(client: Any, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, response.content
    return len(captured.captured_queries)


@pytest.fixture
def specialist_api(api: Any, personas: dict[str, Any], casework: None) -> Any:
    return api(personas["specialist"])


def _many_cases(client: Any, count: int, first: int = 0) -> list[dict[str, Any]]:
    names = ["Ana", "Vasile", "Elena", "Mihai", "Ion", "Maria"]
    return [
        _open_case(
            client,
            children=[
                {
                    "given_name": names[index % len(names)],
                    "family_name": "Lungu",
                    "birth_date": f"201{index}-03-1{index}",
                }
            ],
        )
        for index in range(first, first + count)
    ]


PATHS = [
    "/api/v1/cases/",
    "/api/v1/cases/?open=true",
    "/api/v1/cases/?open=true&risk_level=high",
    "/api/v1/cases/?stage=initial_assessment",
    "/api/v1/cases/?search=Lungu",
    "/api/v1/cases/?page_size=1&page=2",
]


def test_case_list_queries_are_fixed_and_within_budget(specialist_api: Any) -> None:
    first = _many_cases(specialist_api, 2)
    before = {path: _queries(specialist_api, path) for path in PATHS}
    _many_cases(specialist_api, 4, first=2)
    for _ in range(2):
        specialist_api.post(
            f"/api/v1/cases/{first[0]['id']}/visits/",
            {"kind": "phone", "observations": "Called"},
            format="json",
        )
    overdue_scan(now=timezone.now() + timedelta(days=60))
    after = {path: _queries(specialist_api, path) for path in PATHS}
    assert after == before
    assert max(after.values()) <= CASE_LIST_QUERIES, after
    number = first[1]["number"]
    assert _queries(specialist_api, f"/api/v1/cases/?search={number}") <= CASE_LIST_QUERIES


def test_case_list_page_keeps_order_and_counts_overdue_steps(specialist_api: Any) -> None:
    cases = _many_cases(specialist_api, 3)
    overdue_scan(now=timezone.now() + timedelta(days=60))
    page = specialist_api.get("/api/v1/cases/?page_size=2").json()
    assert page["count"] == 3
    assert [c["id"] for c in page["results"]] == [c["id"] for c in reversed(cases)][:2]
    assert all(isinstance(c["overdue"], int) for c in page["results"])
    assert all(c["tasks"] for c in page["results"])
    second = specialist_api.get("/api/v1/cases/?page_size=2&page=2").json()
    assert [c["id"] for c in second["results"]] == [cases[0]["id"]]
    found = specialist_api.get(f"/api/v1/cases/?search={cases[1]['number'].lower()}").json()
    assert [c["id"] for c in found["results"]] == [cases[1]["id"]]


def test_report_list_queries_are_fixed_and_within_budget(specialist_api: Any) -> None:
    _many_cases(specialist_api, 2)
    paths = ["/api/v1/reports/", "/api/v1/reports/?search=Lungu", "/api/v1/reports/?status=new"]
    before = {path: _queries(specialist_api, path) for path in paths}
    _many_cases(specialist_api, 4, first=2)
    after = {path: _queries(specialist_api, path) for path in paths}
    assert after == before
    assert max(after.values()) <= REPORT_LIST_QUERIES, after


# The idempotency key, the unit, the ids of the units in the filer's area, the child, the
# concerns, the authority; the report, its concerns
# and children; the timeline event, its rules and tasks; then the number, the audit row and the
# idempotency record, and four savepoint statements: nothing is read back.
REPORT_CREATE_QUERIES = 21


def test_report_creation_queries_are_within_budget(specialist_api: Any) -> None:
    first = specialist_api.post("/api/v1/reports/", report_body(), format="json").json()
    child = first["children"][0]["person"]
    body = report_body(
        children=[{"person": child}],
        agencies=[{"agency": "police", "notified_at": "2026-11-30T08:15:00Z", "note": "Sector 3"}],
    )
    with CaptureQueriesContext(connection) as captured:
        response = specialist_api.post(
            "/api/v1/reports/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1"
        )
    assert response.status_code == 201, response.json()
    # The agencies notified are one insert, and each a timeline event (its tasks, its rules).
    assert len(captured.captured_queries) <= REPORT_CREATE_QUERIES + 4, "\n".join(
        q["sql"][:90] for q in captured.captured_queries
    )


def test_report_creation_answers_what_a_read_gives(specialist_api: Any) -> None:
    """The answer to the filing is built from what the service wrote, not read back: it must
    be the report exactly as the next read shows it."""
    first = specialist_api.post("/api/v1/reports/", report_body(), format="json").json()
    body = report_body(
        children=[
            {"person": first["children"][0]["person"]},
            {"given_name": "Ana", "family_name": "Rusu", "sex": "F", "birth_date": "2017-06-09"},
        ],
        agencies=[{"agency": "police", "notified_at": "2026-11-30T08:15:00Z", "note": "Sector 3"}],
        form_received_at="2026-11-30T09:00:00Z",
    )
    created = specialist_api.post("/api/v1/reports/", body, format="json")
    assert created.status_code == 201, created.json()
    read = specialist_api.get(f"/api/v1/reports/{created.json()['id']}/").json()
    assert {key: read[key] for key in created.json()} == created.json()
    assert not created.json()["number"].startswith("~")


def test_search_by_name_finds_the_same_cases_when_the_term_names_many_children(
    specialist_api: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ocrotire.registry import selectors

    cases = _many_cases(specialist_api, 3)
    listed = specialist_api.get("/api/v1/cases/?search=lungu").json()
    assert {c["id"] for c in listed["results"]} == {c["id"] for c in cases}
    # A term naming more children than the id list may hold is searched through a subquery.
    monkeypatch.setattr(selectors, "SEARCH_CHILDREN_LIMIT", 1)
    again = specialist_api.get("/api/v1/cases/?search=lungu").json()
    assert again == listed


def test_keyset_pages_read_the_whole_list_in_the_same_order(specialist_api: Any) -> None:
    _many_cases(specialist_api, 5)
    by_number = specialist_api.get("/api/v1/cases/?page_size=50").json()
    expected = [c["id"] for c in by_number["results"]]
    assert len(expected) == 5
    first = specialist_api.get("/api/v1/cases/?page_size=2").json()
    # Page-number pages link by number; a cursor taken from any row starts keyset paging.
    from ocrotire.api.pagination import cursor_of
    from ocrotire.cases.models import Case

    top = Case.objects.get(pk=first["results"][0]["id"])
    seen = [top.pk]
    url = f"/api/v1/cases/?page_size=2&after={cursor_of(top.opened_at, top.pk)}"
    pages = 0
    while url:
        with CaptureQueriesContext(connection) as captured:
            page = specialist_api.get(url).json()
        assert len(captured.captured_queries) <= CASE_LIST_QUERIES
        assert page["count"] == 5
        seen += [c["id"] for c in page["results"]]
        url = page["next"]
        pages += 1
    assert seen == expected
    assert pages == 2
    # And back: `previous` of a keyset page leads to the rows before it, in the same order.
    last_page = specialist_api.get(
        f"/api/v1/cases/?page_size=2&after={cursor_of(top.opened_at, top.pk)}"
    ).json()
    back = specialist_api.get(last_page["previous"]).json()
    assert [c["id"] for c in back["results"]] == expected[:1]
    assert back["previous"] is None


@pytest.mark.parametrize(
    "query",
    ["after=nonsense", "before=%%%", "after=MjAyNi0wMS0wMXwx", "after=eHx5", "after=a&before=b"],
)
def test_a_bad_cursor_is_a_clear_400(specialist_api: Any, query: str) -> None:
    response = specialist_api.get(f"/api/v1/cases/?{query}")
    assert response.status_code == 400, response.content
    assert set(response.json()["error"]["fields"]) & {"after", "before"}
