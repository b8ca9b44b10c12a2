"""The site's URL map: pages, the v1 API, its schema and the health check."""

from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import include, path, register_converter

from ocrotire.accounts import audit_log
from ocrotire.api.converters import IdConverter
from ocrotire.core import views as core_views
from ocrotire.site import views
from ocrotire.workflow.admin import former_admin_urls

# Before any app's URL map is read: they name ids as <id:pk>.
register_converter(IdConverter, "id")

# Imported once the converter their routes use is registered.
from ocrotire.care.urls import institution_urlpatterns  # noqa: E402
from ocrotire.cases.urls import report_urlpatterns as triage_urlpatterns  # noqa: E402
from ocrotire.intake.urls import urlpatterns as intake_urlpatterns  # noqa: E402
from ocrotire.providers.urls import urlpatterns as providers_urlpatterns  # noqa: E402

# The admin signs in through our page, which has lockout and the two-factor step.
admin.site.login = login_required(admin.site.login)  # type: ignore[method-assign]


# ... and changes its own password on our page, which audits it and ends the other sessions and
# the API tokens.
def _admin_password_change(request: HttpRequest, extra_context: object = None) -> HttpResponse:
    return redirect("accounts:password-change")


admin.site.password_change = _admin_password_change  # type: ignore[method-assign,assignment]
admin.site.site_header = "Ocrotire"

# The first pages keep the namespace they have always had ("core:home", "core:audit", ...).
first_pages = [
    path("", views.index, name="index"),
    path("home/", views.home, name="home"),
    path("audit/", audit_log.audit_view, name="audit"),
    path("healthz", core_views.healthz, name="healthz"),
]

urlpatterns = [
    path("", include((first_pages, "core"))),
    path("accounts/", include("ocrotire.accounts.urls")),
    path("territory/", include("ocrotire.accounts.territory_urls")),
    path("registry/", include("ocrotire.registry.urls")),
    # The register's pages and the triage of a report (a page of the cases app) share a namespace.
    # The public channel's pages: no account needed.
    path("public/", include("ocrotire.intake.public_urls")),
    path("reports/", include((intake_urlpatterns + triage_urlpatterns, "intake"))),
    path("complaints/", include("ocrotire.intake.complaint_urls")),
    path("outreach/", include("ocrotire.outreach.urls")),
    path("cases/", include("ocrotire.cases.urls")),
    # Placements are steps of the case file that the care app keeps.
    path("cases/", include("ocrotire.care.urls")),
    # The provider register and the residential institutions pages (care's) share a namespace.
    path("providers/", include((providers_urlpatterns + institution_urlpatterns, "providers"))),
    path("programmes/", include("ocrotire.outreach.programme_urls")),
    path("plans/", include("ocrotire.planning.urls")),
    path("forms/", include("ocrotire.dataforms.urls")),
    path("analytics/", include("ocrotire.analytics.urls")),
    path("api/", include("ocrotire.site.api_urls")),
    *former_admin_urls(),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]

handler400 = "ocrotire.core.views.error_400"
handler403 = "ocrotire.core.views.error_403"
handler404 = "ocrotire.core.views.error_404"
handler500 = "ocrotire.core.views.error_500"
