"""Official forms as data: every pack's forms load as versioned rows; a case step shows its
country's form, checks its answers on the server (a page message beside the question, an API
400 naming it) and keeps the version filled; an administrator's new question makes a new version
that the next assessment shows and the export carries, while an older record keeps its own."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from ocrotire.accounts.models import User
from ocrotire.cases.casefile import case_file_html
from ocrotire.cases.models import Assessment, Case, Plan
from ocrotire.cases.triage import TriageInput, report_triage
from ocrotire.core.models import AuditEvent
from ocrotire.dataforms.models import FormDefinition, FormVersion
from ocrotire.dataforms.services import FieldInput, form_field_add, forms_load
from ocrotire.dataforms.spec import definition_errors, json_schema
from ocrotire.geo.models import Unit
from ocrotire.intake.services import ChildInput, ReportInput, report_create
from ocrotire.registry.services import PersonInput

pytestmark = pytest.mark.django_db

NAMES = {"ro": "Școala", "uk": "Школа", "ru": "Школа", "en": "School attended"}


@pytest.fixture
def md_forms(casework: None, personas: dict[str, User]) -> None:
    forms_load(country="MD")
    # The assertions read English sentences, whatever the catalogues translate later.
    for user in personas.values():
        user.language = "en"
        user.save(update_fields=["language"])


def case_opened(actor: User, unit: Unit | str, given: str = "Ion", family: str = "Rusu") -> Case:
    """A case opened the way staff open one: a report filed, then triaged (also used by the
    observation sheet's tests)."""
    if isinstance(unit, str):
        unit = Unit.objects.get(code=unit)
    received = timezone.now() - timedelta(hours=2)
    report = report_create(
        actor=actor,
        data=ReportInput(
            channel="online",
            reporter_kind="citizen",
            unit=unit,
            narrative="The neighbour hears the child being beaten.",
            concerns=["physical"],
            children=[
                ChildInput(
                    new=PersonInput(
                        given_name=given, family_name=family, sex="M", birth_date=date(2015, 3, 2)
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
        data=TriageInput(decision="open_case", reason="Injuries", risk_level="high", at=received),
    )
    return report.cases.get()


INITIAL = {
    "kind": "initial",
    "findings": "Bruises on both arms.",
    "risk_level": "high",
    "confirmed": "yes",
}


def test_every_pack_form_loads_named_in_four_languages_and_reloads_to_nothing(
    territory: dict[str, Unit],
) -> None:
    for country in ("MD", "RO", "UA", "KG"):
        assert forms_load(country=country) >= 3
        assert forms_load(country=country) == 0
    steps = set(FormDefinition.objects.values_list("country", "step").exclude(step="").distinct())
    for country in ("MD", "RO", "UA", "KG"):
        for step in ("initial_assessment", "complex_assessment", "plan_submit"):
            assert (country, step) in steps
    for version in FormVersion.objects.all():
        assert definition_errors(version.sections) == []
        assert json_schema(version.sections)["$schema"].endswith("2020-12/schema")
    complex_md = FormVersion.objects.get(
        definition__country="MD", definition__code="complex_assessment"
    )
    assert [s["key"] for s in complex_md.sections] == [
        "safety",
        "health",
        "education",
        "family",
        "emotional",
        "identity",
        "self_care",
        "basic_needs",
    ]
    sheet = FormVersion.objects.get(definition__country="RO", definition__code="observation_sheet")
    sections = {s["key"]: s for s in sheet.sections}
    assert list(sections) == [
        "header",
        "economic",
        "social",
        "health",
        "education",
        "housing",
        "risk_behaviour",
    ]
    # Sections 1-2 were read at the source; the items of 3-6 were not.
    assert all(f["verified"] for f in sections["economic"]["fields"])
    assert not any(f["verified"] for f in sections["health"]["fields"])


def test_api_keeps_the_answers_with_the_version_and_names_a_wrong_answer(
    api: Any, personas: dict[str, User], territory: dict[str, Unit], md_forms: None
) -> None:
    specialist = personas["specialist"]
    client = api(specialist)
    case = case_opened(specialist, territory["MD-CU-BOT"])
    url = f"/api/v1/cases/{case.pk}/assessments/"
    before = Assessment.objects.count()
    wrong = client.post(
        url,
        {**INITIAL, "answers": {"danger": {"threat_to_life": "maybe"}, "harm": {"nope": 1}}},
        format="json",
    )
    assert wrong.status_code == 400
    fields = wrong.json()["error"]["fields"]
    assert set(fields) == {"answers.danger.threat_to_life", "answers.harm.nope"}
    assert Assessment.objects.count() == before
    answers = {
        "interview": {"held": True, "held_on": "2026-03-02", "child_wishes": "To stay home."},
        "harm": {"forms": ["physical", "neglect"], "most_serious": "physical"},
    }
    done = client.post(url, {**INITIAL, "answers": answers}, format="json")
    assert done.status_code == 200, done.json()
    kept = Assessment.objects.get(case=case)
    assert kept.form_version is not None
    assert kept.form_version.definition.code == "initial_assessment"
    assert kept.answers == answers
    # The complex assessment's domain score is checked against its range.
    out_of_range = client.post(
        url,
        {
            "kind": "complex",
            "findings": "x",
            "risk_level": "medium",
            "confirmed": "yes",
            "answers": {"safety": {"risk_score": 7}},
        },
        format="json",
    )
    assert out_of_range.status_code == 400
    assert list(out_of_range.json()["error"]["fields"]) == ["answers.safety.risk_score"]


def test_api_without_answers_keeps_no_form(
    api: Any, personas: dict[str, User], territory: dict[str, Unit], md_forms: None
) -> None:
    specialist = personas["specialist"]
    case = case_opened(specialist, territory["MD-CU-BOT"])
    response = api(specialist).post(f"/api/v1/cases/{case.pk}/assessments/", INITIAL, format="json")
    assert response.status_code == 200
    assessment = Assessment.objects.get(case=case)
    assert (assessment.form_version, assessment.answers) == (None, {})


def _page_post(client: Any, case: Case, extra: dict[str, Any]) -> Any:
    case.refresh_from_db()
    body = {
        "version": case.version,
        "findings": "Bruises on both arms.",
        "risk_level": "high",
        "confirmed": "yes",
        "needs": "",
        **extra,
    }
    return client.post(f"/cases/{case.pk}/steps/initial_assessment/", body)


def _export(client: Any) -> list[list[str]]:
    response = client.get("/analytics/exports/new/?kind=assessments&format=csv")
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_admin_adds_a_question_that_the_next_assessment_shows_and_the_export_carries(
    client: Any,
    mfa_off: None,
    personas: dict[str, User],
    territory: dict[str, Unit],
    md_forms: None,
) -> None:
    specialist, admin = personas["specialist"], personas["admin"]
    client.force_login(specialist)
    first = case_opened(specialist, territory["MD-CU-BOT"], "Ion")
    page = client.get(f"/cases/{first.pk}/steps/initial_assessment/").content.decode()
    assert "Protection interview" in page
    assert "Forms found" in page
    assert "School attended" not in page
    saved = _page_post(client, first, {"answers.interview.held": "yes"})
    assert saved.status_code == 302
    old = Assessment.objects.get(case=first)
    assert old.answers == {"interview": {"held": True}}
    v1 = old.form_version
    assert v1 is not None

    # The administrator adds a required list question on the forms' page.
    client.force_login(admin)
    definition = v1.definition
    detail = client.get(f"/forms/{definition.pk}/")
    assert detail.status_code == 200
    assert "Protection interview" in detail.content.decode()
    refused = client.post(
        f"/forms/{definition.pk}/",
        {"version": v1.number, "section": "interview", "type": "choice", "name_en": "School"},
    )
    assert refused.status_code == 200
    assert "Give the question" in refused.content.decode() or "required" in (
        refused.content.decode()
    )
    assert FormVersion.objects.filter(definition=definition).count() == 1
    added = client.post(
        f"/forms/{definition.pk}/",
        {
            "version": v1.number,
            "section": "__new__",
            **{f"section_name_{c}": f"Școala {c}" for c in ("ro", "uk", "ru")},
            "section_name_en": "Schooling",
            "type": "choice",
            "required": "on",
            **{f"name_{c}": v for c, v in NAMES.items()},
            "choices": "Da | Так | Да | Yes, regularly\nNu | Ні | Нет | Not at all",
        },
    )
    assert added.status_code == 302, added.content.decode()
    v2 = FormVersion.objects.get(definition=definition, number=v1.number + 1)
    assert v2.created_by == admin
    assert AuditEvent.objects.filter(
        object_type="dataforms.formdefinition", object_id=str(definition.pk)
    ).exists()
    schooling = v2.sections[-1]
    question = schooling["fields"][0]
    assert question["required"]
    assert question["type"] == "choice"

    # The next assessment shows it, requires it, and keeps the new version.
    client.force_login(specialist)
    second = case_opened(specialist, territory["MD-CU-BOT"], "Vasile")
    page = client.get(f"/cases/{second.pk}/steps/initial_assessment/").content.decode()
    assert "School attended" in page
    assert "Schooling" in page
    assert "Yes, regularly" in page
    name = f"answers.{schooling['key']}.{question['key']}"
    missing = _page_post(client, second, {})
    assert missing.status_code == 200
    assert "This field is required." in missing.content.decode()
    assert not Assessment.objects.filter(case=second).exists()
    value = question["choices"][0]["value"]
    assert _page_post(client, second, {name: value}).status_code == 302
    new = Assessment.objects.get(case=second)
    assert new.form_version == v2
    assert new.answers == {schooling["key"]: {question["key"]: value}}

    # The export has a column for the question, the answer named, never its value.
    rows = _export(client)
    header = rows[0]
    column = next(i for i, h in enumerate(header) if h.endswith("Schooling: School attended"))
    by_child = {row[1]: row for row in rows[1:]}
    assert by_child["Rusu Vasile"][column] == "Yes, regularly"
    assert by_child["Rusu Ion"][column] == ""

    # The older record still shows with its own version; the newer with the new one.
    old_page = client.get(f"/cases/{first.pk}/").content.decode()
    assert f'data-form-version="{v1.number}"' in old_page
    new_page = client.get(f"/cases/{second.pk}/").content.decode()
    assert f'data-form-version="{v2.number}"' in new_page
    assert "Yes, regularly" in new_page
    assert "Yes, regularly" in case_file_html(actor=specialist, case=second)


def test_a_pack_change_keeps_the_questions_the_administrators_added(
    personas: dict[str, User], md_forms: None, monkeypatch: Any
) -> None:
    definition = FormDefinition.objects.get(country="MD", code="plan")
    version = form_field_add(
        actor=personas["admin"],
        definition=definition,
        version=1,
        data=FieldInput(type="yesno", names=NAMES, section="plan"),
    )
    from ocrotire.dataforms import services

    original = services._pack_forms

    def changed(country: str) -> dict[str, Any]:
        forms = original(country)
        forms["plan"]["sections"][0]["fields"] = forms["plan"]["sections"][0]["fields"][:1]
        return forms

    monkeypatch.setattr(services, "_pack_forms", changed)
    assert forms_load(country="MD") == 1
    latest = definition.versions.order_by("-number").first()
    assert latest is not None
    assert latest.number == version.number + 1
    keys = [f["key"] for f in latest.sections[0]["fields"]]
    assert keys == [latest.sections[0]["fields"][0]["key"], "school_attended"]


def test_plan_keeps_its_form_answers(
    api: Any, personas: dict[str, User], territory: dict[str, Unit], md_forms: None
) -> None:
    specialist = personas["specialist"]
    client = api(specialist)
    case = case_opened(specialist, territory["MD-CU-BOT"])
    url = f"/api/v1/cases/{case.pk}"
    for kind in ("initial", "complex"):
        assert (
            client.post(f"{url}/assessments/", {**INITIAL, "kind": kind}, format="json")
        ).status_code == 200
    wrong = client.post(
        f"{url}/plan/",
        {"goals": "Safe at home", "answers": {"plan": {"review_months": 0}}},
        format="json",
    )
    assert list(wrong.json()["error"]["fields"]) == ["answers.plan.review_months"]
    done = client.post(
        f"{url}/plan/",
        {"goals": "Safe at home", "answers": {"plan": {"review_months": 3}}},
        format="json",
    )
    assert done.status_code == 200, done.json()
    plan = Plan.objects.get(case=case)
    assert plan.answers == {"plan": {"review_months": 3}}
    assert plan.form_version is not None
    assert plan.form_version.definition.step == "plan_submit"


@pytest.mark.parametrize("who", ["specialist", "supervisor", "auditor", "specialist_ua"])
def test_only_administrators_and_heads_of_the_country_change_forms(
    client: Any, mfa_off: None, personas: dict[str, User], md_forms: None, who: str
) -> None:
    definition = FormDefinition.objects.get(country="MD", code="initial_assessment")
    count = FormVersion.objects.count()
    client.force_login(personas[who])
    assert client.get("/forms/").status_code == 403
    body = {"version": 1, "section": "interview", "type": "yesno"}
    body.update({f"name_{c}": v for c, v in NAMES.items()})
    assert client.post(f"/forms/{definition.pk}/", body).status_code in (403, 404)
    assert FormVersion.objects.count() == count


def test_a_head_changes_the_forms_of_their_own_country_only(
    client: Any, mfa_off: None, make_user: Any, md_forms: None
) -> None:
    forms_load(country="UA")
    head = make_user("head_ua", ("head",), ("UA-74",), language="en")
    client.force_login(head)
    listed = client.get("/forms/").content.decode()
    assert "Individual plan of social protection of the child" in listed
    assert "Individual assistance plan (PIA)" not in listed
    md = FormDefinition.objects.get(country="MD", code="plan")
    assert client.get(f"/forms/{md.pk}/").status_code == 404
    ua = FormDefinition.objects.get(country="UA", code="plan")
    assert client.get(f"/forms/{ua.pk}/").status_code == 200


def test_a_new_form_is_made_on_the_page(
    client: Any, mfa_off: None, personas: dict[str, User], md_forms: None
) -> None:
    client.force_login(personas["admin"])
    body = {"country": "MD", "step": ""}
    body.update({f"name_{c}": f"Fișa {c}" for c in ("ro", "uk", "ru", "en")})
    response = client.post("/forms/", body)
    assert response.status_code == 302
    made = FormDefinition.objects.get(country="MD", names__en="Fișa en")
    assert made.versions.get().sections == []
    taken = {**body, "step": "initial_assessment", "name_en": "Another"}
    refused = client.post("/forms/", taken)
    assert refused.status_code == 200
    assert "This step already shows a form of this country." in refused.content.decode()


def test_a_stale_version_is_a_conflict(personas: dict[str, User], md_forms: None) -> None:
    from ocrotire.core.errors import Conflict

    definition = FormDefinition.objects.get(country="MD", code="plan")
    data = FieldInput(type="yesno", names=NAMES, section="plan")
    form_field_add(actor=personas["admin"], definition=definition, version=1, data=data)
    with pytest.raises(Conflict):
        form_field_add(actor=personas["admin"], definition=definition, version=1, data=data)


def test_answers_are_encrypted_at_rest_and_rotate_with_the_keys(
    api: Any, personas: dict[str, User], territory: dict[str, Unit], md_forms: None, settings: Any
) -> None:
    """What a child said in the protection interview is as sensitive as the findings: the
    answers are stored encrypted like them, read back whole, and move to a new key."""
    from cryptography.fernet import Fernet
    from django.db import connection

    from ocrotire.core.crypto import field_keys
    from ocrotire.core.key_rotation import field_keys_rotate

    specialist = personas["specialist"]
    case = case_opened(specialist, territory["MD-CU-BOT"])
    answers = {"interview": {"held": True, "child_wishes": "Să rămână acasă cu bunica."}}
    done = api(specialist).post(
        f"/api/v1/cases/{case.pk}/assessments/", {**INITIAL, "answers": answers}, format="json"
    )
    assert done.status_code == 200, done.json()
    kept = Assessment.objects.get(case=case)

    def stored() -> str:
        with connection.cursor() as cursor:
            cursor.execute("SELECT answers FROM cases_assessment WHERE id = %s", [kept.pk])
            return str(cursor.fetchone()[0])

    first = stored()
    assert first.startswith("enc1:")
    assert "bunica" not in first
    assert "child_wishes" not in first
    assert Assessment.objects.get(pk=kept.pk).answers == answers
    settings.OCROTIRE_FIELD_KEYS = [Fernet.generate_key().decode(), *field_keys()]
    assert field_keys_rotate().by_field.get("cases.assessment.answers") == 1
    assert stored() != first
    assert Assessment.objects.get(pk=kept.pk).answers == answers
