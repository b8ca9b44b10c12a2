"""Server-rendered pages: sign-in with the second factor, home per role, scoping, headers, languages."""

from __future__ import annotations

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import PASSWORD
from ocrotire.accounts.models import Role, User
from ocrotire.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def _login(client: Client, username: str, password: str = PASSWORD):
    return client.post("/accounts/login/", {"username": username, "password": password})


@pytest.mark.parametrize(
    ("language", "title"),
    [("ro", "Autentificare"), ("uk", "Вхід"), ("ru", "Вход"), ("en", "Sign in")],
)
def test_login_page_in_each_language(client, language, title):
    client.cookies["django_language"] = language
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert f"<h1>{title}</h1>" in html


def test_romanian_is_the_default_language(client):
    response = client.get("/accounts/login/")
    assert '<html lang="ro">' in response.content.decode()


def test_sign_in_and_home_per_role(client, personas, mfa_off):
    response = _login(client, "auditor")
    assert response.status_code == 302
    assert response["Location"] == "/home/"
    home = client.get("/home/").content.decode()
    assert 'href="/audit/"' in home
    assert 'href="/admin/"' not in home
    client.post("/accounts/logout/")
    _login(client, "admin")
    home = client.get("/home/").content.decode()
    assert 'href="/admin/"' in home
    assert 'href="/audit/"' not in home


def test_wrong_password_shows_a_message_and_nothing_else(client, personas, mfa_off):
    response = _login(client, "specialist", "wrong")
    assert response.status_code == 200
    assert "parola" in response.content.decode().lower()
    assert "_auth_user_id" not in client.session


def test_two_factor_setup_then_verify(client, personas, settings):
    settings.OCROTIRE_MFA_ENFORCED = True
    Role.objects.filter(code="specialist").update(mfa_required=True)
    response = _login(client, "specialist")
    assert response["Location"] == "/accounts/two-factor/setup/"
    # Until the second factor passes, every page sends the user back to it.
    assert client.get("/home/")["Location"] == "/accounts/two-factor/setup/"
    assert client.get("/accounts/institutions/")["Location"] == "/accounts/two-factor/setup/"
    page = client.get("/accounts/two-factor/setup/")
    assert page.status_code == 200
    assert b"<svg" in page.content
    device = TOTPDevice.objects.get(user__username="specialist", confirmed=False)
    assert client.post("/accounts/two-factor/setup/", {"otp": "12"}).status_code == 200
    done = client.post("/accounts/two-factor/setup/", {"otp": _code(device)})
    assert done.status_code == 302
    assert client.get("/home/").status_code == 200
    assert AuditEvent.objects.filter(action="mfa_enrolled", actor__username="specialist").exists()

    client.post("/accounts/logout/")
    assert _login(client, "specialist")["Location"] == "/accounts/login/verify/"
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    assert client.post("/accounts/login/verify/", {"otp": _code(device)}).status_code == 302
    assert client.get("/home/").status_code == 200


@pytest.mark.parametrize(
    ("persona", "status"), [("specialist", 200), ("specialist2", 404), ("supervisor", 200)]
)
def test_institution_page_of_another_sector_is_404(
    client, personas, institutions, mfa_off, persona, status
):
    client.force_login(personas[persona])
    response = client.get(f"/accounts/institutions/{institutions['SCH-BOT'].pk}/")
    assert response.status_code == status


def test_user_without_role_sees_no_reference_data(client, personas, mfa_off):
    client.force_login(personas["outsider"])
    assert client.get("/accounts/institutions/").status_code == 403
    assert client.get("/territory/").status_code == 403
    assert client.get("/audit/").status_code == 403


def test_audit_page_for_auditors_only(client, personas, mfa_off):
    client.force_login(personas["specialist"])
    assert client.get("/audit/").status_code == 403
    client.force_login(personas["auditor"])
    response = client.get("/audit/", {"actor": "specialist"})
    assert response.status_code == 200


def test_institution_create_and_edit_through_pages(
    client, personas, institutions, territory, mfa_off
):
    client.force_login(personas["supervisor"])
    response = client.post(
        "/accounts/institutions/new/",
        {
            "name": "Centrul de zi Nou",
            "abbreviation": "CZN",
            "kind": "service_provider",
            "units": [territory["MD-CU-BOT"].pk],
        },
    )
    assert response.status_code == 302
    school = institutions["SCH-CEN"]
    stale = client.post(
        f"/accounts/institutions/{school.pk}/edit/",
        {
            "name": "Renamed",
            "kind": "school",
            "units": [territory["MD-CU-CEN"].pk],
            "version": 0,
        },
    )
    assert stale.status_code == 200
    assert "Reload" in stale.content.decode() or "Reîncărcați" in stale.content.decode()
    school.refresh_from_db()
    assert school.name == "Școala Centru"


def test_htmx_search_returns_only_the_results_fragment(client, personas, institutions, mfa_off):
    client.force_login(personas["supervisor"])
    response = client.get("/accounts/institutions/", {"q": "Botanica"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert 'id="results"' in html
    assert "<html" not in html
    assert "Școala Botanica" in html
    assert "Școala Centru" not in html


def test_territory_tree_without_and_with_htmx(client, personas, territory, mfa_off):
    client.force_login(personas["specialist"])
    chisinau = territory["MD-CU"]
    page = client.get(f"/territory/{chisinau.pk}/").content.decode()
    assert "Botanica" in page
    assert "<html" in page
    fragment = client.get(f"/territory/{chisinau.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "Botanica" in fragment
    assert "<html" not in fragment


def test_language_switch_is_remembered_on_the_user(client, personas, mfa_off):
    _login(client, "specialist")
    response = client.post("/accounts/language/", {"language": "uk", "next": "/home/"})
    assert response.status_code == 302
    assert User.objects.get(username="specialist").language == "uk"
    fresh = Client()
    _login(fresh, "specialist")
    assert '<html lang="uk">' in fresh.get("/home/").content.decode()


def test_security_headers(client):
    response = client.get("/accounts/login/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_login_without_csrf_token_is_refused(personas, mfa_off):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "specialist", "password": PASSWORD})
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_sessions_expire_after_inactivity(settings):
    assert settings.SESSION_COOKIE_AGE <= 3600
    assert settings.SESSION_SAVE_EVERY_REQUEST


def test_admin_login_goes_through_our_sign_in(client):
    response = client.get("/admin/login/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_html_404_for_pages(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert b"<html" in response.content


@pytest.mark.parametrize(
    "path", ["/accounts/institutions/?q=a%00b", "/registry/?q=%00", "/audit/?actor=%00"]
)
def test_null_characters_are_a_clean_400(client, personas, mfa_off, path):
    client.force_login(personas["admin"])
    assert client.get(path).status_code == 400


@pytest.mark.parametrize(
    "path",
    [
        "/reports/?received_from=2024-13-45",
        "/reports/?received_to=2024-02-30",
        "/audit/?since=2024-13-45",
        "/audit/?until=2024-02-30",
    ],
)
def test_an_impossible_date_in_a_filter_is_ignored_not_a_500(client, personas, mfa_off, path):
    client.force_login(personas["auditor" if path.startswith("/audit/") else "admin"])
    assert client.get(path).status_code == 200
