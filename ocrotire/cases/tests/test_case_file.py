"""The case file as a PDF: what it holds for each reader, the watermark, the audit row and the
timeline line, who gets it (page and API), its file name, and a server that cannot draw PDF."""

from __future__ import annotations

import sys
from typing import Any

import pytest
from stdnum.md import idno

from ocrotire.accounts.models import Institution
from ocrotire.cases.casefile import case_file_filename, case_file_html
from ocrotire.cases.models import Case
from ocrotire.core.models import AuditEvent
from ocrotire.workflow.models import TimelineEvent

pytestmark = pytest.mark.django_db

IDNP = "201500012345" + idno.calc_check_digit("201500012345")
REPORT: dict[str, Any] = {
    "channel": "phone",
    "reporter": {"kind": "professional", "sector": "education", "name": "Diriginta"},
    "children": [
        {
            "given_name": "Ion",
            "family_name": "Rusu",
            "sex": "M",
            "birth_date": "2015-03-02",
            "identifiers": [{"scheme": "md_idnp", "value": IDNP}],
        }
    ],
    "concerns": ["physical", "neglect"],
    "most_serious": "physical",
    "immediate_danger": False,
    "unit": "MD-CU-BOT",
    "narrative": "The father hit him with a belt.",
}


@pytest.fixture(autouse=True)
def english(personas: dict[str, Any]) -> None:
    """The assertions read English sentences, whatever the catalogues translate later."""
    for user in personas.values():
        user.language = "en"
        user.first_name, user.last_name = "Maria", user.username.capitalize()
        user.save(update_fields=["language", "first_name", "last_name"])


def open_case(api: Any, user: Any, *, given: str = "Ion", identifiers: bool = True) -> Case:
    client = api(user)
    child = {**REPORT["children"][0], "given_name": given}
    if not identifiers:
        child.pop("identifiers")
    report = client.post("/api/v1/reports/", {**REPORT, "children": [child]}, format="json")
    assert report.status_code == 201, report.json()
    triaged = client.post(
        f"/api/v1/reports/{report.json()['id']}/triage/",
        {"decision": "open_case", "reason": "Injuries seen by the school", "risk_level": "high"},
        format="json",
    )
    assert triaged.status_code == 200, triaged.json()
    return Case.objects.get(pk=triaged.json()["cases"][0]["id"])


@pytest.fixture
def case(api: Any, personas: dict[str, Any], casework: None, mfa_off: None) -> Case:
    case = open_case(api, personas["specialist"])
    recorded = api(personas["specialist"]).post(
        f"/api/v1/cases/{case.pk}/assessments/",
        {
            "kind": "initial",
            "findings": "Old and new bruises on both arms.",
            "recommendation": "Complex assessment with the psychologist.",
            "risk_level": "high",
            "confirmed": "yes",
            "protection_interview_done": True,
        },
        format="json",
    )
    assert recorded.status_code == 200, recorded.json()
    case.refresh_from_db()
    return case


def prints(case: Case) -> tuple[int, int]:
    return (
        AuditEvent.objects.filter(
            action="export", object_type="cases.case", object_id=str(case.pk)
        ).count(),
        TimelineEvent.objects.filter(case=case, kind="case_file_printed").count(),
    )


