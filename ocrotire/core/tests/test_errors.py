"""Domain errors seen from outside: each kind answers with the same status and message on the API
and on a page, wherever it is raised; a page that uses `service_call` answers exactly as the
pages answered by hand before; a refusal from deep in a service is a 403 page, never a 500."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.test import Client
from django.utils import translation
from rest_framework.test import APIClient

from ocrotire.core.errors import AppendOnly, Conflict, DomainError, Invalid, NotAllowed, NotFound

pytestmark = [pytest.mark.django_db, pytest.mark.urls("ocrotire.core.tests.errors_probe")]

LANGUAGES = ["en", "ro"]
KINDS = [
    "not_found",
    "not_allowed",
    "not_allowed_reason",
    "conflict",
    "invalid_field",
    "invalid_list",
    "invalid_message",
    "django_invalid",
    "django_404",
    "django_403",
]


def _text(message: str, language: str) -> str:
    with translation.override(language):
        return translation.gettext(message)


def _page(response: Any, body: str) -> tuple[int, str]:
    """A response's status and body without the masked CSRF token, which differs in every
    answer."""
    return response.status_code, re.sub(
        r'(X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[^"]*', r"\1", body
    )


def _envelope(code: str, message: str, fields: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def test_each_kind_is_one_of_djangos_own():
    assert issubclass(NotFound, Http404)
    assert issubclass(NotFound, DomainError)
    assert issubclass(NotAllowed, PermissionDenied)
    assert issubclass(NotAllowed, DomainError)
    assert issubclass(Invalid, ValidationError)
    assert issubclass(Invalid, DomainError)
    assert issubclass(Conflict, DomainError)
    assert not issubclass(AppendOnly, DomainError)
    assert Invalid({"name": ["x"]}).message_dict == {"name": ["x"]}
    assert NotAllowed("why").reason == "why"
    assert NotAllowed().reason is None


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_api_answers_each_kind_with_its_status_and_envelope(language):
    denied = _text("You do not have permission to perform this action.", language)
    expected = {
        "not_found": (404, _envelope("not_found", _text("Not found.", language))),
        "django_404": (404, _envelope("not_found", _text("Not found.", language))),
        "not_allowed": (403, _envelope("permission_denied", denied)),
        "django_403": (403, _envelope("permission_denied", denied)),
        "not_allowed_reason": (
            403,
            _envelope(
                "permission_denied",
                _text("You do not have permission to see this page.", language),
            ),
        ),
        "conflict": (
            409,
            _envelope(
                "conflict",
                _text(
                    "The record was changed by someone else since you read it. Reload it and "
                    "try again.",
                    language,
                ),
            ),
        ),
        "invalid_field": (
            400,
            _envelope(
                "invalid",
                _text("The request has invalid fields.", language),
                {"name": ["This name is taken."]},
            ),
        ),
        "invalid_list": (
            400,
            _envelope(
                "invalid",
                _text("The request has invalid fields.", language),
                {"non_field_errors": ["The dates cross.", "The unit is closed."]},
            ),
        ),
        "invalid_message": (
            400,
            _envelope(
                "invalid",
                _text("The request has invalid fields.", language),
                {"non_field_errors": ["The dates cross."]},
            ),
        ),
        "django_invalid": (
            400,
            _envelope(
                "invalid",
                _text("The request has invalid fields.", language),
                {"name": ["This name is taken."], "other": ["Not a field here."]},
            ),
        ),
    }
    client = APIClient()
    for kind in KINDS:
        response = client.post(f"/api/probe/{kind}/", HTTP_ACCEPT_LANGUAGE=language)
        status, body = expected[kind]
        assert (response.status_code, response.json()) == (status, body), kind


def test_the_api_lets_an_unmapped_error_through():
    """A bare DomainError or a bug is no refusal to explain: it stays a 500 with its traceback."""
    client = APIClient()
    with pytest.raises(DomainError):
        client.post("/api/probe/domain/")
    with pytest.raises(RuntimeError):
        client.post("/api/probe/runtime/")
    assert client.post("/api/probe/none/").json() == {"saved": True}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", KINDS)
def test_a_page_with_service_call_answers_as_the_pages_did_by_hand(kind, language):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    for answer in ("page", "messages"):
        new = client.get(f"/probe/{answer}/new/{kind}/")
        old = client.get(f"/probe/{answer}/old/{kind}/")
        # The sign-in form's `next` names the probe's own address.
        new_body = new.content.decode().replace(f"/{answer}/new/", f"/{answer}/old/")
        assert _page(new, new_body) == _page(old, old.content.decode()), answer


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_page_answers_each_kind_with_its_status_and_message(language):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    conflict = _text(
        "Someone else changed this while you were working on it, so nothing was saved. Look at "
        "it again, then repeat your step.",
        language,
    )
    answer = client.get("/probe/page/new/conflict/")
    assert answer.status_code == 409
    assert answer.content.decode() == repr([("__all__", [conflict])])
    answer = client.get("/probe/page/new/invalid_field/")
    assert answer.status_code == 400
    assert answer.content.decode() == repr([("name", ["This name is taken."])])
    answer = client.get("/probe/page/new/django_invalid/")
    assert answer.status_code == 400
    assert answer.content.decode() == repr(
        [("__all__", ["Not a field here."]), ("name", ["This name is taken."])]
    )
    answer = client.get("/probe/page/new/invalid_list/")
    assert answer.content.decode() == repr(
        [("__all__", ["The dates cross.", "The unit is closed."])]
    )
    answer = client.get("/probe/messages/new/conflict/")
    assert answer.content.decode() == repr([("error", conflict)])
    answer = client.get("/probe/messages/new/invalid_list/")
    assert answer.content.decode() == repr([("error", "The dates cross. The unit is closed.")])
    assert client.get("/probe/page/new/none/").content == b"saved"


@pytest.mark.parametrize("page", ["page/new", "messages/new", "page/unguarded"])
@pytest.mark.parametrize("language", LANGUAGES)
def test_a_refusal_deep_in_a_service_is_the_403_or_404_page(page, language):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    forbidden = _text("You do not have permission to see this page.", language)
    missing = _text("This page does not exist, or it is not yours to see.", language)
    for kind in ("not_allowed", "not_allowed_reason", "django_403"):
        answer = client.get(f"/probe/{page}/{kind}/")
        assert answer.status_code == 403, kind
        assert forbidden in answer.content.decode(), kind
        assert "<html" in answer.content.decode()
    for kind in ("not_found", "django_404"):
        answer = client.get(f"/probe/{page}/{kind}/")
        assert answer.status_code == 404, kind
        assert missing in answer.content.decode(), kind


def test_a_page_without_a_conflict_sentence_lets_the_conflict_through(rf):
    from ocrotire.core.forms import service_call
    from ocrotire.core.tests.errors_probe import NameForm

    form = NameForm({"name": "x"})
    with pytest.raises(Conflict), service_call(form):
        raise Conflict
    with pytest.raises(TypeError):
        service_call()


def test_a_real_refusal_from_a_view_answers_the_api_envelope(api, personas):
    """The registry's own check (`NotAllowed` in the view) for a member outside the registry."""
    response = api(personas["auditor"]).get("/api/v1/persons/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    assert response.json() == _envelope(
        "permission_denied", "You do not have permission to perform this action."
    )
