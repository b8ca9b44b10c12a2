"""Hardening seen from outside: no answer with personal data is cached; production settings
pass Django's deployment checks."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.test import Client

pytestmark = pytest.mark.django_db


def _no_store(response: Any) -> bool:
    return "no-store" in response.get("Cache-Control", "") and response.get("Pragma") == "no-cache"


def test_pages_and_api_answers_of_a_signed_in_user_are_not_stored(
    api: Any, personas: dict[str, Any], mfa_off: None
) -> None:
    client = Client()
    client.force_login(personas["specialist"])
    for url in ("/", "/registry/", "/reports/"):
        response = client.get(url)
        assert response.status_code in {200, 302}, url
        assert _no_store(response), (url, response.get("Cache-Control"))
    answer = api(personas["specialist"]).get("/api/v1/persons/")
    assert answer.status_code == 200
    assert _no_store(answer)
    refused = Client().get("/api/v1/persons/")
    assert refused.status_code in {401, 403}
    assert _no_store(refused)


def test_static_files_keep_their_cache(personas: dict[str, Any]) -> None:
    client = Client()
    client.force_login(personas["specialist"])
    response = client.get("/static/analytics/dashboard.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def test_production_settings_pass_the_deployment_checks() -> None:
    env = {
        **{k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
        "OCROTIRE_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "ocrotire.example.org",
        "OCROTIRE_FIELD_KEYS": Fernet.generate_key().decode(),
        "OCROTIRE_AUDIT_KEY": secrets.token_urlsafe(48),
    }
    # The test runner's own switches (async-unsafe database access for the browser tests) are no
    # part of a production environment.
    for name in (
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_COOKIES",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
        "DEBUG",
    ):
        env.pop(name, None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=Path(settings.BASE_DIR),
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues (0 silenced)" in result.stdout
    shown = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='config.settings'; "
            "django.setup(); from django.conf import settings as s; "
            "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_SECONDS)",
        ],
        cwd=Path(settings.BASE_DIR),
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert shown.stdout.split() == ["True", "True", "31536000"], shown.stderr
