"""A URL map for test_errors: the site's own, with a page and an API view that raise each domain
error from a service two calls deep. `old` pages answer as every page did by hand before
core.errors (try/except per view), so the tests can hold the two answers side by side."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path
from django.utils.translation import gettext_lazy
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ocrotire.core.errors import Conflict, DomainError, Invalid, NotAllowed, NotFound
from ocrotire.core.forms import add_service_errors, service_call
from ocrotire.site.urls import handler400, handler403, handler404, handler500
from ocrotire.site.urls import urlpatterns as site_urlpatterns

# A sentence the catalogues already hold (the plan pages' conflict).
CONFLICT = gettext_lazy(
    "Someone else changed this while you were working on it, so nothing was saved. Look at it "
    "again, then repeat your step."
)
REASON = gettext_lazy("You do not have permission to see this page.")


def _deepest(kind: str) -> None:
    if kind == "not_found":
        raise NotFound
    if kind == "not_allowed":
        raise NotAllowed
    if kind == "not_allowed_reason":
        raise NotAllowed(REASON)
    if kind == "conflict":
        raise Conflict
    if kind == "invalid_field":
        raise Invalid({"name": ["This name is taken."]})
    if kind == "invalid_list":
        raise Invalid(["The dates cross.", "The unit is closed."])
    if kind == "invalid_message":
        raise Invalid("The dates cross.")
    if kind == "django_invalid":
        raise ValidationError({"name": ["This name is taken."], "other": ["Not a field here."]})
    if kind == "django_404":
        raise Http404
    if kind == "django_403":
        raise PermissionDenied
    if kind == "domain":
        raise DomainError
    if kind == "runtime":
        raise RuntimeError("a bug")


def thing_update(*, kind: str) -> None:
    """Stands for a service: it calls further down, where the refusal is raised."""
    _deepest(kind)


class NameForm(forms.Form):
    name = forms.CharField(required=False)


def _form_page(form: NameForm, status: int) -> HttpResponse:
    errors = {field: [str(e) for e in texts] for field, texts in form.errors.items()}
    return HttpResponse(repr(sorted(errors.items())), status=status)


def page_new(request: HttpRequest, kind: str) -> HttpResponse:
    form = NameForm({"name": "x"})
    assert form.is_valid()
    with service_call(form, conflict=CONFLICT) as call:
        thing_update(kind=kind)
    if call.ok:
        return HttpResponse("saved")
    return _form_page(form, call.status(400))


def page_old(request: HttpRequest, kind: str) -> HttpResponse:
    form = NameForm({"name": "x"})
    assert form.is_valid()
    try:
        thing_update(kind=kind)
    except Conflict:
        form.add_error(None, str(CONFLICT))
        return _form_page(form, 409)
    except ValidationError as exc:
        add_service_errors(form, exc)
    except PermissionDenied as exc:
        raise PermissionDenied from exc
    else:
        return HttpResponse("saved")
    return _form_page(form, 400)


def page_unguarded(request: HttpRequest, kind: str) -> HttpResponse:
    """A page that catches nothing: a refusal from deep in a service is still a 403 or 404."""
    thing_update(kind=kind)
    return HttpResponse("saved")


def _messages_page(request: HttpRequest) -> HttpResponse:
    return HttpResponse(repr([(m.level_tag, str(m)) for m in messages.get_messages(request)]))


def messages_new(request: HttpRequest, kind: str) -> HttpResponse:
    with service_call(request=request, conflict=CONFLICT) as call:
        thing_update(kind=kind)
    if call.ok:
        messages.success(request, "saved")
    return _messages_page(request)


def messages_old(request: HttpRequest, kind: str) -> HttpResponse:
    try:
        thing_update(kind=kind)
    except Conflict:
        messages.error(request, str(CONFLICT))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionDenied as exc:
        raise PermissionDenied from exc
    else:
        messages.success(request, "saved")
    return _messages_page(request)


class ProbeApi(APIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    def post(self, request: Request, kind: str) -> Response:
        thing_update(kind=kind)
        return Response({"saved": True})


urlpatterns = [
    path("probe/page/new/<str:kind>/", page_new),
    path("probe/page/old/<str:kind>/", page_old),
    path("probe/page/unguarded/<str:kind>/", page_unguarded),
    path("probe/messages/new/<str:kind>/", messages_new),
    path("probe/messages/old/<str:kind>/", messages_old),
    path("api/probe/<str:kind>/", ProbeApi.as_view()),
    *site_urlpatterns,
]

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
