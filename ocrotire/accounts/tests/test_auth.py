"""Signing in: tokens, lockout, two-factor per role policy, password hashing, /me."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.hashers import identify_hasher
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from conftest import PASSWORD
from ocrotire.accounts.models import ApiToken, Role, SignInThrottle, User
from ocrotire.core.models import AuditEvent

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"


def _token(client: APIClient, username: str, password: str = PASSWORD, **extra):
    return client.post(
        TOKEN_URL, {"username": username, "password": password, **extra}, format="json"
    )


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def test_token_then_me(personas, mfa_off):
    client = APIClient()
    response = _token(client, "specialist")
    assert response.status_code == 200
    token = response.json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = client.get("/api/v1/me/")
    assert me.status_code == 200
    assert me.json() == {
        "id": personas["specialist"].pk,
        "username": "specialist",
        "full_name": "",
        "roles": ["specialist"],
        "units": ["MD-CU-BOT"],
        "institution": personas["specialist"].institution_id,
        "institution_name": str(personas["specialist"].institution),
        "language": "ro",
    }
    # Only a digest of the token is stored.
    assert not ApiToken.objects.filter(digest=token).exists()
    assert AuditEvent.objects.filter(action="login", actor=personas["specialist"]).exists()


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"username": "specialist", "password": "wrong"}, 401, "invalid_credentials"),
        ({"username": "nobody", "password": "wrong"}, 401, "invalid_credentials"),
        ({"username": "specialist"}, 400, "invalid"),
        ({}, 400, "invalid"),
        ({"username": ["a"], "password": {"b": 1}}, 400, "invalid"),
    ],
)
def test_token_rejections_are_json(personas, mfa_off, body, status, code):
    response = APIClient().post(TOKEN_URL, body, format="json")
    assert response.status_code == status
    assert response.json()["error"]["code"] == code


def test_expired_and_bogus_tokens_are_refused(personas, mfa_off):
    client = APIClient()
    token = _token(client, "specialist").json()["token"]
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/me/").status_code == 401
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert client.get("/api/v1/me/").json()["error"]["code"] == "authentication_failed"
    client.credentials(HTTP_AUTHORIZATION="Token a b")
    assert client.get("/api/v1/me/").status_code == 401


def test_lockout_after_repeated_failures(personas, mfa_off, settings):
    settings.OCROTIRE_LOCKOUT_ATTEMPTS = 3
    client = APIClient()
    for _ in range(3):
        assert _token(client, "specialist", "wrong").status_code == 401
    # Even the right password is refused from this address while throttled, with the answer an
    # unknown name gets too (see test_signin_throttle).
    locked = _token(client, "specialist")
    assert locked.status_code == 429
    assert locked.json()["error"]["code"] == "too_many_attempts"
    assert AuditEvent.objects.filter(
        action="throttled", object_id=str(personas["specialist"].pk)
    ).exists()
    SignInThrottle.objects.update(blocked_until=timezone.now() - timedelta(seconds=1))
    assert _token(client, "specialist").status_code == 200
    assert User.objects.get(username="specialist").failed_logins == 0


def test_role_policy_makes_two_factor_mandatory(personas, settings):
    settings.OCROTIRE_MFA_ENFORCED = True
    Role.objects.filter(code="specialist").update(mfa_required=True)
    client = APIClient()
    response = _token(client, "specialist")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "mfa_enrollment_required"
    assert not ApiToken.objects.exists()
    # A role without the requirement signs in with a password alone.
    Role.objects.filter(code="reporter").update(mfa_required=False)
    assert _token(client, "reporter").status_code == 200


def test_totp_is_checked_once_a_device_exists(personas, settings):
    settings.OCROTIRE_MFA_ENFORCED = True
    user = personas["specialist"]
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client = APIClient()
    missing = _token(client, "specialist")
    assert missing.status_code == 401
    assert missing.json()["error"]["code"] == "otp_required"
    wrong = _token(client, "specialist", otp="000000" if _code(device) != "000000" else "111111")
    assert wrong.status_code == 401
    assert wrong.json()["error"]["code"] == "invalid_otp"
    # django-otp throttles a device after a wrong code; an administrator or time resets it.
    TOTPDevice.objects.get(pk=device.pk).throttle_reset()
    ok = _token(client, "specialist", otp=_code(device))
    assert ok.status_code == 200
    assert ok.json()["token"]


def test_session_without_second_factor_is_not_an_api_session(personas, settings, client):
    settings.OCROTIRE_MFA_ENFORCED = True
    Role.objects.filter(code="specialist").update(mfa_required=True)
    client.force_login(personas["specialist"])
    assert client.get("/api/v1/me/").status_code in (401, 403)


@pytest.mark.argon2
def test_passwords_are_hashed_with_argon2(make_user):
    user = make_user("hashme")
    assert identify_hasher(user.password).algorithm == "argon2"
    assert user.check_password(PASSWORD)


def test_user_without_role_is_denied_everywhere(personas, api):
    client = api(personas["outsider"])
    for url in ["/api/v1/me/", "/api/v1/units/", "/api/v1/institutions/", "/api/v1/audit/"]:
        assert client.get(url).status_code == 403, url
