"""Register pages: list, intake (full, anonymous, short reporter form), validation, the report card,
triage, attachments, and what a reporter may see of what they filed."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from ocrotire.cases.models import Case
from ocrotire.cases.triage import TriageInput, report_triage
from ocrotire.core.models import AuditEvent
from ocrotire.intake.models import Report, ReportAttachment, ReportStatus
from ocrotire.intake.services import (
    ChildInput,
    ReportInput,
    report_create,
)
from ocrotire.registry.models import Person
from ocrotire.registry.services import PersonInput, person_create

pytestmark = pytest.mark.django_db


def _report(personas, territory, *, actor="specialist", unit="MD-CU-BOT", **extra: Any) -> Report:
    values: dict[str, Any] = {
        "channel": "phone",
        "reporter_kind": "professional",
        "reporter_sector": "education",
        "unit": territory[unit],
        "narrative": "Bruises seen on the child's arms.",
        "concerns": ["physical"],
        "children": [
            ChildInput(
                new=PersonInput(
                    given_name="Ion", family_name="Rusu", sex="M", birth_date=date(2015, 3, 2)
                )
            )
        ],
    }
    values.update(extra)
    return report_create(actor=personas[actor], data=ReportInput(**values))


def _form(**extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "action": "save",
        "channel": "phone",
        "reporter_kind": "professional",
        "reporter_sector": "education",
        "reporter_name": "Ana Lungu",
        "reporter_contact": "069000000",
        "concerns": ["physical", "neglect"],
        "unit": "",
        "narrative": "The child came to school with bruises and said his father beat him.",
        "child-TOTAL_FORMS": "1",
        "child-INITIAL_FORMS": "0",
        "child-0-family_name": "Ceban",
        "child-0-given_name": "Mihai",
        "child-0-sex": "M",
        "child-0-birth_date": "2014-05-06",
        "child-0-id_scheme": "",
        "child-0-id_value": "",
    }
    data.update(extra)
    return data


@pytest.fixture(autouse=True)
def _english(personas):
    """English pages, so that messages and the rule names (country-pack data) read as asserted
    here whatever the catalogues hold."""
    from ocrotire.accounts.models import User

    User.objects.update(language="en")


@pytest.fixture
def staff(client, personas, mfa_off, casework):
    client.force_login(personas["specialist"])
    return client


def test_list_shows_only_the_area_with_filters_and_overdue_highlighted(staff, personas, territory):
    mine = _report(personas, territory, immediate_danger=True)
    late = _report(
        personas,
        territory,
        received_at=timezone.now() - timedelta(days=10),
        children=[ChildInput(new=PersonInput(given_name="Ana", family_name="Popa", sex="F"))],
    )
    other = _report(personas, territory, actor="specialist2", unit="MD-CU-CEN")
    html = staff.get("/reports/").content.decode()
    assert mine.number in html
    assert late.number in html
    assert other.number not in html
    # the report received ten days ago has missed its triage deadline, the fresh one has not
    assert html.count('class="overdue"') == 1
    assert f'href="/reports/{late.pk}/"' in html.split('class="overdue"')[1].split("</tr>")[0]
    danger = staff.get("/reports/", {"danger": "yes"}).content.decode()
    assert mine.number in danger
    assert late.number not in danger
    by_number = staff.get("/reports/", {"q": late.number}).content.decode()
    assert late.number in by_number
    assert mine.number not in by_number
    assert mine.number not in staff.get("/reports/", {"status": "closed"}).content.decode()
    old = (timezone.localdate() - timedelta(days=5)).isoformat()
    assert mine.number not in staff.get("/reports/", {"received_to": old}).content.decode()


def test_staff_files_a_full_report_about_a_new_child(staff, territory):
    unit = territory["MD-CU-BOT"]
    police_at = (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = staff.post(
        "/reports/new/",
        _form(unit=unit.pk, most_serious="physical", police_at=police_at, location="Str. Mare 1"),
    )
    assert response.status_code == 302
    report = Report.objects.get()
    assert response["Location"] == f"/reports/{report.pk}/"
    child = report.children.get()
    assert (child.family_name, child.given_name, child.birth_date) == (
        "Ceban",
        "Mihai",
        date(2014, 5, 6),
    )
    assert report.reporter_name == "Ana Lungu"
    assert report.reporter_sector == "education"
    assert sorted(c.code for c in report.concerns.all()) == ["neglect", "physical"]
    assert report.most_serious is not None
    assert report.most_serious.code == "physical"
    assert list(report.agency_notices.values_list("agency", flat=True)) == ["police"]
    detail = staff.get(response["Location"]).content.decode()
    assert report.number in detail
    assert "registered under number" in detail


def test_anonymous_report_keeps_no_identity(staff, territory):
    response = staff.post(
        "/reports/new/",
        _form(
            unit=territory["MD-CU-BOT"].pk,
            channel="hotline",
            reporter_kind="anonymous",
            reporter_sector="",
            concerns=["neglect"],
        ),
    )
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.is_anonymous
    # typed before "anonymous" was chosen, then hidden: not kept
    assert (report.reporter_name, report.reporter_contact) == ("", "")
    assert "Withheld" in staff.get(response["Location"]).content.decode()


def test_existing_child_is_picked_by_search(staff, personas, territory):
    maria = person_create(
        actor=personas["specialist"],
        data=PersonInput(given_name="Maria", family_name="Țurcanu", unit=territory["MD-CU-BOT"]),
    )
    form = _form(
        unit=territory["MD-CU-BOT"].pk,
        **{"child-0-family_name": "", "child-0-given_name": "", "child-0-sex": ""},
        **{"child-0-birth_date": ""},
    )
    searched = staff.post("/reports/new/", {**form, "action": "search", "child_q": "Turcanu"})
    html = searched.content.decode()
    assert searched.status_code == 200
    assert f'name="existing" value="{maria.pk}"' in html
    assert not Report.objects.exists()
    # the rest of the form survived the search
    assert "his father beat him" in html
    partial = staff.post("/reports/new/children/search/", {"child_q": "Цуркану"}).content.decode()
    assert "<html" not in partial
    assert f'value="{maria.pk}"' in partial
    response = staff.post("/reports/new/", {**form, "existing": [str(maria.pk)]})
    assert response.status_code == 302
    assert list(Report.objects.get().children.all()) == [maria]
    assert Person.objects.count() == 1


def test_new_child_matches_panel_lets_the_specialist_pick_the_record(staff, personas, territory):
    ion = person_create(
        actor=personas["specialist"],
        data=PersonInput(
            given_name="Ion", family_name="Rusu", sex="M", unit=territory["MD-CU-BOT"]
        ),
    )
    row = {
        "child-0-family_name": "Русу",
        "child-0-given_name": "Ион",
        "child-0-sex": "M",
        "child-0-birth_date": "",
    }
    panel = staff.post("/reports/new/children/matches/?row=0", _form(**row)).content.decode()
    assert "<html" not in panel
    assert f'name="child-0-person" value="{ion.pk}"' in panel
    response = staff.post(
        "/reports/new/",
        _form(unit=territory["MD-CU-BOT"].pk, **row, **{"child-0-person": str(ion.pk)}),
    )
    assert response.status_code == 302
    assert list(Report.objects.get().children.all()) == [ion]
    assert Person.objects.count() == 1


def test_validation_errors_are_readable_and_nothing_is_lost(staff, territory):
    response = staff.post(
        "/reports/new/",
        _form(unit=territory["MD-CU-BOT"].pk, concerns=["physical", "psychological"]),
    )
    # two forms of violence and none marked the most serious: refused by the service, shown here
    assert response.status_code == 200
    html = response.content.decode()
    assert "say which one is the most serious" in html
    assert "his father beat him" in html
    assert 'value="Ceban"' in html
    assert not Report.objects.exists()
    assert not Person.objects.exists()
    empty = staff.post(
        "/reports/new/",
        _form(unit="", concerns=[], narrative="", **{"child-0-family_name": ""}),
    ).content.decode()
    assert empty.count('role="alert"') >= 3
    assert 'value="Mihai"' in empty
    no_child = staff.post(
        "/reports/new/",
        _form(
            unit=territory["MD-CU-BOT"].pk,
            **{"child-0-family_name": "", "child-0-given_name": ""},
        ),
    ).content.decode()
    assert "Add at least one child concerned." in no_child
    assert not Report.objects.exists()


def test_a_refused_attachment_files_nothing(staff, territory):
    upload = SimpleUploadedFile("run.exe", b"MZ...", content_type="application/x-msdownload")
    response = staff.post(
        "/reports/new/", {**_form(unit=territory["MD-CU-BOT"].pk), "attachment": upload}
    )
    assert response.status_code == 200
    assert "This kind of file is not accepted" in response.content.decode()
    assert not Report.objects.exists()


def test_reporter_files_the_short_form_and_sees_only_the_status(
    client, personas, territory, mfa_off, casework, institutions
):
    client.force_login(personas["reporter"])
    page = client.get("/reports/new/").content.decode()
    assert "Școala Botanica" in page
    assert 'name="channel"' not in page
    assert "child_q" not in page  # a reporter cannot search the registry
    response = client.post(
        "/reports/new/",
        {
            "action": "save",
            "unit": territory["MD-CU-BOT"].pk,
            "concerns": ["neglect"],
            "narrative": "The boy comes to school hungry every day.",
            "reporter_name": "Elena Cojocaru",
            "reporter_contact": "elena@example.org",
            "child-TOTAL_FORMS": "1",
            "child-INITIAL_FORMS": "0",
            "child-0-family_name": "Popa",
            "child-0-given_name": "Andrei",
            "child-0-sex": "M",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/reports/mine/"
    report = Report.objects.get()
    assert (report.channel, report.reporter_kind, report.reporter_sector) == (
        "notification_form",
        "professional",
        "education",
    )
    assert report.reporter_institution == institutions["SCH-BOT"]
    mine = client.get("/reports/mine/").content.decode()
    assert report.number in mine
    assert "Awaiting triage" in mine
    for secret in ("hungry", "Popa", "Andrei"):
        assert secret not in mine
    status_page = client.get(f"/reports/{report.pk}/").content.decode()
    assert report.number in status_page
    for secret in ("hungry", "Popa", "Elena"):
        assert secret not in status_page
    # not the register, and not someone else's report
    assert client.get("/reports/").status_code == 403
    other = _report(personas, territory)
    assert client.get(f"/reports/{other.pk}/").status_code == 404
    assert other.number not in client.get("/reports/mine/").content.decode()


def test_detail_shows_children_tasks_timeline_and_reports_about_the_same_child(
    staff, personas, territory
):
    first = _report(personas, territory)
    second = _report(personas, territory, channel="walk_in")
    html = staff.get(f"/reports/{second.pk}/").content.decode()
    child = second.children.get()
    assert f'href="/registry/{child.pk}/"' in html
    assert "Bruises seen" in html
    same = html.split('id="same-children"')[1].split("</ul>")[0]
    assert first.number in same
    assert "Triage: decide on the report" in html
    assert "Receive the institution&#x27;s notification form" in html
    assert f"Report {second.number} received" in html
    assert 'id="triage-form"' in html
    assert AuditEvent.objects.filter(action="view", object_id=str(second.pk)).exists()


def test_other_sector_gets_404_and_outsider_403(client, personas, territory, mfa_off, casework):
    report = _report(personas, territory)
    client.force_login(personas["specialist2"])
    assert client.get(f"/reports/{report.pk}/").status_code == 404
    response = client.post(
        f"/reports/{report.pk}/triage/",
        {"decision": "close", "reason": "x", "version": report.version},
    )
    assert response.status_code == 404
    client.force_login(personas["outsider"])
    assert client.get("/reports/").status_code == 403
    report.refresh_from_db()
    assert report.status == ReportStatus.NEW


def test_triage_opens_a_case_and_refuses_a_second_triage(staff, personas, territory):
    report = _report(personas, territory)
    missing_risk = staff.post(
        f"/reports/{report.pk}/triage/",
        {"decision": "open_case", "reason": "Bruises confirmed", "version": report.version},
    )
    assert missing_risk.status_code == 200
    assert "Choose the risk level of the case." in missing_risk.content.decode()
    assert not Case.objects.exists()
    response = staff.post(
        f"/reports/{report.pk}/triage/",
        {
            "decision": "open_case",
            "reason": "Bruises confirmed",
            "risk_level": "high",
            "version": report.version,
        },
    )
    assert response.status_code == 302
    case = Case.objects.get()
    report.refresh_from_db()
    assert report.status == ReportStatus.CASE_OPENED
    assert list(report.cases.all()) == [case]
    assert case.manager == personas["specialist"]
    html = staff.get(response["Location"]).content.decode()
    assert case.number in html.split('id="report-cases"')[1]
    assert 'id="triage-form"' not in html
    again = staff.post(
        f"/reports/{report.pk}/triage/",
        {"decision": "close", "reason": "again", "version": report.version},
        follow=True,
    )
    assert "already triaged" in again.content.decode()
    report.refresh_from_db()
    assert report.status == ReportStatus.CASE_OPENED


def test_triage_links_a_repeat_report_to_the_open_case(staff, personas, territory):
    first = _report(personas, territory)
    report_triage(
        actor=personas["specialist"],
        report=first,
        version=first.version,
        data=TriageInput(decision="open_case", reason="Confirmed", risk_level="medium"),
    )
    case = Case.objects.get()
    repeat = _report(personas, territory, channel="walk_in")
    # opening a second case for the same child is refused, readably
    refused = staff.post(
        f"/reports/{repeat.pk}/triage/",
        {
            "decision": "open_case",
            "reason": "x",
            "risk_level": "high",
            "version": repeat.version,
        },
    )
    assert "already has an open case" in refused.content.decode()
    response = staff.post(
        f"/reports/{repeat.pk}/triage/",
        {"decision": "link_case", "reason": "Same child, same family", "version": repeat.version},
    )
    assert response.status_code == 302
    repeat.refresh_from_db()
    assert repeat.status == ReportStatus.LINKED
    assert list(repeat.cases.all()) == [case]
    assert Case.objects.count() == 1


def test_stale_triage_form_is_a_conflict(staff, personas, territory):
    report = _report(personas, territory)
    response = staff.post(
        f"/reports/{report.pk}/triage/",
        {"decision": "close", "reason": "x", "version": report.version + 5},
    )
    assert "Someone else changed this report" in response.content.decode()
    report.refresh_from_db()
    assert report.status == ReportStatus.NEW


def test_notification_form_received(staff, personas, territory):
    report = _report(personas, territory)
    assert 'id="form-received"' in staff.get(f"/reports/{report.pk}/").content.decode()
    response = staff.post(
        f"/reports/{report.pk}/form-received/", {"version": report.version, "at": ""}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.form_received_at is not None
    assert 'id="form-received"' not in staff.get(f"/reports/{report.pk}/").content.decode()


def test_attachments_upload_and_private_download(
    client, personas, territory, mfa_off, casework, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    report = _report(personas, territory)
    client.force_login(personas["specialist"])
    bad = client.post(
        f"/reports/{report.pk}/attachments/",
        {"file": SimpleUploadedFile("x.exe", b"MZ", content_type="application/x-msdownload")},
        follow=True,
    )
    assert "not accepted" in bad.content.decode()
    assert not ReportAttachment.objects.exists()
    response = client.post(
        f"/reports/{report.pk}/attachments/",
        {"file": SimpleUploadedFile("note.pdf", b"%PDF-1.4 body", content_type="application/pdf")},
    )
    assert response.status_code == 302
    attachment = ReportAttachment.objects.get()
    url = f"/reports/{report.pk}/attachments/{attachment.pk}/"
    assert url in client.get(f"/reports/{report.pk}/").content.decode()
    download = client.get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 body"
    assert AuditEvent.objects.filter(action="view", object_type="intake.reportattachment").exists()
    client.force_login(personas["specialist2"])
    assert client.get(url).status_code == 404
    assert (
        client.post(
            f"/reports/{report.pk}/attachments/",
            {"file": SimpleUploadedFile("y.pdf", b"%PDF", content_type="application/pdf")},
        ).status_code
        == 404
    )
    client.force_login(personas["reporter"])
    assert client.get(url).status_code == 403
    assert ReportAttachment.objects.count() == 1


TRIAGE_BY_PERSONA = {
    "specialist": 302,
    "supervisor": 302,
    "admin": 302,
    "specialist2": 404,
    "reporter": 404,
    "auditor": 403,
    "outsider": 403,
    "anonymous": 302,  # to the sign-in page
}


@pytest.mark.parametrize(("persona", "status"), list(TRIAGE_BY_PERSONA.items()))
def test_triage_by_persona(client, personas, territory, mfa_off, casework, persona, status):
    report = _report(personas, territory)
    if persona != "anonymous":
        client.force_login(personas[persona])
    before = AuditEvent.objects.exclude(action="view").count()
    response = client.post(
        f"/reports/{report.pk}/triage/",
        {"decision": "close", "reason": "Not a child-protection matter", "version": report.version},
    )
    assert response.status_code == status
    report.refresh_from_db()
    allowed = persona in ("specialist", "supervisor", "admin")
    assert report.status == (ReportStatus.CLOSED if allowed else ReportStatus.NEW)
    if not allowed:
        assert AuditEvent.objects.exclude(action="view").count() == before


def test_add_child_row_keeps_what_was_typed(staff, territory):
    response = staff.post(
        "/reports/new/", _form(unit=territory["MD-CU-BOT"].pk, action="add_child")
    )
    html = response.content.decode()
    assert 'name="child-TOTAL_FORMS" value="2"' in html
    assert 'name="child-1-family_name"' in html
    assert 'value="Ceban"' in html
    assert not Report.objects.exists()


def test_staff_page_offers_and_accepts_only_institutions_of_the_area(
    staff, territory, institutions
):
    page = staff.get("/reports/new/").content.decode()
    assert institutions["SCH-BOT"].name in page
    assert institutions["SCH-CEN"].name not in page
    response = staff.post(
        "/reports/new/",
        _form(unit=territory["MD-CU-BOT"].pk, reporter_institution=institutions["SCH-CEN"].pk),
    )
    assert response.status_code == 200
    assert Report.objects.count() == 0


@pytest.mark.parametrize("received_at", ["0001-01-01T00:00", "1985-06-01T10:00"])
def test_staff_page_refuses_a_time_of_receipt_before_1990(staff, territory, received_at):
    response = staff.post(
        "/reports/new/", _form(unit=territory["MD-CU-BOT"].pk, received_at=received_at)
    )
    assert response.status_code == 200
    assert "from 1990 on" in response.content.decode()
    assert Report.objects.count() == 0