def test_page_gives_a_pdf_and_records_who_printed_it(
    client: Any, personas: dict[str, Any], case: Case
) -> None:
    specialist = personas["specialist"]
    client.force_login(specialist)
    response = client.get(f"/cases/{case.pk}/file.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert response["Content-Disposition"] == f'attachment; filename="case-{case.number}.pdf"'
    audit = AuditEvent.objects.get(action="export", object_id=str(case.pk))
    assert (audit.actor_id, audit.object_type) == (specialist.pk, "cases.case")
    assert audit.changes == {"document": "case_file", "format": "pdf"}
    event = TimelineEvent.objects.get(case=case, kind="case_file_printed")
    assert event.actor_id == specialist.pk
    case_page = client.get(f"/cases/{case.pk}/").content.decode()
    assert f'href="/cases/{case.pk}/file.pdf"' in case_page
    assert "Print case file (PDF)" in case_page
    assert "The case file was printed as a PDF document." in case_page


def test_html_holds_the_case_and_the_watermark(personas: dict[str, Any], case: Case) -> None:
    html = case_file_html(actor=personas["specialist"], case=case)
    assert case.number in html
    assert "Printed by Maria Specialist (specialist) on" in html
    assert "— confidential" in html
    assert html.count("Printed by Maria Specialist") == 2  # the footer's line and the watermark
    assert 'class="watermark"' in html
    assert '@bottom-right { content: "Page " counter(page) " of " counter(pages);' in html
    # The child as the registry card shows them to a worker of the area.
    assert "Rusu Ion" in html
    assert IDNP in html
    assert "Botanica" in html
    # The report's facts, but not its narrative (the case page does not show it).
    report = case.reports.get()
    assert report.number in html
    reports = html.split('id="reports"')[1].split("</table>")[0]
    assert "Phone" in reports
    assert "Neglect" in reports
    assert "The father hit him" not in html
    # The assessment's encrypted fields, read as the case page reads them.
    assert "Old and new bruises on both arms." in html
    assert "Complex assessment with the psychologist." in html
    assert "Case opened from report" in html


def test_watermark_is_on_every_page(personas: dict[str, Any], case: Case) -> None:
    """A long file runs over several pages; each carries the watermark and the footer line."""
    from weasyprint import HTML

    for index in range(40):
        case.visits.create(
            visited_at=case.opened_at,
            kind="home",
            observations=f"Visit {index}: the child is at home, the mother was present.\n" * 4,
            author=personas["specialist"],
        )
    document = HTML(string=case_file_html(actor=personas["specialist"], case=case)).render()
    assert len(document.pages) > 2

    def text_of(box: Any) -> str:
        found = [getattr(box, "text", "")]
        for child in getattr(box, "children", []):
            found.append(text_of(child))
        return " ".join(found)

    pages = len(document.pages)
    for number, page in enumerate(document.pages, start=1):
        # WeasyPrint's layout boxes (a private attribute): the page's text with its margin boxes.
        text = text_of(page._page_box)
        assert text.count("Printed by Maria Specialist (specialist)") >= 2, text[:300]
        assert f"Page {number} of {pages}" in text


@pytest.mark.parametrize("who", ["specialist2", "provider"])
def test_those_who_cannot_open_the_case_get_404_and_nothing_is_recorded(
    client: Any, api: Any, personas: dict[str, Any], case: Case, make_user: Any, who: str
) -> None:
    user = personas.get(who) or make_user(
        who, ("provider",), (), Institution.objects.get(abbreviation="IGP")
    )
    client.force_login(user)
    assert client.get(f"/cases/{case.pk}/file.pdf").status_code == 404
    response = api(user).get(f"/api/v1/cases/{case.pk}/file.pdf")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert api(personas["specialist"]).get("/api/v1/cases/999999/file.pdf").status_code == 404
    assert prints(case) == (0, 0)


def test_an_account_without_a_role_is_refused_as_everywhere_else(
    client: Any, api: Any, personas: dict[str, Any], case: Case
) -> None:
    assert api(None).get(f"/api/v1/cases/{case.pk}/file.pdf").status_code == 401
    assert api(personas["outsider"]).get(f"/api/v1/cases/{case.pk}/file.pdf").status_code == 403
    assert client.get(f"/cases/{case.pk}/file.pdf").status_code == 302  # to the sign-in page
    client.force_login(personas["outsider"])
    assert client.get(f"/cases/{case.pk}/file.pdf").status_code == 403
    assert prints(case) == (0, 0)


def test_team_member_from_another_institution_prints_only_their_cases(
    api: Any, personas: dict[str, Any], case: Case, make_user: Any
) -> None:
    psychologist = make_user(
        "psychologist",
        ("provider",),
        (),
        Institution.objects.get(abbreviation="IGP"),
        first_name="Maria",
        last_name="Psychologist",
        language="en",
    )
    other = open_case(api, personas["specialist"], given="Ana", identifiers=False)
    added = api(personas["specialist"]).post(
        f"/api/v1/cases/{case.pk}/team/",
        {"user": psychologist.pk, "role": "psychologist"},
        format="json",
    )
    assert added.status_code == 200, added.json()
    member = api(psychologist)
    response = member.get(f"/api/v1/cases/{case.pk}/file.pdf")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    assert AuditEvent.objects.get(action="export", object_id=str(case.pk)).actor == psychologist
    assert member.get(f"/api/v1/cases/{other.pk}/file.pdf").status_code == 404
    assert prints(other) == (0, 0)
    # What the case page shows them: the records, but the child by name only and the reports
    # by number only (they cannot open the registry card or the report).
    html = case_file_html(actor=psychologist, case=case)
    assert "Printed by Maria Psychologist (psychologist)" in html
    assert "Old and new bruises on both arms." in html
    assert "Rusu Ion" in html
    assert IDNP not in html
    reports = html.split('id="reports"')[1].split("</table>")[0]
    assert case.reports.get().number in reports
    assert "Only the register keepers of the report's area see what it says." in reports
    assert "Phone" not in reports


def test_a_server_that_cannot_draw_pdf_answers_503_and_records_no_print(
    client: Any, api: Any, personas: dict[str, Any], case: Case, monkeypatch: Any
) -> None:
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # the import fails
    response = api(personas["specialist"]).get(
        f"/api/v1/cases/{case.pk}/file.pdf", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "pdf_unavailable"
    assert response.json()["error"]["message"] == "This server cannot draw PDF documents."
    client.force_login(personas["specialist"])
    page = client.get(f"/cases/{case.pk}/file.pdf")
    assert page.status_code == 503
    assert "This server cannot draw PDF documents." in page.content.decode()
    assert prints(case) == (0, 0)


def test_a_pdf_client_still_reads_errors_as_json(api: Any, personas: dict[str, Any]) -> None:
    response = api(personas["specialist"]).get(
        "/api/v1/cases/999999/file.pdf", HTTP_ACCEPT="application/pdf"
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    ("number", "filename"),
    [
        ("DGPDC-C-2026-000123", "case-DGPDC-C-2026-000123.pdf"),
        ("ССД/C 2026\\7", "case-ССД-C-2026-7.pdf"),
        ('../"x";\r\nX-Evil: 1', "case-x-X-Evil-1.pdf"),
        ("///", "case-5.pdf"),
    ],
)
def test_file_name_comes_from_the_sanitised_case_number(number: str, filename: str) -> None:
    assert case_file_filename(Case(pk=5, number=number)) == filename


def test_the_schema_names_the_operation(api: Any, personas: dict[str, Any]) -> None:
    schema = api(personas["admin"]).get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/cases/{id}/file.pdf"]["get"]
    assert operation["operationId"] == "v1_cases_file_pdf_retrieve"
    assert "application/pdf" in operation["responses"]["200"]["content"]
