"""The second factor cannot be bypassed: set-up after a password-only sign-in, device changes,
recovery codes and an administrator's reset."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from conftest import PASSWORD
from ocrotire.accounts.models import ApiToken, Role, SecurityNotice, User
from ocrotire.core.models import AuditEvent

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


def _verified(device: TOTPDevice, username: str = "specialist") -> Client:
    client = Client()
    assert _login(client, username)["Location"] == "/accounts/login/verify/"
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    assert client.post("/accounts/login/verify/", {"otp": _code(device)}).status_code == 302
    assert client.get("/home/").status_code == 200
    return client


def test_a_further_device_needs_a_verified_session_and_the_password(
    enrolled, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.OCROTIRE_NOTIFY_EMAIL = True
    user, device = enrolled
    User.objects.filter(pk=user.pk).update(email="specialist@example.org")
    client = _verified(device)
    page = client.get(SETUP_URL)
    assert page.status_code == 200
    assert 'name="password"' in page.content.decode()
    new = TOTPDevice.objects.get(user=user, confirmed=False)
    for password in ("", "wrong"):
        refused = client.post(
            SETUP_URL, {"otp": _code(new), "name": "tablet", "password": password}
        )
        assert refused.status_code == 200
        assert not TOTPDevice.objects.get(pk=new.pk).confirmed
    with django_capture_on_commit_callbacks(execute=True):
        added = client.post(SETUP_URL, {"otp": _code(new), "name": "tablet", "password": PASSWORD})
    assert added.status_code == 302
    new.refresh_from_db()
    assert new.confirmed
    assert new.name == "tablet"
    assert AuditEvent.objects.filter(
        action="mfa_enrolled", object_id=str(user.pk), changes__device="tablet"
    ).exists()
    notice = SecurityNotice.objects.get(user=user, kind="device_added")
    assert notice.data["device"] == "tablet"
    assert notice.data["at"]
    assert "tablet" in client.get("/accounts/profile/").content.decode()
    # Every page says so until the notices are read.
    assert 'href="/accounts/profile/#notices"' in client.get("/home/").content.decode()
    client.post("/accounts/notices/read/")
    assert 'href="/accounts/profile/#notices"' not in client.get("/home/").content.decode()
    assert [m.to for m in mailoutbox] == [["specialist@example.org"]]
    assert "tablet" in mailoutbox[0].body


def test_removing_a_device_needs_a_verified_session_and_the_password(enrolled):
    user, device = enrolled
    spare = TOTPDevice.objects.create(user=user, name="spare", confirmed=True)
    url = f"/accounts/two-factor/devices/{spare.pk}/remove/"
    unverified = Client()
    _login(unverified, "specialist")
    assert unverified.post(url, {"password": PASSWORD})["Location"] == "/accounts/login/verify/"
    client = _verified(device)
    assert client.post(url, {"password": "wrong"}).status_code == 200
    assert TOTPDevice.objects.filter(pk=spare.pk).exists()
    assert client.post(url, {"password": PASSWORD}).status_code == 302
    assert not TOTPDevice.objects.filter(pk=spare.pk).exists()
    assert AuditEvent.objects.filter(
        action="delete", object_type="otp_totp.totpdevice", object_id=str(spare.pk)
    ).exists()
    assert SecurityNotice.objects.filter(user=user, kind="device_removed").exists()
    # Another user's device is not found.
    other = TOTPDevice.objects.create(user=User.objects.get(username="specialist2"), confirmed=True)
    answer = client.post(f"/accounts/two-factor/devices/{other.pk}/remove/", {"password": PASSWORD})
    assert answer.status_code == 404


def test_recovery_codes_are_shown_once_and_each_works_once(personas, settings):
    settings.OCROTIRE_MFA_ENFORCED = True
    Role.objects.filter(code="specialist").update(mfa_required=True)
    client = Client()
    _login(client, "specialist")
    client.get(SETUP_URL)
    device = TOTPDevice.objects.get(user__username="specialist", confirmed=False)
    done = client.post(SETUP_URL, {"otp": _code(device), "name": "phone"})
    assert done["Location"] == "/accounts/two-factor/recovery-codes/"
    page = client.get(done["Location"]).content.decode()
    codes = re.findall(r"<code>([a-z2-7]{4}(?:-[a-z2-7]{4}){3})</code>", page)
    assert len(codes) == 10
    again = client.get(done["Location"]).content.decode()
    assert not any(code in again for code in codes)
    # Only digests are kept.
    assert not StaticToken.objects.filter(token__in=[c.replace("-", "") for c in codes]).exists()

    client.post("/accounts/logout/")
    _login(client, "specialist")
    used = client.post("/accounts/login/verify/", {"recovery_code": codes[0].upper()})
    assert used.status_code == 302
    assert client.get("/home/").status_code == 200
    assert AuditEvent.objects.filter(changes__recovery_code="used", changes__remaining=9).exists()
    assert SecurityNotice.objects.filter(kind="recovery_code_used").exists()
    client.post("/accounts/logout/")
    _login(client, "specialist")
    reused = client.post("/accounts/login/verify/", {"recovery_code": codes[0]})
    assert reused.status_code == 200
    assert client.get("/home/")["Location"] == "/accounts/login/verify/"

    api = APIClient()
    body = {"username": "specialist", "password": PASSWORD}
    assert api.post(TOKEN_URL, {**body, "otp": codes[0]}, format="json").status_code == 401
    # django-otp slows down guesses after a wrong code; time (or an administrator) lifts it.
    StaticDevice.objects.get(user__username="specialist").throttle_reset()
    assert api.post(TOKEN_URL, {**body, "otp": codes[1]}, format="json").status_code == 200
    assert api.post(TOKEN_URL, {**body, "otp": codes[1]}, format="json").status_code == 401


def test_new_recovery_codes_on_request_end_the_old_ones(enrolled):
    user, device = enrolled
    client = _verified(device)
    url = "/accounts/two-factor/recovery-codes/"
    assert client.post(url, {"password": "wrong"}).status_code == 200
    assert not StaticToken.objects.filter(device__user=user).exists()
    first = re.findall(
        r"<code>([a-z2-7-]{19})</code>", client.post(url, {"password": PASSWORD}).content.decode()
    )
    second = re.findall(
        r"<code>([a-z2-7-]{19})</code>", client.post(url, {"password": PASSWORD}).content.decode()
    )
    assert len(first) == len(second) == 10
    assert not set(first) & set(second)
    assert StaticToken.objects.filter(device__user=user).count() == 10
    assert SecurityNotice.objects.filter(user=user, kind="recovery_codes_made").count() == 2


def test_administrator_resets_devices_and_ends_sessions_and_tokens(enrolled, settings):
    user, device = enrolled
    browser = _verified(device)
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    token = (
        APIClient()
        .post(
            TOKEN_URL,
            {"username": "specialist", "password": PASSWORD, "otp": _code(device)},
            format="json",
        )
        .json()["token"]
    )
    settings.OCROTIRE_MFA_ENFORCED = False
    admin = Client()
    admin.force_login(User.objects.get(username="admin"))
    # django-otp's own device pages, which would bypass the audit, are not offered.
    assert admin.get("/admin/otp_totp/totpdevice/").status_code == 404
    response = admin.post(
        "/admin/accounts/user/", {"action": "reset_devices", "_selected_action": [user.pk]}
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert browser.get("/home/").status_code == 302
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/me/").status_code == 401
    assert AuditEvent.objects.filter(
        actor__username="admin", object_id=str(user.pk), changes__mfa_devices_reset=["phone"]
    ).exists()
    assert SecurityNotice.objects.filter(user=user, kind="devices_reset").exists()
