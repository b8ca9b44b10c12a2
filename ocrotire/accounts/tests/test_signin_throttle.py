"""Sign-in from outside: known and unknown names answered alike, an address that hammers is
throttled, and a stranger cannot lock the real user out from elsewhere."""

from __future__ import annotations

import re
from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.auth.hashers import get_hasher
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from conftest import PASSWORD
from ocrotire.accounts.models import SignInThrottle
from ocrotire.core.models import AuditEvent

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
LOGIN_URL = "/accounts/login/"
STRANGER = "203.0.113.9"
OFFICE = "198.51.100.7"


def _token(username: str, password: str, address: str, **extra: str):
    return APIClient(REMOTE_ADDR=address).post(
        TOKEN_URL, {"username": username, "password": password, **extra}, format="json"
    )


def _page(username: str, password: str, address: str):
    return Client(REMOTE_ADDR=address).post(LOGIN_URL, {"username": username, "password": password})


def _page_text(response, username: str) -> str:
    """The page without what differs by design between two requests (CSRF token, CSP nonce) and
    the name the user typed, which the form shows back."""
    text = response.content.decode()
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", text)
    text = re.sub(r'"X-CSRFToken": "[^"]*"', "", text)
    text = re.sub(r'nonce="[^"]*"', "", text)
    return text.replace(f'value="{username}"', 'value=""')


@pytest.fixture
def limits(settings):
    settings.OCROTIRE_LOCKOUT_ATTEMPTS = 3
    settings.OCROTIRE_SIGNIN_ADDRESS_LIMIT = 6


def test_api_answers_known_and_unknown_names_alike_before_and_after_the_limit(
    personas, mfa_off, limits
):
    answers = []
    for _ in range(5):
        known = _token("admin", "wrong", STRANGER)
        unknown = _token("nobody-here", "wrong", OFFICE)
        assert known.status_code == unknown.status_code
        assert known.json() == unknown.json()
        assert known.get("Retry-After") == unknown.get("Retry-After")
        answers.append(known.status_code)
    assert answers == [401, 401, 401, 429, 429]
    assert _token("admin", "wrong", STRANGER).json()["error"]["code"] == "too_many_attempts"
    # Nowhere an answer that says the account exists.
    assert "account_locked" not in str(_token("admin", PASSWORD, STRANGER).json())


def test_sign_in_page_answers_known_and_unknown_names_alike(personas, mfa_off, limits):
    statuses = []
    for _ in range(5):
        known = _page("admin", "wrong", STRANGER)
        unknown = _page("nobody-here", "wrong", OFFICE)
        assert known.status_code == unknown.status_code
        assert _page_text(known, "admin") == _page_text(unknown, "nobody-here")
        statuses.append(known.status_code)
    assert statuses == [200, 200, 200, 429, 429]
    throttled = _page("admin", PASSWORD, STRANGER)
    assert throttled.status_code == 429
    assert "Prea multe" in throttled.content.decode()  # a sentence in the page's language


@pytest.mark.parametrize("username", ["admin", "nobody-here"])
def test_the_password_hasher_runs_for_known_and_unknown_names(personas, mfa_off, username):
    """What makes the time alike: one password check whether the name exists or not (timings
    themselves belong in bench/)."""
    hasher = type(get_hasher())
    with mock.patch.object(hasher, "verify", autospec=True, side_effect=hasher.verify) as verify:
        response = _token(username, "wrong", STRANGER)
    assert response.status_code == 401
    assert verify.call_count == 1


def test_an_address_that_hammers_is_throttled_without_locking_the_user_out(
    personas, mfa_off, limits
):
    for _ in range(3):
        assert _token("admin", "wrong", STRANGER).status_code == 401
    # The stranger's guesses at the administrator stop …
    refused = _token("admin", PASSWORD, STRANGER)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert refused.json()["error"]["message"]
    # … and guessing other names from that address stops too, past the address's limit.
    for name in ("a1", "a2", "a3"):
        assert _token(name, "wrong", STRANGER).status_code == 401
    assert _token("specialist", PASSWORD, STRANGER).status_code == 429
    assert _page("specialist", PASSWORD, STRANGER).status_code == 429
    # The administrator, from the office, signs in all the same.
    assert _token("admin", PASSWORD, OFFICE).status_code == 200
    office = _page("admin", PASSWORD, OFFICE)
    assert office.status_code == 302
    # Both throttles are in the audit log, with the stranger's address.
    throttled = AuditEvent.objects.filter(action="throttled", ip=STRANGER)
    assert sorted(throttled.values_list("changes__scope", flat=True)) == [
        "address",
        "name_address",
    ]


