"""The field app (F8, issue 22 item 4): the page a community worker installs on a phone to
work without network, its web app manifest and its service worker. The page is a shell: the data
comes from `GET /api/v1/field/pack/` and lives on the device, encrypted (static/js/field-*.js).

The service worker is served here, under /outreach/field/, so that its scope covers the page;
it is a short hand-written one (not Workbox): it caches the shell and serves it when there is no
network, and never caches an API answer."""

from __future__ import annotations

import hashlib
import json

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from ocrotire.accounts.permissions import acting_user
from ocrotire.core.errors import NotAllowed
from ocrotire.outreach.permissions import can_sync

# What the page needs to open with no network.
SHELL_STATIC = (
    "css/ocrotire.css",
    "img/favicon.svg",
    "vendor/htmx/htmx.min.js",
    "js/ocrotire.js",
    "vendor/idb/idb.umd.js",
    "js/field-vault.js",
    "js/field-wipe.js",
    "js/field-app.js",
    "js/field-forms.js",
)


def _strings() -> dict[str, str]:
    """Every sentence the page's script shows, in the reader's language."""
    return {
        "pin_short": _("The PIN needs at least 6 characters."),
        "pin_mismatch": _("The two PINs are not the same."),
        "pin_wrong": _("This PIN does not open the data on this device."),
        "locked": _("The data on this device is locked. Enter your PIN to open it."),
        "online": _("Online"),
        "offline": _("No network: your work is kept on this device and sent later."),
        "waiting": _("Waiting to be sent: {n}"),
        "sent": _("Everything is sent."),
        "send_failed": _("Could not reach the server: your changes wait on this device."),
        "no_pack": _("No data on this device yet: connect to the network to download it."),
        "wiped": _("The data of the field app was deleted from this device."),
        "never": _("Never screened"),
        "last_screening": _("Last screening: {date}"),
        "no_flags": _("No flags raised."),
        "children": _("Children"),
        "no_children": _("No children recorded."),
        "new_screening": _("New screening"),
        "correct_screening": _("Correct the last screening"),
        "plan_visit": _("Plan a visit"),
        "screening_of": _("Screening of the household {name}"),
        "save": _("Save on this device"),
        "cancel": _("Cancel"),
        "yes": _("Yes"),
        "no": _("No"),
        "unanswered": _("Not answered"),
        "child": _("Child"),
        "visit_on": _("Day of the visit"),
        "note": _("Note"),
        "saved": _("Saved on this device. It will be sent when the network is back."),
        "visits": _("Visits of the coming days"),
        "no_visits": _("No visits planned for the coming days."),
        "rejected": _("Not accepted by the server"),
        "dismiss": _("Remove from this device"),
        "conflicts": _("Changed by someone else meanwhile"),
        "conflict_help": _(
            "Someone changed this record after you downloaded it. Nothing was overwritten: "
            "choose which answers to keep."
        ),
        "question": _("Question"),
        "mine": _("What you wrote"),
        "theirs": _("On the server now"),
        "keep_mine": _("Keep mine"),
        "keep_theirs": _("Keep the server's"),
        "kind_screening": _("Screening of {name}"),
        "kind_follow_up": _("Visit to {name}"),
        "kind_household": _("Household {name}"),
        "kind_delivery": _("Service given to {name}"),
        "record_delivery": _("Record a service given"),
        "service": _("Service"),
        "delivered_on": _("Given on"),
        "minutes": _("Duration in minutes"),
        "minutes_range": _("Give the duration in minutes, from 1 to 1440."),
        "day_future": _("The day the service was given cannot be in the future."),
        "required": _("This field is required."),
    }


@login_required
@require_GET
def field_view(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    if not can_sync(user):
        raise NotAllowed
    return render(
        request,
        "outreach/field.html",
        {"strings": _strings(), "field_user": user.pk, "nav_active": "outreach"},
    )


@require_GET
def manifest_view(request: HttpRequest) -> HttpResponse:
    manifest = {
        "name": _("Ocrotire field work"),
        "short_name": "Ocrotire",
        "start_url": reverse("outreach:field"),
        "scope": reverse("outreach:field"),
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#1d4e89",
        "icons": [{"src": static("img/favicon.svg"), "sizes": "any", "type": "image/svg+xml"}],
    }
    return JsonResponse(manifest, content_type="application/manifest+json")


def _worker_source() -> str:
    shell = [reverse("outreach:field"), *(static(name) for name in SHELL_STATIC)]
    # A new list of files is a new cache: the old one is dropped when the new worker activates.
    version = hashlib.sha256(json.dumps(shell).encode()).hexdigest()[:12]
    context = {"shell": json.dumps(shell), "cache": json.dumps(f"ocrotire-field-{version}")}
    return render_to_string("outreach/field_sw.js", context)


@require_GET
def service_worker_view(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(_worker_source(), content_type="application/javascript")
    response["Cache-Control"] = "no-cache"
    return response
