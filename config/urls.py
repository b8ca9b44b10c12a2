"""Top-level URL map: pages, the v1 API, its schema and the health check."""

from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import include, path, register_converter

from ocrotire.api.converters import IdConverter
from ocrotire.workflow.admin import former_admin_urls

register_converter(IdConverter, "id")

# The admin signs in through our page, which has lockout and the two-factor step.
admin.site.login = login_required(admin.site.login)  # type: ignore[method-assign]


# ... and changes its own password on our page, which audits it and ends the other sessions and
# the API tokens.
def _admin_password_change(request: HttpRequest, extra_context: object = None) -> HttpResponse:
    return redirect("accounts:password-change")


admin.site.password_change = _admin_password_change  # type: ignore[method-assign,assignment]
admin.site.site_header = "Ocrotire"

urlpatterns = [
    path("", include("ocrotire.core.urls")),
    path("accounts/", include("ocrotire.accounts.urls")),
    path("territory/", include("ocrotire.geo.urls")),
    path("registry/", include("ocrotire.registry.urls")),
    path("reports/", include("ocrotire.intake.urls")),
    path("cases/", include("ocrotire.cases.urls")),
    # Placements are steps of the case file that the care app keeps.
    path("cases/", include("ocrotire.care.urls")),
    path("providers/", include("ocrotire.providers.urls")),
    path("plans/", include("ocrotire.planning.urls")),
    path("analytics/", include("ocrotire.analytics.urls")),
    path("api/", include("ocrotire.api.urls")),
    *former_admin_urls(),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]

handler400 = "ocrotire.core.views.error_400"
handler403 = "ocrotire.core.views.error_403"
handler404 = "ocrotire.core.views.error_404"
handler500 = "ocrotire.core.views.error_500"
