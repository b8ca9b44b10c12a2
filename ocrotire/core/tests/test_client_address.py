"""The audit log's address and request id come from the server, never from what a client sends."""

from __future__ import annotations

import re
import runpy
from pathlib import Path
from typing import Any

import pytest
from rest_framework.response import Response
from rest_framework.test import APIClient

from ocrotire.core.models import AuditEvent

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
PROXY = "10.0.0.2"
CONF = Path(__file__).resolve().parents[3] / "config" / "gunicorn.conf.py"


def _failed_sign_in(remote_addr: str = PROXY, **headers: Any) -> tuple[AuditEvent, Response]:
    response = APIClient(REMOTE_ADDR=remote_addr).post(
        TOKEN_URL, {"username": "nobody", "password": "wrong"}, format="json", **headers
    )
    assert response.status_code == 401
    return AuditEvent.objects.filter(action="login_failed").latest("id"), response


def test_forged_forwarded_for_is_ignored_without_a_trusted_proxy(settings):
    settings.OCROTIRE_TRUSTED_PROXIES = 0
    settings.PRODUCTION = True  # the header was once believed in production
    row, _ = _failed_sign_in(HTTP_X_FORWARDED_FOR="6.6.6.6")
    assert row.ip == PROXY


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        # The hop the one trusted proxy appended, not what the client put before it.
        (1, "6.6.6.6, 203.0.113.5", "203.0.113.5"),
        (1, "203.0.113.5", "203.0.113.5"),
        # Two proxies: the outer one appended the client, the inner one the outer proxy.
        (2, "6.6.6.6, 203.0.113.5, 10.0.0.1", "203.0.113.5"),
        # Fewer hops than trusted proxies, or a hop that is no address: the peer's address.
        (2, "203.0.113.5", PROXY),
        (1, "", PROXY),
        (1, "6.6.6.6, not-an-address", PROXY),
    ],
)
def test_the_trusted_proxies_hop_reaches_the_audit_row(settings, proxies, forwarded, expected):
    settings.OCROTIRE_TRUSTED_PROXIES = proxies
    row, _ = _failed_sign_in(HTTP_X_FORWARDED_FOR=forwarded)
    assert row.ip == expected


def test_the_request_id_is_the_servers_and_a_clients_is_kept_beside_it():
    row, response = _failed_sign_in(HTTP_X_REQUEST_ID="client-chosen-id")
    assert row.request_id != "client-chosen-id"
    assert re.fullmatch(r"[0-9a-f]{32}", row.request_id)
    assert response["X-Request-ID"] == row.request_id
    assert row.changes["client_request_id"] == "client-chosen-id"
    # Two requests never share an id, whatever the client sends.
    second, _ = _failed_sign_in(HTTP_X_REQUEST_ID="client-chosen-id")
    assert second.request_id != row.request_id
    # What a client sends is kept only as a short, plain token.
    odd, _ = _failed_sign_in(HTTP_X_REQUEST_ID="<script>" + "x" * 200)
    assert "client_request_id" not in odd.changes


def test_gunicorn_and_the_application_trust_the_same_proxies(monkeypatch):
    monkeypatch.setenv("OCROTIRE_TRUSTED_PROXIES", "1")
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "10.0.0.1")
    assert runpy.run_path(str(CONF))["forwarded_allow_ips"] == "10.0.0.1"
    # A proxy trusted by one and not the other is refused at start-up.
    monkeypatch.delenv("FORWARDED_ALLOW_IPS")
    with pytest.raises(RuntimeError, match="FORWARDED_ALLOW_IPS"):
        runpy.run_path(str(CONF))
    monkeypatch.setenv("OCROTIRE_TRUSTED_PROXIES", "0")
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "10.0.0.1")
    with pytest.raises(RuntimeError, match="OCROTIRE_TRUSTED_PROXIES"):
        runpy.run_path(str(CONF))
