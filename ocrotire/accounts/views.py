"""Pages: sign-in with the two-factor step, sign-out, profile and language, institutions."""

from __future__ import annotations

import base64
from io import BytesIO

import django_otp
import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from ocrotire.accounts import services
from ocrotire.accounts.forms import InstitutionForm, LanguageForm, LoginForm, OtpForm
from ocrotire.accounts.models import InstitutionKind
from ocrotire.accounts.permissions import (
    acting_user,
    can_create_institution,
    can_edit_institution,
    member_or_403,
)
from ocrotire.accounts.selectors import institution_get, institution_list, user_profile
from ocrotire.core.audit import audit_record
from ocrotire.core.models import AuditAction
from ocrotire.geo.selectors import unit_choices


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, request.is_secure()
    ):
        return target
    return fallback


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated and request.method == "GET":
        return redirect("core:home")
    form = LoginForm(request.POST or None)
    retry_after: int | None = None
    if request.method == "POST" and form.is_valid():
        try:
            sign_in = services.credentials_check(
                username=form.cleaned_data["username"], password=form.cleaned_data["password"]
            )
        except services.SignInThrottled as throttled:
            form.add_error(None, throttled.message)
            retry_after = throttled.retry_after
        except services.AuthenticationFailed as failure:
            form.add_error(None, failure.message)
        else:
            login(request, sign_in.user)
            request.session["next"] = _safe_next(request, reverse("core:home"))
            # A language picked on the sign-in page is the user's latest explicit choice: keep it.
            chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
            if chosen in dict(settings.LANGUAGES) and chosen != sign_in.user.language:
                services.user_language_set(actor=sign_in.user, language=chosen)
            if sign_in.needs_otp:
                from django_otp import user_has_device

                if user_has_device(sign_in.user, confirmed=True):
                    return redirect("accounts:otp-verify")
                return redirect("accounts:otp-setup")
            services.login_success_record(user=sign_in.user, channel="web")
            response = HttpResponseRedirect(request.session.pop("next"))
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                sign_in.user.language,
                samesite="Lax",
                secure=settings.LANGUAGE_COOKIE_SECURE,
            )
            return response
    page = render(
        request, "accounts/login.html", {"form": form, "next": request.GET.get("next", "")}
    )
    if retry_after is not None:
        page.status_code = 429
        page["Retry-After"] = str(retry_after)
    return page


