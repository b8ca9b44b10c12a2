"""Pages: sign-in with the two-factor step, sign-out, profile and language, one's devices,
recovery codes, password, sessions and tokens; institutions."""

from __future__ import annotations

import base64
from io import BytesIO

import django_otp
import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
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
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from ocrotire.accounts import security, services
from ocrotire.accounts.forms import (
    DeviceSetupForm,
    InstitutionForm,
    LanguageForm,
    LoginForm,
    OtpForm,
    PasswordChangeForm,
    PasswordConfirmForm,
    RecoveryCodeForm,
)
from ocrotire.accounts.models import InstitutionKind, User
from ocrotire.accounts.notices import notice_text
from ocrotire.accounts.permissions import (
    acting_user,
    can_create_institution,
    can_edit_institution,
    member_or_403,
)
from ocrotire.accounts.selectors import (
    institution_get,
    institution_list,
    recovery_codes_left,
    security_notices,
    unit_choices,
    user_device_get,
    user_devices,
    user_profile,
    user_session_get,
    user_sessions,
    user_token_get,
    user_tokens,
)
from ocrotire.core.audit import audit_record
from ocrotire.core.errors import Conflict
from ocrotire.core.forms import add_service_errors
from ocrotire.core.models import AuditAction
from ocrotire.geo.helplines import numbers_shown


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
        request,
        "accounts/login.html",
        {"form": form, "next": request.GET.get("next", ""), "numbers": numbers_shown()},
    )
    if retry_after is not None:
        page.status_code = 429
        page["Retry-After"] = str(retry_after)
    return page


def _is_verified(request: HttpRequest) -> bool:
    is_verified = getattr(request.user, "is_verified", None)
    return bool(is_verified and is_verified())


def _lock_out(request: HttpRequest, user: User) -> HttpResponse | None:
    """After a wrong code: a name throttled at this address is signed out of the code page."""
    if services.signin_retry_after(username=user.get_username()) is None:
        return None
    logout(request)
    messages.error(
        request, _("There were too many failed sign-ins. Wait a few minutes and try again.")
    )
    return redirect("accounts:login")