def test_colleagues_behind_one_address_are_not_shut_out_by_one_of_them(personas, mfa_off, limits):
    """A directorate behind one address: failures of other names from it throttle the address,
    but not a name that has signed in from there before (its own count still holds)."""
    assert _token("supervisor", PASSWORD, OFFICE).status_code == 200  # worked from here before
    for name in ("x1", "x2", "x3", "x4", "x5", "x6"):
        assert _token(name, "wrong", OFFICE).status_code == 401
    # The address is throttled for names that never signed in from it, existing or not, alike …
    known = _token("specialist", PASSWORD, OFFICE)
    unknown = _token("nobody-here", PASSWORD, OFFICE)
    assert known.status_code == unknown.status_code == 429
    assert known.json() == unknown.json()
    # … while the colleague who works from there still signs in, on the API and the page.
    assert _token("supervisor", PASSWORD, OFFICE).status_code == 200
    assert _page("supervisor", PASSWORD, OFFICE).status_code == 302
    # Their own name at this address is still counted and throttled.
    for _ in range(3):
        assert _token("supervisor", "wrong", OFFICE).status_code == 401
    assert _token("supervisor", PASSWORD, OFFICE).status_code == 429


def test_a_throttle_ends_and_success_clears_the_count(personas, mfa_off, limits):
    for _ in range(3):
        _token("admin", "wrong", STRANGER)
    assert _token("admin", PASSWORD, STRANGER).status_code == 429
    SignInThrottle.objects.update(blocked_until=timezone.now() - timedelta(seconds=1))
    assert _token("admin", PASSWORD, STRANGER).status_code == 200
    # The count for this name at this address starts again after a success.
    for _ in range(2):
        assert _token("admin", "wrong", STRANGER).status_code == 401
    assert _token("admin", PASSWORD, STRANGER).status_code == 200


def test_wrong_second_factor_codes_count_towards_the_throttle(personas, settings, limits):
    settings.OCROTIRE_MFA_ENFORCED = True
    device = TOTPDevice.objects.create(user=personas["specialist"], name="phone", confirmed=True)
    right = f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"
    wrong = "111111" if right != "111111" else "222222"
    for _ in range(3):
        TOTPDevice.objects.get(pk=device.pk).throttle_reset()
        answer = _token("specialist", PASSWORD, STRANGER, otp=wrong)
        assert answer.json()["error"]["code"] == "invalid_otp"
    TOTPDevice.objects.get(pk=device.pk).throttle_reset()
    assert _token("specialist", PASSWORD, STRANGER, otp=right).status_code == 429


def test_the_second_factor_page_signs_out_a_throttled_session(personas, settings, limits):
    settings.OCROTIRE_MFA_ENFORCED = True
    device = TOTPDevice.objects.create(user=personas["specialist"], name="phone", confirmed=True)
    right = f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"
    wrong = "111111" if right != "111111" else "222222"
    client = Client(REMOTE_ADDR=STRANGER)
    assert (
        client.post(LOGIN_URL, {"username": "specialist", "password": PASSWORD}).status_code == 302
    )
    for _ in range(3):
        TOTPDevice.objects.get(pk=device.pk).throttle_reset()
        answer = client.post("/accounts/login/verify/", {"otp": wrong})
    assert answer.status_code == 302
    assert answer["Location"].startswith(LOGIN_URL)
    assert client.get("/api/v1/me/").status_code in (401, 403)


def test_guessing_from_many_addresses_is_throttled_but_not_at_the_users_own(
    personas, mfa_off, settings
):
    settings.OCROTIRE_LOCKOUT_ATTEMPTS = 3
    settings.OCROTIRE_SIGNIN_NAME_LIMIT = 4
    assert _token("admin", PASSWORD, OFFICE).status_code == 200  # the administrator's office
    # One guess each from many machines, at the administrator and at a name no account has.
    botnet = [f"192.0.2.{n}" for n in range(1, 5)]
    for number, address in enumerate(botnet, start=1):
        known = _token("admin", "wrong", address)
        unknown = _token("nobody-here", "wrong", address)
        assert known.status_code == unknown.status_code == 401, number
    # Past the name's limit a new address is refused, for both names alike …
    known = _token("admin", PASSWORD, "192.0.2.77")
    unknown = _token("nobody-here", PASSWORD, "192.0.2.77")
    assert known.status_code == unknown.status_code == 429
    assert known.json() == unknown.json()
    assert known["Retry-After"] == unknown["Retry-After"]
    # … but the administrator still signs in from where they signed in before.
    assert _token("admin", PASSWORD, OFFICE).status_code == 200
    assert _page("admin", PASSWORD, OFFICE).status_code == 302
    assert AuditEvent.objects.filter(
        action="throttled", changes__scope="name", object_id=str(personas["admin"].pk)
    ).exists()


def test_old_counts_are_removed_and_known_addresses_kept(personas, mfa_off):
    assert _token("admin", PASSWORD, OFFICE).status_code == 200
    long_ago = timezone.now() - timedelta(days=2)
    old = SignInThrottle.objects.create(
        scope="address", key="192.0.2.200", failures=3, window_started_at=long_ago
    )
    SignInThrottle.objects.filter(scope="known_address").update(window_started_at=long_ago)
    assert _token("nobody-here", "wrong", STRANGER).status_code == 401
    assert not SignInThrottle.objects.filter(pk=old.pk).exists()
    assert SignInThrottle.objects.filter(scope="known_address").count() == 1
