"""Tokens and sessions can be revoked: by their owner (page and API), and they end when the
password, activity, roles or the role's second-factor policy change."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from conftest import PASSWORD
from ocrotire.accounts.models import ApiToken, Role, User, UserSession
from ocrotire.core.models import AuditEvent

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
REVOKE_URL = "/api/v1/auth/token/revoke/"
NEW_PASSWORD = "a-new-and-long-passphrase-42"


def _token(username: str, password: str = PASSWORD) -> str:
    response = APIClient().post(
        TOKEN_URL,
        {"username": username, "password": password},
        format="json",
        HTTP_USER_AGENT="tests/1.0",
    )
    assert response.status_code == 200, response.json()
    return str(response.json()["token"])


def _with_token(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def _browser(username: str, password: str = PASSWORD) -> Client:
    client = Client(HTTP_USER_AGENT="Firefox/tests")
    assert client.post("/accounts/login/", {"username": username, "password": password})[
        "Location"
    ].startswith("/")
    assert client.get("/home/").status_code == 200
    return client


def _signed_in(client: Client) -> bool:
    return client.get("/home/").status_code == 200


def _admin(personas) -> Client:
    client = Client()
    client.force_login(personas["admin"])
    return client


def test_own_password_change_ends_other_sessions_and_tokens(personas, mfa_off):
    token = _token("specialist")
    here, elsewhere = _browser("specialist"), _browser("specialist")
    assert UserSession.objects.filter(user=personas["specialist"]).count() == 2
    wrong = here.post(
        "/accounts/password/",
        {
            "current_password": "wrong",
            "new_password": NEW_PASSWORD,
            "new_password_again": NEW_PASSWORD,
        },
    )
    assert wrong.status_code == 200
    assert _with_token(token).get("/api/v1/me/").status_code == 200
    done = here.post(
        "/accounts/password/",
        {
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "new_password_again": NEW_PASSWORD,
        },
    )
    assert done.status_code == 302
    assert _with_token(token).get("/api/v1/me/").status_code == 401
    assert _signed_in(here)
    assert not _signed_in(elsewhere)
    assert User.objects.get(username="specialist").check_password(NEW_PASSWORD)
    assert AuditEvent.objects.filter(
        action="update", object_id=str(personas["specialist"].pk), changes__password="changed"
    ).exists()


def test_administrators_password_change_is_audited_and_ends_everything(personas, mfa_off):
    token = _token("specialist")
    browser = _browser("specialist")
    admin = _admin(personas)
    user = personas["specialist"]
    response = admin.post(
        f"/admin/accounts/user/{user.pk}/password/",
        {"usable_password": "true", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert User.objects.get(pk=user.pk).check_password(NEW_PASSWORD)
    assert _with_token(token).get("/api/v1/me/").status_code == 401
    assert not _signed_in(browser)
    assert AuditEvent.objects.filter(
        actor=personas["admin"],
        object_id=str(user.pk),
        changes__password="changed by an administrator",
    ).exists()
    # The administrator's own session goes on.
    assert admin.get("/admin/").status_code == 200
    # Their own password is changed on the same page as everyone's.
    assert admin.get("/admin/password_change/")["Location"] == "/accounts/password/"


def test_role_change_and_mandatory_second_factor_end_tokens(personas, mfa_off):
    from ocrotire.accounts.services import role_policy_set, user_upsert

    token = _token("reporter")
    user_upsert(
        actor=personas["admin"],
        username="reporter",
        password=None,
        roles=["reporter", "planner"],
        institution=personas["reporter"].institution,
    )
    assert _with_token(token).get("/api/v1/me/").status_code == 401

    token = _token("specialist")
    browser = _browser("specialist")
    Role.objects.filter(code="specialist").update(mfa_required=False)
    admin = _admin(personas)
    role = Role.objects.get(code="specialist")
    answer = admin.post(f"/admin/accounts/role/{role.pk}/change/", {"mfa_required": "on"})
    assert answer.status_code == 302
    assert Role.objects.get(pk=role.pk).mfa_required
    assert _with_token(token).get("/api/v1/me/").status_code == 401
    assert not _signed_in(browser)
    # Switching it off again ends nothing.
    token = _token("specialist")
    role_policy_set(actor=None, role=Role.objects.get(pk=role.pk), mfa_required=False)
    assert _with_token(token).get("/api/v1/me/").status_code == 200


def _user_form(admin: Client, user: User) -> dict[str, Any]:
    """The admin's change form of a user as it stands, ready to post back."""
    form = admin.get(f"/admin/accounts/user/{user.pk}/change/").context["adminform"].form
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if name in ("password", "date_joined", "last_login") or value is None:
            continue
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif isinstance(value, list):
            data[name] = [getattr(v, "pk", v) for v in value]
        else:
            data[name] = getattr(value, "pk", value)
    return data


