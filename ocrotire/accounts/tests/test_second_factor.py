"""The second factor cannot be bypassed: set-up after a password-only sign-in, device changes,
recovery codes and an administrator's reset."""

from __future__ import annotations

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from conftest import PASSWORD
from ocrotire.accounts.models import ApiToken, User

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
SETUP_URL = "/accounts/two-factor/setup/"


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def _login(client: Client, username: str, password: str = PASSWORD):
    return client.post("/accounts/login/", {"username": username, "password": password})


@pytest.fixture
def enrolled(personas, settings) -> tuple[User, TOTPDevice]:
    settings.OCROTIRE_MFA_ENFORCED = True
    user = personas["specialist"]
    return user, TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def test_password_only_session_cannot_enrol_a_second_device(client, enrolled):
    user, device = enrolled
    assert _login(client, "specialist")["Location"] == "/accounts/login/verify/"
    page = client.get(SETUP_URL)
    assert page.status_code == 302
    assert page["Location"] == "/accounts/login/verify/"
    # Whatever an attacker posts, no device is made and the session stays unverified.
    for body in ({"otp": "123456"}, {"otp": "123456", "password": PASSWORD, "name": "mine"}):
        answer = client.post(SETUP_URL, body)
        assert answer.status_code == 302
        assert answer["Location"] == "/accounts/login/verify/"
    assert list(TOTPDevice.objects.filter(user=user)) == [device]
    assert client.get("/home/")["Location"] == "/accounts/login/verify/"
    assert client.get("/api/v1/me/").status_code in (401, 403)


def test_token_cannot_be_issued_with_a_device_made_after_a_password_only_sign_in(client, enrolled):
    user, _device = enrolled
    _login(client, "specialist")
    client.get(SETUP_URL)
    rogue = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    assert rogue is None
    # Even a device the attacker might have got made unconfirmed never answers for the user.
    rogue = TOTPDevice.objects.create(user=user, name="rogue", confirmed=False)
    client.post(SETUP_URL, {"otp": _code(rogue)})
    response = APIClient().post(
        TOKEN_URL,
        {"username": "specialist", "password": PASSWORD, "otp": _code(rogue)},
        format="json",
    )
    assert response.status_code == 401, response.json()
    assert not ApiToken.objects.filter(user=user).exists()
    assert not TOTPDevice.objects.get(pk=rogue.pk).confirmed
