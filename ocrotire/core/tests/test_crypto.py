"""Narratives and reporter identity are unreadable in the database, readable through the app."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from ocrotire.core.crypto import decrypt, encrypt, field_keys
from ocrotire.intake.models import Report

pytestmark = pytest.mark.django_db


def test_report_text_is_encrypted_at_rest(
    api: Any, personas: dict[str, Any], casework: None
) -> None:
    body = {
        "channel": "phone",
        "reporter": {"kind": "citizen", "name": "Maria Vecina", "contact": "+37369000000"},
        "children": [{"given_name": "Ion", "family_name": "Rusu"}],
        "concerns": ["neglect"],
        "unit": "MD-CU-BOT",
        "narrative": "Copilul doarme singur în scara blocului.",
    }
    created = api(personas["specialist"]).post("/api/v1/reports/", body, format="json").json()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT narrative, reporter_name, reporter_contact FROM intake_report WHERE id = %s",
            [created["id"]],
        )
        stored = cursor.fetchone()
    assert all(value.startswith("enc1:") for value in stored)
    assert "singur" not in stored[0]
    assert "Maria" not in stored[1]
    report = Report.objects.get(pk=created["id"])
    assert report.narrative == body["narrative"]
    assert report.reporter_name == "Maria Vecina"


def test_keys_rotate_and_a_wrong_key_is_an_error(settings: Any) -> None:
    old = Fernet.generate_key().decode()
    settings.OCROTIRE_FIELD_KEYS = [old]
    token = encrypt("secret")
    settings.OCROTIRE_FIELD_KEYS = [Fernet.generate_key().decode(), old]
    assert decrypt(token) == "secret"
    assert encrypt("x") != encrypt("x")
    settings.OCROTIRE_FIELD_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(ImproperlyConfigured):
        decrypt(token)
    settings.OCROTIRE_FIELD_KEYS = []
    settings.PRODUCTION = True
    with pytest.raises(ImproperlyConfigured):
        field_keys()
