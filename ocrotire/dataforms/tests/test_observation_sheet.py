"""Romania's observation sheet (fișa de observație, HG 691/2015) is filled on a case's visit: the
visit page shows its questions, the API checks the answers as it checks an assessment's, the
visit keeps the version filled, and the case page, the case file, the API records and the
"visits" export show them. An administrator's new question appears on the next visit. A
Moldovan visit has no form, as before."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from ocrotire.accounts.models import User
from ocrotire.cases.casefile import case_file_html
from ocrotire.cases.models import Visit
from ocrotire.dataforms.models import FormDefinition, FormVersion
from ocrotire.dataforms.services import forms_load
from ocrotire.dataforms.tests.test_forms import case_opened
from ocrotire.geo.models import Unit
from ocrotire.geo.services import UnitSpec, unit_upsert
from ocrotire.intake.services import concerns_load
from ocrotire.workflow.deadlines import rules_load

pytestmark = pytest.mark.django_db

NAMES = {"ro": "Apă curentă", "uk": "Водопровід", "ru": "Водопровод", "en": "Running water"}
VISIT = {"kind": "home", "observations": "The family was at home; the child was calm."}
SHEET = {
    "header": {"head_of_household": "Maria Popa", "completed_on": "2026-03-02"},
    "economic": {"poverty": True, "benefits": False},
    "risk_behaviour": {"observed": True, "notes": "Alcohol in the house."},
}


@pytest.fixture
def specialist_ro(make_user: Any, casework: None, personas: dict[str, User], mfa_off: None) -> User:
    """A specialist of Bacău county, with the Romanian pack's rules, concerns and forms (and
    the Moldovan forms, for the visit that has none)."""
    unit_upsert(actor=None, spec=UnitSpec("RO", "country", "România", iso_code="RO"))
    unit_upsert(actor=None, spec=UnitSpec("RO-BC", "region", "Bacău", "RO", iso_code="RO-BC"))
    rules_load(country="RO")
    concerns_load(country="RO")
    forms_load(country="RO")
    forms_load(country="MD")
    for persona in personas.values():
        persona.language = "en"
        persona.save(update_fields=["language"])
    user: User = make_user("specialist_ro", ("specialist",), ("RO-BC",), language="en")
    return user


def _export(client: Any) -> list[list[str]]:
    response = client.get("/analytics/exports/new/?kind=visits&format=csv")
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_the_pack_ties_the_sheet_to_the_visit_in_romania_only(specialist_ro: User) -> None:
    sheet = FormDefinition.objects.get(country="RO", code="observation_sheet")
    assert sheet.step == "visit"
    for country in ("UA", "KG"):
        forms_load(country=country)
    assert set(FormDefinition.objects.filter(step="visit").values_list("country", flat=True)) == {
        "RO"
    }


def test_a_romanian_visit_keeps_the_sheet_and_shows_it_everywhere(
    api: Any, client: Any, specialist_ro: User
) -> None:
    case = case_opened(specialist_ro, "RO-BC", family="Popa")
    page = client
    page.force_login(specialist_ro)
    form_page = page.get(f"/cases/{case.pk}/steps/visit/").content.decode()
    assert "Head of household" in form_page
    assert 'name="answers.economic.poverty"' in form_page

    rest = api(specialist_ro)
    url = f"/api/v1/cases/{case.pk}/visits/"
    wrong = rest.post(
        url,
        {**VISIT, "answers": {"economic": {"poverty": "maybe"}, "nowhere": {"x": 1}}},
        format="json",
    )
    assert wrong.status_code == 400
    assert set(wrong.json()["error"]["fields"]) == {
        "answers.economic.poverty",
        "answers.nowhere.x",
    }
    assert not Visit.objects.filter(case=case).exists()

    done = rest.post(url, {**VISIT, "answers": SHEET}, format="json")
    assert done.status_code == 200, done.json()
    visit = Visit.objects.get(case=case)
    assert visit.form_version == FormVersion.objects.get(
        definition__country="RO", definition__code="observation_sheet"
    )
    assert visit.answers == SHEET

    # The API's records.
    records = rest.get(f"/api/v1/cases/{case.pk}/").json()["records"]["visits"]
    assert [(r["form_version"], r["answers"]) for r in records] == [(visit.form_version_id, SHEET)]
    # The case page and the case file, in the version filled.
    html = page.get(f"/cases/{case.pk}/").content.decode()
    assert f'data-form-version="{visit.form_version.number}"' in html
    assert "Observation sheet" in html
    assert "Maria Popa" in html
    case_file = case_file_html(actor=specialist_ro, case=case)
    assert "Observation sheet" in case_file
    assert "Maria Popa" in case_file

    # The export: one column per question, the answer named; a long text is left out.
    rows = _export(page)
    header = rows[0]
    assert header[:7] == [
        "Case",
        "Child",
        "Kind",
        "Visited at",
        "Risk level after the visit",
        "Form",
        "Form version",
    ]
    assert not any(h.endswith("What was observed") for h in header)
    poverty = next(i for i, h in enumerate(header) if h.endswith("Economic situation: Poverty"))
    household = header.index("Observation sheet: General data: Head of household")
    assert len(rows) == 2
    assert rows[1][poverty] == "Yes"
    assert rows[1][household] == "Maria Popa"
    assert "Alcohol in the house." not in "".join(rows[1])


def test_the_page_checks_the_sheet_beside_its_question(client: Any, specialist_ro: User) -> None:
    case = case_opened(specialist_ro, "RO-BC", family="Popa")
    client.force_login(specialist_ro)
    body = {
        "version": case.version,
        **VISIT,
        "visited_at": "",
        "answers.header.completed_on": "not a date",
    }
    refused = client.post(f"/cases/{case.pk}/steps/visit/", body)
    assert refused.status_code == 200
    assert "Enter a valid date." in refused.content.decode()
    assert not Visit.objects.filter(case=case).exists()
    body["answers.header.completed_on"] = "2026-03-02"
    body["answers.economic.unemployed"] = "yes"
    saved = client.post(f"/cases/{case.pk}/steps/visit/", body)
    assert saved.status_code == 302, saved.content.decode()
    visit = Visit.objects.get(case=case)
    assert visit.answers["header"] == {"completed_on": "2026-03-02"}
    assert visit.answers["economic"]["unemployed"] is True


def test_a_moldovan_visit_has_no_form_as_before(
    api: Any,
    client: Any,
    personas: dict[str, User],
    territory: dict[str, Unit],
    specialist_ro: User,
) -> None:
    specialist = personas["specialist"]
    case = case_opened(specialist, territory["MD-CU-BOT"], family="Popa")
    client.force_login(specialist)
    page = client.get(f"/cases/{case.pk}/steps/visit/").content.decode()
    assert "answers." not in page
    rest = api(specialist)
    url = f"/api/v1/cases/{case.pk}/visits/"
    refused = rest.post(url, {**VISIT, "answers": SHEET}, format="json")
    assert refused.status_code == 400
    assert list(refused.json()["error"]["fields"]) == ["answers"]
    assert not Visit.objects.filter(case=case).exists()
    done = rest.post(url, VISIT, format="json")
    assert done.status_code == 200, done.json()
    visit = Visit.objects.get(case=case)
    assert (visit.form_version, visit.answers) == (None, {})
    records = rest.get(f"/api/v1/cases/{case.pk}/").json()["records"]["visits"]
    assert [(r["form_version"], r["answers"]) for r in records] == [(None, {})]
    assert 'data-record="visit"' in client.get(f"/cases/{case.pk}/").content.decode()
    assert _export(client)[1:] == []


def test_an_administrators_question_appears_on_the_next_visit(
    api: Any, client: Any, personas: dict[str, User], specialist_ro: User
) -> None:
    first = case_opened(specialist_ro, "RO-BC", "Ion", family="Popa")
    rest = api(specialist_ro)
    assert (
        rest.post(f"/api/v1/cases/{first.pk}/visits/", {**VISIT, "answers": SHEET}, format="json")
    ).status_code == 200
    v1 = Visit.objects.get(case=first).form_version
    assert v1 is not None

    client.force_login(personas["admin"])
    added = client.post(
        f"/forms/{v1.definition_id}/",
        {
            "version": v1.number,
            "section": "housing",
            "type": "yesno",
            "required": "on",
            **{f"name_{c}": v for c, v in NAMES.items()},
        },
    )
    assert added.status_code == 302, added.content.decode()
    v2 = FormVersion.objects.get(definition=v1.definition, number=v1.number + 1)
    question = v2.sections[[s["key"] for s in v2.sections].index("housing")]["fields"][-1]
    assert question["required"]

    client.force_login(specialist_ro)
    second = case_opened(specialist_ro, "RO-BC", "Vasile", family="Popa")
    assert "Running water" in client.get(f"/cases/{second.pk}/steps/visit/").content.decode()
    url = f"/api/v1/cases/{second.pk}/visits/"
    missing = rest.post(url, {**VISIT, "answers": SHEET}, format="json")
    assert missing.status_code == 400
    assert list(missing.json()["error"]["fields"]) == [f"answers.housing.{question['key']}"]
    answers = {**SHEET, "housing": {question["key"]: True}}
    assert rest.post(url, {**VISIT, "answers": answers}, format="json").status_code == 200
    assert Visit.objects.get(case=second).form_version == v2
    # The first visit keeps its own version.
    assert Visit.objects.get(case=first).form_version == v1
    rows = _export(client)
    column = rows[0].index("Observation sheet: Housing conditions: Running water")
    by_child = {row[1]: row for row in rows[1:]}
    assert by_child["Popa Vasile"][column] == "Yes"
    assert by_child["Popa Ion"][column] == ""
