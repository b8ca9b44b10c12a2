"""The first pages: the address of the site sends to the home page or to sign-in; the home page
says what each of the user's roles does."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from ocrotire.accounts.models import RoleCode
from ocrotire.accounts.permissions import acting_user, is_member, role_codes
from ocrotire.accounts.selectors import user_profile


def index(request: HttpRequest) -> HttpResponse:
    return redirect("core:home" if request.user.is_authenticated else "accounts:login")


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = user_profile(user=acting_user(request))
    roles = role_codes(user)
    return render(
        request,
        "core/home.html",
        {
            "profile": user,
            "is_member": is_member(user),
            "roles": [RoleCode(code) for code in sorted(roles) if code in RoleCode.values],
            "role_set": roles,
        },
    )