@login_required
@require_http_methods(["GET", "POST"])
def otp_verify_view(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    using_recovery = "recovery_code" in request.POST
    form = OtpForm(None if using_recovery else (request.POST or None))
    recovery_form = RecoveryCodeForm(request.POST if using_recovery else None)
    posted = recovery_form if using_recovery else form
    if request.method == "POST" and posted.is_valid():
        code = posted.cleaned_data["recovery_code" if using_recovery else "otp"]
        device = services.otp_check(user=user, otp=code)
        if device is None:
            locked = _lock_out(request, user)
            if locked is not None:
                return locked
            if using_recovery:
                recovery_form.add_error(
                    "recovery_code", _("This recovery code is not correct or was already used.")
                )
            else:
                form.add_error("otp", _("The code is not correct or has expired."))
        else:
            django_otp.login(request, device)
            services.login_success_record(user=user, channel="web")
            return HttpResponseRedirect(request.session.pop("next", reverse("core:home")))
    return render(
        request, "accounts/otp_verify.html", {"form": form, "recovery_form": recovery_form}
    )


def _qr_svg(uri: str) -> str:
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()


@login_required
@require_http_methods(["GET", "POST"])
def otp_setup_view(request: HttpRequest) -> HttpResponse:
    """The first device right after sign-in; a further one only from a verified session and with
    the password again. A user who has a device and has not passed it goes to the check."""
    user = acting_user(request)
    further = user_has_device(user, confirmed=True)
    if further and not _is_verified(request):
        return redirect("accounts:otp-verify")
    device = TOTPDevice.objects.filter(
        user=user, confirmed=False, pk=request.session.get("otp_setup_device")
    ).first()
    if device is None:
        device = security.totp_device_start(user=user)
        request.session["otp_setup_device"] = device.pk
    form = DeviceSetupForm(request.POST or None, further=further)
    if request.method == "POST" and form.is_valid():
        try:
            codes = security.totp_device_confirm(
                user=user,
                device=device,
                otp=form.cleaned_data["otp"],
                name=form.cleaned_data["name"],
                password=form.cleaned_data.get("password"),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if codes is None:
                form.add_error("otp", _("The code is not correct or has expired."))
            else:
                request.session.pop("otp_setup_device", None)
                messages.success(request, _("Two-factor authentication is now set up."))
                if further:
                    return redirect("accounts:profile")
                django_otp.login(request, device)
                services.login_success_record(user=user, channel="web")
                # Shown once, on the next page; never kept beyond it.
                request.session["recovery_codes_new"] = codes
                return redirect("accounts:recovery-codes")
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return render(
        request,
        "accounts/otp_setup.html",
        {
            "form": form,
            "further": further,
            "qr_svg": _qr_svg(device.config_url),
            "secret": secret,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def recovery_codes_view(request: HttpRequest) -> HttpResponse:
    """Recovery codes: those just made at enrolment, shown once; new ones on request, with the
    password again, from a verified session."""
    user = acting_user(request)
    if not user_has_device(user, confirmed=True):
        return redirect("accounts:otp-setup")
    if not _is_verified(request):
        return redirect("accounts:otp-verify")
    codes: list[str] = request.session.pop("recovery_codes_new", None) or []
    form = PasswordConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = security.recovery_codes_make(actor=user, password=form.cleaned_data["password"])
        except ValidationError as exc:
            add_service_errors(form, exc)
    return render(
        request,
        "accounts/recovery_codes.html",
        {
            "codes": codes,
            "form": form,
            "left": recovery_codes_left(user=user),
            "next": (request.session.pop("next", "") or reverse("core:home")) if codes else "",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def device_remove_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    if not _is_verified(request):
        return redirect("accounts:otp-verify")
    device = user_device_get(user=user, pk=pk)
    form = PasswordConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            security.totp_device_remove(
                actor=user, device=device, password=form.cleaned_data["password"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The device was removed."))
            return redirect("accounts:profile")
    return render(request, "accounts/device_remove.html", {"device": device, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def password_change_view(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            security.user_password_change(
                actor=user,
                current_password=form.cleaned_data["current_password"],
                new_password=form.cleaned_data["new_password"],
                keep_session_key=request.session.session_key,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            # Keeps this session signed in under a new key; the others were ended.
            update_session_auth_hash(request, user)
            messages.success(
                request,
                _("Your password was changed. Your other sessions and your API tokens were ended."),
            )
            return redirect("accounts:sessions")
    return render(request, "accounts/password_change.html", {"form": form})


@login_required
def sessions_view(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    return render(
        request,
        "accounts/sessions.html",
        {
            "sessions": user_sessions(user=user),
            "tokens": user_tokens(user=user),
            "current_key": request.session.session_key,
        },
    )


@login_required
@require_POST
def session_end_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    session = user_session_get(user=user, pk=pk)
    current = session.session_id == request.session.session_key
    security.user_session_end(actor=user, session=session)
    if current:
        logout(request)
        return redirect("accounts:login")
    messages.success(request, _("The session was ended."))
    return redirect("accounts:sessions")


@login_required
@require_POST
def token_end_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    security.api_token_revoke(actor=user, token=user_token_get(user=user, pk=pk))
    messages.success(request, _("The API token was ended."))
    return redirect("accounts:sessions")


@login_required
@require_POST
def notices_read_view(request: HttpRequest) -> HttpResponse:
    security.security_notices_read(actor=acting_user(request))
    return redirect("accounts:profile")


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        with transaction.atomic():
            audit_record(
                actor=acting_user(request), action=AuditAction.LOGOUT, obj=acting_user(request)
            )
    logout(request)
    messages.info(request, _("You have signed out."))
    response = redirect("accounts:login")
    # Nothing of the user stays in this browser: the field app's encrypted data, its cached
    # pages and its service worker go too (browsers without the header: field-wipe.js).
    response["Clear-Site-Data"] = '"cache", "storage"'
    return response


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
    notices = security_notices(user=user)
    return render(
        request,
        "accounts/profile.html",
        {
            "profile": user,
            "has_device": user_has_device(user, confirmed=True),
            "devices": user_devices(user=user),
            "recovery_left": recovery_codes_left(user=user),
            "notices": [{"notice": n, "text": notice_text(n)} for n in notices],
            "unread": any(n.read_at is None for n in notices),
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
        except Conflict:
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