@login_required
@require_http_methods(["GET", "POST"])
def otp_verify_view(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = services.otp_check(user=user, otp=form.cleaned_data["otp"])
        if device is None:
            if services.signin_retry_after(username=user.get_username()) is not None:
                logout(request)
                messages.error(
                    request,
                    _("There were too many failed sign-ins. Wait a few minutes and try again."),
                )
                return redirect("accounts:login")
            form.add_error("otp", _("The code is not correct or has expired."))
        else:
            django_otp.login(request, device)
            services.login_success_record(user=user, channel="web")
            return HttpResponseRedirect(request.session.pop("next", reverse("core:home")))
    return render(request, "accounts/otp_verify.html", {"form": form})


def _qr_svg(uri: str) -> str:
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()


@login_required
@require_http_methods(["GET", "POST"])
def otp_setup_view(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    device = TOTPDevice.objects.filter(
        user=user, confirmed=False, pk=request.session.get("otp_setup_device")
    ).first()
    if device is None:
        device = services.totp_device_start(user=user)
        request.session["otp_setup_device"] = device.pk
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.totp_device_confirm(user=user, device=device, otp=form.cleaned_data["otp"]):
            request.session.pop("otp_setup_device", None)
            django_otp.login(request, device)
            services.login_success_record(user=user, channel="web")
            messages.success(request, _("Two-factor authentication is now set up."))
            return HttpResponseRedirect(request.session.pop("next", reverse("core:home")))
        form.add_error("otp", _("The code is not correct or has expired."))
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return render(
        request,
        "accounts/otp_setup.html",
        {
            "form": form,
            "qr_svg": _qr_svg(device.config_url),
            "secret": secret,
        },
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        with transaction.atomic():
            audit_record(
                actor=acting_user(request), action=AuditAction.LOGOUT, obj=acting_user(request)
            )
    logout(request)
    messages.info(request, _("You have signed out."))
    return redirect("accounts:login")


@require_POST
def language_view(request: HttpRequest) -> HttpResponse:
    """Switch language: saved on the user when signed in, in a cookie in any case."""
    form = LanguageForm(request.POST)
    fallback = reverse("core:home") if request.user.is_authenticated else reverse("accounts:login")
    target = _safe_next(request, fallback)
    if not form.is_valid():
        return HttpResponseRedirect(target)
    language = form.cleaned_data["language"]
    if request.user.is_authenticated:
        services.user_language_set(actor=acting_user(request), language=language)
    response = HttpResponseRedirect(target)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=settings.LANGUAGE_COOKIE_SECURE,
    )
    return response


@login_required
def profile_view(request: HttpRequest) -> HttpResponse:
    user = user_profile(user=acting_user(request))
    from django_otp import user_has_device

    return render(
        request,
        "accounts/profile.html",
        {
            "profile": user,
            "has_device": user_has_device(user, confirmed=True),
        },
    )


@login_required
def institution_list_view(request: HttpRequest) -> HttpResponse:
    user = member_or_403(request)
    search = request.GET.get("q", "").strip()[:100]
    kind = request.GET.get("kind", "")
    if kind not in InstitutionKind.values:
        kind = ""
    page = Paginator(institution_list(user=user, search=search, kind=kind), 25).get_page(
        request.GET.get("page")
    )
    context = {
        "page": page,
        "q": search,
        "kind": kind,
        "kinds": InstitutionKind.choices,
        "query": urlencode({"q": search, "kind": kind}) + "&",
        "can_create": can_create_institution(user),
    }
    template = "accounts/institution_list.html"
    if request.htmx:  # type: ignore[attr-defined]
        template += "#results"
    return render(request, template, context)


@login_required
def institution_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = member_or_403(request)
    institution = institution_get(user=user, pk=pk)
    return render(
        request,
        "accounts/institution_detail.html",
        {
            "institution": institution,
            "units": institution.units.prefetch_related("names").order_by("path"),
            "can_edit": can_edit_institution(user, institution),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def institution_create_view(request: HttpRequest) -> HttpResponse:
    user = member_or_403(request)
    if not can_create_institution(user):
        raise PermissionDenied
    form = InstitutionForm(request.POST or None, unit_queryset=unit_choices(user=user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            institution = services.institution_create(
                actor=user,
                name=data["name"],
                abbreviation=data["abbreviation"],
                kind=data["kind"],
                units=data["units"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("The institution was saved."))
            return redirect("accounts:institution-detail", pk=institution.pk)
    return render(request, "accounts/institution_form.html", {"form": form, "creating": True})


@login_required
@require_http_methods(["GET", "POST"])
def institution_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = member_or_403(request)
    institution = institution_get(user=user, pk=pk)
    if not can_edit_institution(user, institution):
        raise PermissionDenied
    initial = {
        "name": institution.name,
        "abbreviation": institution.abbreviation,
        "kind": institution.kind,
        "units": list(institution.units.all()),
        "version": institution.version,
    }
    form = InstitutionForm(
        request.POST or None, initial=initial, unit_queryset=unit_choices(user=user)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.institution_update(
                actor=user,
                institution=institution,
                version=data.get("version") or 0,
                name=data["name"],
                abbreviation=data["abbreviation"],
                kind=data["kind"],
                units=data["units"],
            )
        except services.ConflictError:
            form.add_error(
                None,
                _(
                    "Someone else changed this institution while you were editing. Reload the page to see their changes."
                ),
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("The institution was saved."))
            return redirect("accounts:institution-detail", pk=institution.pk)
    return render(
        request,
        "accounts/institution_form.html",
        {"form": form, "creating": False, "institution": institution},
    )
