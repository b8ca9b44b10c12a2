"""The public pages (no account, no JavaScript needed): report a concern, follow it with the
tracking code, add information, read the privacy notice, leave quickly.

Choices (issue 21, pages):

- The tracking code never travels in an address: following a report is a POST, and the page that
  shows a new code is the answer to the POST itself, not a redirect to a page that could be
  reloaded or kept in the history. Pages with a code are never cached.
- A wrong code is the API's "Not found." (same 404 for a code of the wrong shape); past a limit the
  page answers 429 with the service's sentence.
- "Leave this page quickly" goes to `public:away`, a blank page of this site with a neutral title:
  the system runs on closed networks, so no outside address is used.
- Nothing here reads or logs the visitor's address or user agent; the services count limits under
  a keyed digest and keep none with a report.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ocrotire.core.errors import NotFound
from ocrotire.geo.helplines import numbers_shown
from ocrotire.intake import public, public_steps
from ocrotire.intake.public_forms import (
    PublicComplaintForm,
    PublicMessageForm,
    PublicReportForm,
    TrackingCodeForm,
)


def _page(
    request: HttpRequest,
    template: str,
    context: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    """A public page, with the numbers to call at its top."""
    return render(request, template, {**(context or {}), "numbers": numbers_shown()}, status=status)


# The services' error keys, shown beside the page's fields.
_REPORT_FIELDS = {
    "reporter": "reporter",
    "unit": "place",
    "country": "place",
    "children": "child_0_name",
    "narrative": "narrative",
    "immediate_danger": "immediate_danger",
}


def _errors_to_form(form: forms.Form, exc: ValidationError, fields: dict[str, str]) -> None:
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for key, errors in exc.error_dict.items():
        form.add_error(fields.get(key), errors)


def _throttled(request: HttpRequest, exc: public.PublicThrottled) -> HttpResponse:
    response = _page(request, "intake/public/throttled.html", {"message": exc.message}, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response


def _status_text(view: public.PublicView) -> str:
    status = view.status
    if view.kind == "complaint":
        return {
            public.PublicStatus.RECEIVED: _(
                "Your complaint was received. It will be answered by %(date)s at the latest."
            )
            % {"date": date_format(view.answer_due, "DATE_FORMAT") if view.answer_due else "—"},
            public.PublicStatus.BEING_LOOKED_INTO: _("Your complaint is being looked into."),
            public.PublicStatus.CLOSED: _("Your complaint was answered. Read the answer below."),
        }[status]
    return {
        public.PublicStatus.RECEIVED: _(
            "Your report was received. Someone will read it and decide what to do."
        ),
        public.PublicStatus.BEING_LOOKED_INTO: _("Your report is being looked into."),
        public.PublicStatus.CLOSED: _("Your report is closed."),
    }[status]


def _status_page(
    request: HttpRequest,
    code: str,
    view: public.PublicView,
    message_form: PublicMessageForm | None = None,
    added: bool = False,
    status: int = 200,
) -> HttpResponse:
    return _page(
        request,
        "intake/public/status.html",
        {
            "status_text": _status_text(view),
            "status": view.status,
            "kind": view.kind,
            "replies": view.replies,
            "form": message_form or PublicMessageForm(initial={"code": code}),
            "added": added,
        },
        status=status,
    )


def _not_found(request: HttpRequest, code: str) -> HttpResponse:
    form = TrackingCodeForm(initial={"code": code})
    form.is_bound = False
    return _page(
        request, "intake/public/follow.html", {"form": form, "not_found": True}, status=404
    )


@require_GET
def public_home_view(request: HttpRequest) -> HttpResponse:
    return _page(request, "intake/public/home.html")


@never_cache
@require_http_methods(["GET", "POST"])
def public_report_create_view(request: HttpRequest) -> HttpResponse:
    form = PublicReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            filing = public.public_report_file(data=form.report_input())
        except public.PublicThrottled as exc:
            return _throttled(request, exc)
        except ValidationError as exc:
            _errors_to_form(form, exc, _REPORT_FIELDS)
        else:
            context: dict[str, Any] = {"code": filing.tracking_code}
            if filing.report.immediate_danger:
                context["what_to_do_now"] = public.what_to_do_now(filing.report.unit.country)
            return _page(request, "intake/public/filed.html", context)
    return _page(
        request,
        "intake/public/report_form.html",
        {"form": form},
        status=400 if form.is_bound else 200,
    )


_COMPLAINT_FIELDS = {
    "reporter": "reporter",
    "about": "about",
    "about_name": "about_name",
    "narrative": "narrative",
    "unit": "place",
    "country": "place",
}


@never_cache
@require_http_methods(["GET", "POST"])
def public_complaint_create_view(request: HttpRequest) -> HttpResponse:
    form = PublicComplaintForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            filing = public.public_complaint_file(data=form.complaint_input())
        except public.PublicThrottled as exc:
            return _throttled(request, exc)
        except ValidationError as exc:
            _errors_to_form(form, exc, _COMPLAINT_FIELDS)
        else:
            return _page(
                request,
                "intake/public/filed.html",
                {"code": filing.tracking_code, "kind": "complaint"},
            )
    return _page(
        request,
        "intake/public/complaint_form.html",
        {"form": form},
        status=400 if form.is_bound else 200,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def public_follow_view(request: HttpRequest) -> HttpResponse:
    form = TrackingCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        try:
            view = public.public_report_view(code=code)
        except public.PublicThrottled as exc:
            return _throttled(request, exc)
        except NotFound:
            return _not_found(request, code)
        return _status_page(request, code, view)
    return _page(
        request, "intake/public/follow.html", {"form": form}, status=400 if form.is_bound else 200
    )


@never_cache
@require_POST
def public_message_view(request: HttpRequest) -> HttpResponse:
    form = PublicMessageForm(request.POST, request.FILES)
    code = request.POST.get("code", "")
    try:
        if form.is_valid():
            try:
                public.public_message_add(
                    code=code, text=form.cleaned_data["text"], upload=form.cleaned_data["file"]
                )
            except ValidationError as exc:
                _errors_to_form(form, exc, {"text": "text", "file": "file"})
            else:
                view = public.public_report_view(code=code)
                return _status_page(request, code, view, added=True)
        view = public.public_report_view(code=code)
    except public.PublicThrottled as exc:
        return _throttled(request, exc)
    except NotFound:
        return _not_found(request, code)
    return _status_page(request, code, view, message_form=form, status=400)


def _child_page(
    request: HttpRequest,
    form: public_steps.ChildStepsForm,
    *,
    review: bool = False,
    status: int = 200,
) -> HttpResponse:
    context: dict[str, Any] = {
        "form": form,
        "page": public_steps.step_page(form.step),
        "review": review,
        "danger_now": form.step == "about" and form["danger"].value() == "yes",
    }
    if form.step == "check":
        context["summary"] = form.summary()
    return _page(request, "intake/public/child_steps.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def public_child_view(request: HttpRequest) -> HttpResponse:
    """The children's short steps (public_steps): each page sends the answers so far; "Back" and
    "Change" go to an earlier page without checking, "Next" checks every answer up to the page."""
    if request.method == "GET":
        return _child_page(request, public_steps.ChildStepsForm())
    sent = request.POST.get("step", "")
    sent = sent if sent in public_steps.STEPS else "danger"
    go = request.POST.get("go", "")
    if go == "back" or go in public_steps.STEPS:
        target = public_steps.step_before(sent) if go == "back" else go
        if public_steps.STEPS.index(target) > public_steps.STEPS.index(sent):
            target = sent
        form = public_steps.ChildStepsForm(initial=request.POST.dict(), step=target)
        return _child_page(request, form, review=go != "back" or "review" in request.POST)
    form = public_steps.ChildStepsForm(request.POST, step=sent)
    review = "review" in request.POST
    if not form.is_valid():
        form.step = form.first_step_with_errors() or sent
        return _child_page(request, form, review=review, status=400)
    if form.step != "check":
        form.step = "check" if review else public_steps.step_after(form.step)
        return _child_page(request, form)
    trap = form.trap_error()
    if trap:
        form.restart_clock()
        form.add_error(None, trap)
        return _child_page(request, form, status=400)
    try:
        filing = public.public_report_file(data=form.report_input())
    except public.PublicThrottled as exc:
        return _throttled(request, exc)
    except ValidationError as exc:
        for key, errors in getattr(exc, "error_dict", {None: exc.error_list}).items():
            step = public_steps.SERVICE_STEPS.get(key or "")
            fields = public_steps.STEP_FIELDS.get(step or "", ())
            form.add_error(fields[0] if fields else None, errors)
        form.step = form.first_step_with_errors() or "check"
        return _child_page(request, form, status=400)
    context: dict[str, Any] = {"code": filing.tracking_code}
    if filing.report.immediate_danger:
        context["what_to_do_now"] = public.what_to_do_now(filing.report.unit.country)
    return _page(request, "intake/public/filed.html", context)


@require_GET
def public_privacy_view(request: HttpRequest) -> HttpResponse:
    return _page(request, "intake/public/privacy.html")


@require_GET
def public_away_view(request: HttpRequest) -> HttpResponse:
    return _page(request, "intake/public/away.html")