def test_deactivation_in_the_admin_ends_sessions_and_tokens(personas, mfa_off):
    token = _token("specialist")
    _browser("specialist")
    user = personas["specialist"]
    admin = _admin(personas)
    data = _user_form(admin, user)
    data.pop("is_active", None)
    response = admin.post(f"/admin/accounts/user/{user.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert not User.objects.get(pk=user.pk).is_active
    assert not ApiToken.objects.filter(user=user).exists()
    assert not UserSession.objects.filter(user=user).exists()
    assert _with_token(token).get("/api/v1/me/").status_code == 401


def test_role_change_in_the_admin_ends_sessions_and_tokens(personas, mfa_off):
    token = _token("specialist")
    browser = _browser("specialist")
    user = personas["specialist"]
    admin = _admin(personas)
    unchanged = admin.post(f"/admin/accounts/user/{user.pk}/change/", _user_form(admin, user))
    assert unchanged.status_code == 302
    assert _with_token(token).get("/api/v1/me/").status_code == 200
    data = _user_form(admin, user)
    data["roles"] = [Role.objects.get(code="planner").pk]
    assert admin.post(f"/admin/accounts/user/{user.pk}/change/", data).status_code == 302
    assert _with_token(token).get("/api/v1/me/").status_code == 401
    assert not _signed_in(browser)
    assert AuditEvent.objects.filter(
        actor=personas["admin"], object_id=str(user.pk), changes__credentials_ended="roles_changed"
    ).exists()


def test_revoke_the_token_used_or_a_named_one(personas, mfa_off):
    first, second = _token("specialist"), _token("specialist")
    other = _token("specialist2")
    client = _with_token(first)
    assert client.post(REVOKE_URL, {}, format="json").status_code == 204
    assert client.get("/api/v1/me/").status_code == 401
    # Someone else's token is not found, and stays valid.
    others = ApiToken.objects.get(user=personas["specialist2"])
    answer = _with_token(second).post(REVOKE_URL, {"id": others.pk}, format="json")
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "not_found"
    assert _with_token(other).get("/api/v1/me/").status_code == 200
    assert _with_token(second).post(REVOKE_URL, {"id": "x"}, format="json").status_code == 400
    # A verified browser session names one of its own.
    browser = APIClient()
    browser.force_login(personas["specialist2"])
    assert browser.post(REVOKE_URL, {}, format="json").status_code == 400
    assert browser.post(REVOKE_URL, {"id": others.pk}, format="json").status_code == 204
    assert _with_token(other).get("/api/v1/me/").status_code == 401
    assert AuditEvent.objects.filter(
        object_type="accounts.apitoken", object_id=str(others.pk), action="delete"
    ).exists()
    assert APIClient().post(REVOKE_URL, {}, format="json").status_code in (401, 403)


def test_revoke_is_in_the_schema(personas, mfa_off):
    schema = APIClient().get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/auth/token/revoke/"]["post"]
    assert {"204", "400", "404"} <= set(operation["responses"])


def test_sessions_page_lists_and_ends_sessions_and_tokens(personas, mfa_off):
    token = _token("specialist")
    here, elsewhere = _browser("specialist"), _browser("specialist")
    assert 'href="/accounts/sessions/"' in here.get("/accounts/profile/").content.decode()
    page = here.get("/accounts/sessions/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Firefox/tests" in html
    assert "tests/1.0" in html
    sessions = list(UserSession.objects.filter(user=personas["specialist"]))
    assert len(sessions) == 2
    other = next(s for s in sessions if s.session_id != here.session.session_key)
    # Nobody else can end them.
    stranger = Client()
    stranger.force_login(personas["specialist2"])
    assert stranger.post(f"/accounts/sessions/{other.pk}/end/").status_code == 404
    assert _signed_in(elsewhere)
    assert here.post(f"/accounts/sessions/{other.pk}/end/").status_code == 302
    assert not _signed_in(elsewhere)
    assert _signed_in(here)
    pk = ApiToken.objects.get(user=personas["specialist"]).pk
    assert here.post(f"/accounts/tokens/{pk}/end/").status_code == 302
    assert _with_token(token).get("/api/v1/me/").status_code == 401


def test_a_password_set_by_any_other_path_also_ends_tokens(personas, mfa_off):
    """`manage.py changepassword` or a shell do not go through the services: the token still
    stops counting, as it carries a mark of the password it was issued under."""
    token = _token("specialist")
    user = User.objects.get(username="specialist")
    user.set_password(NEW_PASSWORD)
    user.save(update_fields=["password"])
    assert _with_token(token).get("/api/v1/me/").status_code == 401
    assert _with_token(_token("specialist", NEW_PASSWORD)).get("/api/v1/me/").status_code == 200


@pytest.mark.parametrize("language", ["ro", "uk", "ru", "en"])
def test_sessions_page_headings_start_with_a_capital(personas, mfa_off, language):
    """The tokens' heading is the model's plural name, lower-case in Romanian ("tokenuri API")."""
    user = personas["specialist"]
    user.language = language
    user.save(update_fields=["language"])
    html = _browser("specialist").get("/accounts/sessions/").content.decode()
    headings = re.findall(r"<h[12][^>]*>\s*(.*?)\s*</h[12]>", html, re.S)
    assert len(headings) >= 3
    for heading in headings:
        assert heading[0].isupper(), (language, heading)
