"""The v1 API, its OpenAPI schema and the API docs page (served from local assets)."""

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from ocrotire.accounts import apis as accounts_apis
from ocrotire.core import apis as core_apis
from ocrotire.geo import apis as geo_apis
from ocrotire.registry import apis as registry_apis

app_name = "api"

v1 = [
    path("v1/auth/token/", accounts_apis.TokenApi.as_view(), name="token"),
    path("v1/me/", accounts_apis.MeApi.as_view(), name="me"),
    path("v1/units/", geo_apis.UnitListApi.as_view(), name="unit-list"),
    path("v1/units/<id:pk>/", geo_apis.UnitDetailApi.as_view(), name="unit-detail"),
    path("v1/institutions/", accounts_apis.InstitutionListApi.as_view(), name="institution-list"),
    path(
        "v1/institutions/<id:pk>/",
        accounts_apis.InstitutionDetailApi.as_view(),
        name="institution-detail",
    ),
    path("v1/audit/", core_apis.AuditListApi.as_view(), name="audit-list"),
    path("v1/persons/", registry_apis.PersonListApi.as_view(), name="person-list"),
    path("v1/persons/match/", registry_apis.PersonMatchApi.as_view(), name="person-match"),
    path("v1/persons/merge/", registry_apis.PersonMergeApi.as_view(), name="person-merge"),
    path(
        "v1/persons/not-duplicates/",
        registry_apis.NotDuplicateApi.as_view(),
        name="person-not-duplicate",
    ),
    path("v1/persons/<id:pk>/", registry_apis.PersonDetailApi.as_view(), name="person-detail"),
    path(
        "v1/persons/<id:pk>/relationships/",
        registry_apis.RelationshipApi.as_view(),
        name="person-relationships",
    ),
    path(
        "v1/relationships/<id:pk>/",
        registry_apis.RelationshipDetailApi.as_view(),
        name="relationship-detail",
    ),
    path("v1/households/", registry_apis.HouseholdListApi.as_view(), name="household-list"),
    path(
        "v1/households/<id:pk>/",
        registry_apis.HouseholdDetailApi.as_view(),
        name="household-detail",
    ),
    path(
        "v1/households/<id:pk>/members/",
        registry_apis.HouseholdMemberApi.as_view(),
        name="household-members",
    ),
    path(
        "v1/households/<id:pk>/members/<id:person_pk>/",
        registry_apis.HouseholdMemberDetailApi.as_view(),
        name="household-member-detail",
    ),
    path("v1/duplicates/", registry_apis.DuplicateQueueApi.as_view(), name="duplicate-list"),
    path("v1/dedup-runs/", registry_apis.DedupRunListApi.as_view(), name="dedup-run-list"),
    path(
        "v1/dedup-runs/<id:pk>/", registry_apis.DedupRunDetailApi.as_view(), name="dedup-run-detail"
    ),
    path("v1/merges/<id:pk>/", registry_apis.MergeDetailApi.as_view(), name="merge-detail"),
    path("v1/merges/<id:pk>/undo/", registry_apis.MergeUndoApi.as_view(), name="merge-undo"),
]

urlpatterns = [
    *v1,
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI sets a few inline styles; scripts stay restricted to our own files.
    path(
        "docs/",
        csp_update({"style-src": [UNSAFE_INLINE]})(
            SpectacularSwaggerSplitView.as_view(url_name="api:schema")
        ),
        name="docs",
    ),
]
