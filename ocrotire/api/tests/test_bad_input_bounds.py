"""Bad input answered with a 400 in the API's error shape, never a 500 or a silent change:
deep nesting, dates that make no sense, disguised uploads, workbook bombs, a scope outside the
user's area."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from rest_framework.test import APIClient

from ocrotire.core.models import AuditEvent
from ocrotire.intake.models import Report, ReportAttachment
from ocrotire.planning.models import Strategy
from ocrotire.registry.models import Person

pytestmark = pytest.mark.django_db


def _report(**extra: Any) -> dict[str, Any]:
    return {
        "channel": "phone",
        "reporter": {"kind": "citizen", "name": "Vecina"},
        "children": [{"given_name": "Ion", "family_name": "Rusu", "sex": "M"}],
        "concerns": ["neglect"],
        "unit": "MD-CU-BOT",
        "narrative": "The child is left alone for days.",
        **extra,
    }


def _said(msgid: str, **values: Any) -> str:
    """The sentence as the personas (Romanian, the default language) read it."""
    with translation.override("ro"):
        return translation.gettext(msgid) % values if values else translation.gettext(msgid)


@pytest.fixture
def specialist(api: Any, personas: dict[str, Any], casework: None) -> APIClient:
    client: APIClient = api(personas["specialist"])
    return client


def _refused(response: Any, field: str | None = None) -> dict[str, Any]:
    assert response.status_code == 400, (response.status_code, response.content[:300])
    body: dict[str, Any] = response.json()["error"]
    assert set(body) == {"code", "message", "fields"}
    if field is not None:
        assert field in body["fields"], body
    return body


@pytest.mark.parametrize("depth", [40, 5000, 100_000])
def test_deeply_nested_json_is_refused(specialist: APIClient, depth: int) -> None:
    for body in ("[" * depth + "]" * depth, '{"a":' * depth + "1" + "}" * depth):
        response = specialist.generic(
            "POST", "/api/v1/reports/", body, content_type="application/json"
        )
        error = _refused(response)
        assert error["code"] == "parse_error"
        assert error["message"] == _said(
            "The request body is nested too deeply (at most %(limit)s levels).", limit=32
        )
    assert Report.objects.count() == 0


def test_reasonable_nesting_still_accepted(specialist: APIClient) -> None:
    response = specialist.post("/api/v1/reports/", _report(), format="json")
    assert response.status_code == 201, response.json()


@pytest.mark.parametrize(
    "received_at",
    ["0001-01-01T00:00:00", "0576-06-01T10:00:00+02:00", "1989-12-31T12:00:00Z", "2999-01-01"],
)
def test_report_received_at_outside_sense_is_refused(
    specialist: APIClient, received_at: str
) -> None:
    before = (Report.objects.count(), AuditEvent.objects.count())
    _refused(
        specialist.post("/api/v1/reports/", _report(received_at=received_at), format="json"),
        "received_at",
    )
    assert (Report.objects.count(), AuditEvent.objects.count()) == before


def test_report_times_are_answered_in_rfc3339(specialist: APIClient) -> None:
    response = specialist.post(
        "/api/v1/reports/", _report(received_at="1995-03-01T09:30:00+02:00"), format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["number"].endswith("-1995-000001") or "-1995-" in body["number"]
    assert body["received_at"] in {"1995-03-01T09:30:00+02:00", "1995-03-01T07:30:00Z"}


@pytest.mark.parametrize("birth_date", ["0001-01-01", "1850-05-05", "2999-01-01"])
def test_birth_date_outside_sense_is_refused(specialist: APIClient, birth_date: str) -> None:
    before = Person.objects.count()
    _refused(
        specialist.post(
            "/api/v1/persons/",
            {"given_name": "Ana", "family_name": "Rusu", "birth_date": birth_date},
            format="json",
        ),
        "birth_date",
    )
    assert Person.objects.count() == before


def test_placement_started_in_year_576_is_refused(specialist: APIClient) -> None:
    child = specialist.post(
        "/api/v1/persons/", {"given_name": "Ana", "family_name": "Rusu"}, format="json"
    ).json()["id"]
    for field, value in (
        ("started_at", "0576-01-01T00:00:00"),
        ("decision_date", "0576-01-01"),
        ("decision_date", "2999-01-01"),
    ):
        _refused(
            specialist.post(
                "/api/v1/placements/",
                {"child": child, "form": "kinship", field: value},
                format="json",
            ),
            field,
        )


def test_case_step_time_before_1990_is_refused(specialist: APIClient) -> None:
    """A case step's time goes through the same bound (here the visits' and a filter's)."""
    response = specialist.get("/api/v1/audit/", {"since": "0001-01-01T00:00:00"})
    assert response.status_code in {400, 403}
    if response.status_code == 400:
        _refused(response, "since")


