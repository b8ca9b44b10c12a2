"""`manage.py rotate_field_keys` moves every encrypted value to the newest key, resumably."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from cryptography.fernet import Fernet, MultiFernet
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection
from django.utils import translation

from ocrotire.core.key_rotation import encrypted_fields
from ocrotire.core.models import AuditEvent
from ocrotire.intake.models import Report

pytestmark = pytest.mark.django_db


def _file_reports(api: Any, personas: dict[str, Any], count: int) -> list[int]:
    ids = []
    for n in range(count):
        body = {
            "channel": "phone",
            "reporter": {"kind": "citizen", "name": f"Vecina {n}", "contact": "+37369000000"},
            "children": [{"given_name": "Ion", "family_name": "Rusu"}],
            "concerns": ["neglect"],
            "unit": "MD-CU-BOT",
            "narrative": f"Relatarea numărul {n}.",
        }
        response = api(personas["specialist"]).post("/api/v1/reports/", body, format="json")
        assert response.status_code == 201, response.content
        ids.append(response.json()["id"])
    return ids


def _stored(report_id: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT narrative FROM intake_report WHERE id = %s", [report_id])
        return str(cursor.fetchone()[0])


def _read_all(ids: list[int]) -> dict[int, tuple[str, str]]:
    return {
        report.pk: (report.narrative, report.reporter_name)
        for report in Report.objects.filter(pk__in=ids)
    }


def test_every_encrypted_column_is_found() -> None:
    found = {
        f"{model._meta.label_lower}.{f.name}"
        for model, fields in encrypted_fields()
        for f in fields
    }
    assert {"intake.report.narrative", "intake.report.reporter_name"} <= found
    assert len(found) >= 10


def test_rotation_moves_every_value_to_the_new_key(
    api: Any, personas: dict[str, Any], casework: None, settings: Any
) -> None:
    key_a, key_b = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.OCROTIRE_FIELD_KEYS = [key_a]
    ids = _file_reports(api, personas, 3)
    before = _read_all(ids)
    settings.OCROTIRE_FIELD_KEYS = [key_b, key_a]
    audit_rows = AuditEvent.objects.filter(object_type="core.fieldkeys").count()
    out = StringIO()
    call_command("rotate_field_keys", "--batch", "2", stdout=out)
    assert AuditEvent.objects.filter(object_type="core.fieldkeys").count() == audit_rows + 1
    settings.OCROTIRE_FIELD_KEYS = [key_b]
    assert _read_all(ids) == before
    assert MultiFernet([Fernet(key_b.encode())]).decrypt(_stored(ids[0])[5:].encode())
    # A second run finds nothing left to do.
    settings.OCROTIRE_FIELD_KEYS = [key_b, key_a]
    out = StringIO()
    with translation.override("en"):
        call_command("rotate_field_keys", stdout=out)
    assert "rotated: 0 values" in out.getvalue()


def test_an_interrupted_run_resumes(
    api: Any, personas: dict[str, Any], casework: None, settings: Any, monkeypatch: Any
) -> None:
    key_a, key_b = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.OCROTIRE_FIELD_KEYS = [key_a]
    ids = _file_reports(api, personas, 4)
    before = _read_all(ids)
    settings.OCROTIRE_FIELD_KEYS = [key_b, key_a]
    calls = {"n": 0}
    rotate = MultiFernet.rotate

    def crashing_rotate(self: MultiFernet, msg: bytes | str) -> bytes:
        calls["n"] += 1
        if calls["n"] > 5:
            raise KeyboardInterrupt  # the operator's Ctrl-C, or the machine going down
        return rotate(self, msg)

    monkeypatch.setattr(MultiFernet, "rotate", crashing_rotate)
    with pytest.raises(KeyboardInterrupt):
        call_command("rotate_field_keys", "--batch", "1", stdout=StringIO())
    monkeypatch.setattr(MultiFernet, "rotate", rotate)
    settings.OCROTIRE_FIELD_KEYS = [key_b]
    with pytest.raises(ImproperlyConfigured):
        _read_all(ids)  # not done yet: some values are still under key A
    settings.OCROTIRE_FIELD_KEYS = [key_b, key_a]
    out = StringIO()
    call_command("rotate_field_keys", "--batch", "1", stdout=out)
    settings.OCROTIRE_FIELD_KEYS = [key_b]
    assert _read_all(ids) == before
