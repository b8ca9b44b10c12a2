"""The v1 API's URL map (each app's endpoints live in its `apis.py`), its OpenAPI schema and
the API docs page (served from local assets)."""

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from ocrotire.accounts import apis as accounts_apis
from ocrotire.accounts import audit_log
from ocrotire.analytics import api_urls as analytics_api_urls
from ocrotire.care import apis as care_apis
from ocrotire.cases import apis as cases_apis
from ocrotire.dataforms import apis as dataforms_apis
from ocrotire.intake import apis as intake_apis
from ocrotire.intake import complaint_apis as intake_complaint_apis
from ocrotire.intake import public_apis as intake_public_apis
from ocrotire.outreach import field_apis as outreach_field_apis
from ocrotire.outreach import package_apis as outreach_package_apis
from ocrotire.outreach import programme_apis as outreach_programme_apis
from ocrotire.outreach import screening_apis as outreach_screening_apis
from ocrotire.outreach import sync_apis as outreach_sync_apis
from ocrotire.planning import apis as planning_apis
from ocrotire.providers import apis as providers_apis
from ocrotire.registry import apis as registry_apis
from ocrotire.workflow import apis as workflow_apis

app_name = "api"

v1 = [
    path("v1/auth/token/", accounts_apis.TokenApi.as_view(), name="token"),
    path("v1/auth/token/revoke/", accounts_apis.TokenRevokeApi.as_view(), name="token-revoke"),
    path("v1/me/", accounts_apis.MeApi.as_view(), name="me"),
    path("v1/units/", accounts_apis.UnitListApi.as_view(), name="unit-list"),
    path("v1/units/<id:pk>/", accounts_apis.UnitDetailApi.as_view(), name="unit-detail"),
    path("v1/institutions/", accounts_apis.InstitutionListApi.as_view(), name="institution-list"),
    path(
        "v1/institutions/<id:pk>/",
        accounts_apis.InstitutionDetailApi.as_view(),
        name="institution-detail",
    ),
    path("v1/audit/", audit_log.AuditListApi.as_view(), name="audit-list"),
    path("v1/providers/", providers_apis.ProviderListApi.as_view(), name="provider-list"),
    path(
        "v1/providers/<id:pk>/", providers_apis.ProviderDetailApi.as_view(), name="provider-detail"
    ),
    path("v1/services/", providers_apis.ServicePointListApi.as_view(), name="service-list"),
    path("v1/services/gaps/", providers_apis.GapAnalysisApi.as_view(), name="service-gaps"),
    path(
        "v1/services/<id:pk>/",
        providers_apis.ServicePointDetailApi.as_view(),
        name="service-detail",
    ),
    path(
        "v1/service-types/", providers_apis.ServiceTypeListApi.as_view(), name="service-type-list"
    ),
    path("v1/placements/", care_apis.PlacementListApi.as_view(), name="placement-list"),
    path("v1/placements/<id:pk>/", care_apis.PlacementDetailApi.as_view(), name="placement-detail"),
    path("v1/placements/<id:pk>/end/", care_apis.PlacementEndApi.as_view(), name="placement-end"),
    path(
        "v1/placements/<id:pk>/decision/",
        care_apis.PlacementDecisionApi.as_view(),
        name="placement-decision",
    ),
    path(
        "v1/placements/<id:pk>/review/",
        care_apis.PlacementReviewApi.as_view(),
        name="placement-review",
    ),
    path(
        "v1/deinstitutionalisation/",
        care_apis.InstitutionFiguresApi.as_view(),
        name="deinstitutionalisation",
    ),
    path(
        "v1/services/<id:pk>/enrolments/",
        providers_apis.ServicePointEnrolmentsApi.as_view(),
        name="service-enrolments",
    ),
    path(
        "v1/services/<id:pk>/institution-change/",
        care_apis.InstitutionChangeApi.as_view(),
        name="institution-change",
    ),
    path("v1/forms/", dataforms_apis.FormListApi.as_view(), name="form-list"),
    path("v1/plans/", planning_apis.PlanListApi.as_view(), name="plan-list"),
    path("v1/plans/import/", planning_apis.PlanImportApi.as_view(), name="plan-import"),
    path("v1/plans/<id:pk>/", planning_apis.PlanDetailApi.as_view(), name="plan-detail"),
    path("v1/plans/<id:pk>/issues/", planning_apis.PlanIssuesApi.as_view(), name="plan-issues"),
    path("v1/plans/<id:pk>/export.xlsx", planning_apis.PlanExportApi.as_view(), name="plan-export"),
    path("v1/plans/<id:pk>/export.pdf", planning_apis.PlanPdfApi.as_view(), name="plan-pdf"),
    path(
        "v1/plans/<id:pk>/items/<id:item_pk>/progress/",
        planning_apis.ProgressApi.as_view(),
        name="plan-progress",
    ),
    path("v1/indicators/", planning_apis.IndicatorListApi.as_view(), name="indicator-list"),
    path("v1/projects/", planning_apis.ProjectListApi.as_view(), name="project-list"),
    path(
        "v1/indicators/<id:pk>/",
        planning_apis.IndicatorDetailApi.as_view(),
        name="indicator-detail",
    ),
    path(
        "v1/indicators/<id:pk>/values/",
        planning_apis.IndicatorValueApi.as_view(),
        name="indicator-values",
    ),
    path("v1/referrals/", providers_apis.ReferralListApi.as_view(), name="referral-list"),
    path(
        "v1/referrals/<id:pk>/", providers_apis.ReferralDetailApi.as_view(), name="referral-detail"
    ),
    path(
        "v1/referrals/<id:pk>/accept/",
        providers_apis.ReferralStepApi.as_view(step="accept"),
        name="referral-accept",
    ),
    path(
        "v1/referrals/<id:pk>/decline/",
        providers_apis.ReferralStepApi.as_view(step="decline"),
        name="referral-decline",
    ),
    path(
        "v1/referrals/<id:pk>/enrol/",
        providers_apis.ReferralStepApi.as_view(step="enrol"),
        name="referral-enrol",
    ),
    path(
        "v1/referrals/<id:pk>/complete/",
        providers_apis.ReferralStepApi.as_view(step="complete"),
        name="referral-complete",
    ),
    path(
        "v1/referrals/<id:pk>/drop/",
        providers_apis.ReferralStepApi.as_view(step="drop"),
        name="referral-drop",
    ),
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
    path("v1/reports/", intake_apis.ReportListApi.as_view(), name="report-list"),
    path("v1/reports/<id:pk>/", intake_apis.ReportDetailApi.as_view(), name="report-detail"),
    path("v1/reports/<id:pk>/triage/", cases_apis.TriageApi.as_view(), name="report-triage"),
    path(
        "v1/reports/<id:pk>/attachments/",
        intake_apis.AttachmentListApi.as_view(),
        name="report-attachments",
    ),
    path(
        "v1/reports/<id:pk>/attachments/<id:attachment_pk>/",
        intake_apis.AttachmentDetailApi.as_view(),
        name="report-attachment-detail",
    ),
    path(
        "v1/reports/<id:pk>/public-messages/",
        intake_public_apis.ReportPublicMessagesApi.as_view(),
        name="report-public-messages",
    ),
    path(
        "v1/public/reports/",
        intake_public_apis.PublicReportListApi.as_view(),
        name="public-report-list",
    ),
    path(
        "v1/public/reports/<str:tracking_code>/",
        intake_public_apis.PublicReportDetailApi.as_view(),
        name="public-report-detail",
    ),
    path(
        "v1/public/reports/<str:tracking_code>/messages/",
        intake_public_apis.PublicMessageApi.as_view(),
        name="public-report-messages",
    ),
    path("v1/sync/", outreach_sync_apis.SyncApi.as_view(), name="sync"),
    path("v1/field/pack/", outreach_field_apis.FieldPackApi.as_view(), name="field-pack"),
    path(
        "v1/sync/conflicts/",
        outreach_sync_apis.SyncConflictListApi.as_view(),
        name="sync-conflict-list",
    ),
    path(
        "v1/sync/conflicts/<uuid:client_id>/discard/",
        outreach_sync_apis.SyncConflictDiscardApi.as_view(),
        name="sync-conflict-discard",
    ),
    path("v1/complaints/", intake_complaint_apis.ComplaintListApi.as_view(), name="complaint-list"),
    path(
        "v1/households/<id:pk>/package/",
        outreach_package_apis.HouseholdPackageApi.as_view(),
        name="household-package",
    ),
    path(
        "v1/households/<id:pk>/deliveries/",
        outreach_package_apis.HouseholdDeliveryApi.as_view(),
        name="household-deliveries",
    ),
    path(
        "v1/package/coverage/",
        outreach_package_apis.CoverageApi.as_view(),
        name="package-coverage",
    ),
    path(
        "v1/screenings/",
        outreach_screening_apis.ScreeningListApi.as_view(),
        name="screening-list",
    ),
    path(
        "v1/screenings/counts/",
        outreach_screening_apis.ScreeningCountsApi.as_view(),
        name="screening-counts",
    ),
    path(
        "v1/screenings/<id:pk>/",
        outreach_screening_apis.ScreeningDetailApi.as_view(),
        name="screening-detail",
    ),
    path(
        "v1/screenings/<id:pk>/follow-ups/",
        outreach_screening_apis.FollowUpApi.as_view(),
        name="screening-follow-ups",
    ),
    path(
        "v1/complaints/<id:pk>/",
        intake_complaint_apis.ComplaintDetailApi.as_view(),
        name="complaint-detail",
    ),
    path(
        "v1/complaints/<id:pk>/replies/",
        intake_complaint_apis.ComplaintReplyApi.as_view(),
        name="complaint-replies",
    ),
    path(
        "v1/programmes/", outreach_programme_apis.ProgrammeListApi.as_view(), name="programme-list"
    ),
    path(
        "v1/programmes/<id:pk>/",
        outreach_programme_apis.ProgrammeDetailApi.as_view(),
        name="programme-detail",
    ),
    path(
        "v1/programmes/<id:pk>/certificates/",
        outreach_programme_apis.ProgrammeCertificatesApi.as_view(),
        name="programme-certificates",
    ),
    path(
        "v1/programmes/<id:pk>/certificates.csv",
        outreach_programme_apis.CertificateCsvApi.as_view(),
        name="programme-certificates-csv",
    ),
    path(
        "v1/programmes/<id:pk>/certificates.xlsx",
        outreach_programme_apis.CertificateXlsxApi.as_view(),
        name="programme-certificates-xlsx",
    ),
    path(
        "v1/certificates/<id:pk>/decision/",
        outreach_programme_apis.CertificateDecisionApi.as_view(),
        name="certificate-decision",
    ),
    path(
        "v1/certificates/<id:pk>/redemption/",
        outreach_programme_apis.CertificateRedemptionApi.as_view(),
        name="certificate-redemption",
    ),
    path("v1/cases/", cases_apis.CaseListApi.as_view(), name="case-list"),
    path("v1/cases/<id:pk>/", cases_apis.CaseDetailApi.as_view(), name="case-detail"),
    path("v1/cases/<id:pk>/file.pdf", cases_apis.CaseFilePdfApi.as_view(), name="case-file-pdf"),
    # Every stage step at its address, from the step register.
    *cases_apis.step_paths(),
    path(
        "v1/cases/<id:pk>/team/<id:user_pk>/",
        cases_apis.TeamMemberApi.as_view(),
        name="case-team-member",
    ),
    path("v1/my-work/", cases_apis.MyWorkApi.as_view(), name="my-work"),
    path(
        "v1/notifications/", workflow_apis.NotificationListApi.as_view(), name="notification-list"
    ),
    path("v1/deadline-rules/", workflow_apis.DeadlineRuleListApi.as_view(), name="rule-list"),
    path("v1/tasks/<id:pk>/cancel/", workflow_apis.TaskCancelApi.as_view(), name="task-cancel"),
    path(
        "v1/deadline-rules/<id:pk>/",
        workflow_apis.DeadlineRuleDetailApi.as_view(),
        name="rule-detail",
    ),
]

urlpatterns = [
    *v1,
    *analytics_api_urls.urlpatterns,
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