def _filed(specialist: APIClient) -> int:
    response = specialist.post("/api/v1/reports/", _report(), format="json")
    assert response.status_code == 201, response.json()
    return int(response.json()["id"])


@pytest.mark.parametrize(
    ("name", "content", "declared"),
    [
        ("notes.txt", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff", "text/plain"),
        ("fisa.pdf", b"<html><script>alert(1)</script></html>", "application/pdf"),
        (
            "poza.png",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "image/png",
        ),
        ("poza.jpg", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "image/jpeg"),
        ("act.docx", b"PK\x03\x04 not really a document", "application/msword"),
    ],
)
def test_disguised_upload_is_refused(
    specialist: APIClient, name: str, content: bytes, declared: str
) -> None:
    report = _filed(specialist)
    response = specialist.post(
        f"/api/v1/reports/{report}/attachments/",
        {"file": SimpleUploadedFile(name, content, content_type=declared)},
        format="multipart",
    )
    error = _refused(response, "file")
    assert error["fields"]["file"] == [
        _said(
            "The content of the file does not match its kind: it is not the file it claims to be."
        )
    ]
    assert ReportAttachment.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "content", "declared"),
    [
        ("notes.txt", b"Mama a sunat la 9:30, copilul nu a venit.\r\n", "text/plain"),
        ("fisa.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "application/pdf"),
        ("poza.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 32, "image/png"),
    ],
)
def test_upload_of_its_declared_kind_is_kept(
    specialist: APIClient, name: str, content: bytes, declared: str
) -> None:
    report = _filed(specialist)
    response = specialist.post(
        f"/api/v1/reports/{report}/attachments/",
        {"file": SimpleUploadedFile(name, content, content_type=declared)},
        format="multipart",
    )
    assert response.status_code == 201, response.json()


def _bomb(unpacked: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * unpacked)
    return buffer.getvalue()


def test_xlsx_bomb_is_refused_before_it_is_read(
    api: Any, personas: dict[str, Any], settings: Any
) -> None:
    settings.OCROTIRE_XLSX_MAX_UNPACKED_BYTES = 1024 * 1024
    raw = _bomb(8 * 1024 * 1024)
    assert len(raw) < 64 * 1024
    response = api(personas["admin"]).post(
        "/api/v1/plans/import/",
        {"file": SimpleUploadedFile("plan.xlsx", raw), "unit": "MD-CU"},
        format="multipart",
    )
    error = _refused(response, "file")
    assert error["fields"]["file"] == [
        _said(
            "This workbook unpacks to more than %(limit)s MB: split it into smaller workbooks.",
            limit=1,
        )
    ]
    assert Strategy.objects.count() == 0


def test_scope_unit_outside_the_area_is_refused(specialist: APIClient) -> None:
    before = Person.objects.count()
    _refused(
        specialist.post(
            "/api/v1/persons/",
            {"given_name": "Ana", "family_name": "Rusu", "scope_unit": "MD-CU-CEN"},
            format="json",
        ),
        "scope_unit",
    )
    assert Person.objects.count() == before
    created = specialist.post(
        "/api/v1/persons/",
        {"given_name": "Ana", "family_name": "Rusu", "scope_unit": "MD-CU-BOT"},
        format="json",
    ).json()
    response = specialist.patch(
        f"/api/v1/persons/{created['id']}/",
        {"version": created["version"], "scope_unit": "MD-CU-CEN", "given_name": "Ioana"},
        format="json",
    )
    _refused(response, "scope_unit")
    person = Person.objects.get(pk=created["id"])
    assert (person.given_name, person.scope_unit.code) == ("Ana", "MD-CU-BOT")
