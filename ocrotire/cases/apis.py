"""REST endpoints of cases: list, read (with tasks and the timeline) and edit, the case file
PDF, team removal, "my work", and the triage of a report into cases. The stage steps' endpoints
are built from the step register (steps/apis.py); `step_paths` gives the URL map them all."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
)
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from ocrotire.accounts.drf import IsMember
from ocrotire.accounts.models import User
from ocrotire.accounts.permissions import acting_user
from ocrotire.api.errors import error_body
from ocrotire.api.idempotency import idempotent
from ocrotire.api.pagination import keyset_page
from ocrotire.cases import services
from ocrotire.cases.casefile import case_file_disposition, case_file_pdf
from ocrotire.cases.models import (
    Case,
    RiskLevel,
    Stage,
)
from ocrotire.cases.selectors import (
    case_get,
    case_list,
    case_page_rows,
    my_work,
)
from ocrotire.cases.serializers import (
    CaseDetailSerializer,
    CaseOutputSerializer,
    detail_response,
    version_read,
)
from ocrotire.cases.steps.apis import step_paths as step_paths
from ocrotire.cases.triage import TriageInput, report_triage
from ocrotire.core.audit import audit_record
from ocrotire.core.bounds import MomentField, validate_past_moment
from ocrotire.core.models import AuditAction
from ocrotire.core.pdf import PdfUnavailable
from ocrotire.intake.models import Report, TriageDecision
from ocrotire.intake.selectors import report_get
from ocrotire.intake.serializers import ReportOutputSerializer, institution_by_id, report_output
from ocrotire.workflow.models import Task
from ocrotire.workflow.serializers import TaskSerializer

RISK_CHOICES = RiskLevel.choices


class CaseListApi(GenericAPIView[Case]):
    permission_classes = [IsMember]
    serializer_class = CaseOutputSerializer

    class FilterSerializer(serializers.Serializer[Any]):
        stage = serializers.ChoiceField(choices=Stage.choices, required=False)
        unit = serializers.CharField(required=False, max_length=40)
        risk_level = serializers.ChoiceField(choices=RISK_CHOICES, required=False)
        search = serializers.CharField(required=False, max_length=100)
        mine = serializers.BooleanField(required=False, default=False)
        open = serializers.BooleanField(required=False, default=False)
        after = serializers.CharField(
            required=False, max_length=200, help_text="Keyset cursor: the cases after this one"
        )
        before = serializers.CharField(
            required=False, max_length=200, help_text="Keyset cursor: the cases before this one"
        )

    @extend_schema(
        parameters=[FilterSerializer],
        responses=CaseOutputSerializer(many=True),
        description="Newest first. `?page=` pages by number; `?after=`/`?before=` (the cursors "
        "in `next` and `previous` of such a page) page by keyset, at the same cost however deep.",
    )
    def get(self, request: Request) -> Response:
        user = acting_user(request)
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        f = filters.validated_data
        qs = case_list(
            user=user,
            stage=f.get("stage", ""),
            unit_code=f.get("unit", ""),
            risk_level=f.get("risk_level", ""),
            search=f.get("search", ""),
            manager=user if f.get("mine") else None,
            open_only=f.get("open", False),
        )
        assert self.paginator is not None
        keyset = keyset_page(
            request,
            qs,
            field="opened_at",
            page_size=self.paginator.get_page_size(request) or 50,  # type: ignore[attr-defined]
        )
        if keyset is not None:
            return Response(
                {
                    "count": qs.count(),
                    "next": keyset.next,
                    "previous": keyset.previous,
                    "results": CaseOutputSerializer(case_page_rows(keyset.ids), many=True).data,
                }
            )
        # The page is chosen on the ids alone (a deep page skips thousands of rows: they should
        # not be joined nor have their overdue steps counted), then its cases are read.
        ids = self.paginate_queryset(qs.values_list("pk", flat=True)) or []
        return self.get_paginated_response(
            CaseOutputSerializer(case_page_rows(ids), many=True).data
        )


class CaseDetailApi(GenericAPIView[Case]):
    permission_classes = [IsMember]
    serializer_class = CaseDetailSerializer

    class CaseUpdateSerializer(serializers.Serializer[Any]):
        version = serializers.IntegerField(
            min_value=0, max_value=2**31 - 1, required=False, help_text="Or send If-Match"
        )
        risk_level = serializers.ChoiceField(choices=RISK_CHOICES, required=False)
        registration_disposition = serializers.CharField(
            max_length=60, required=False, allow_blank=True
        )

    def get(self, request: Request, pk: int) -> Response:
        user = acting_user(request)
        case = case_get(user=user, pk=pk)
        audit_record(actor=user, action=AuditAction.VIEW, obj=case)
        return detail_response(user, case.pk)

    @extend_schema(request=CaseUpdateSerializer, responses=CaseDetailSerializer)
    def patch(self, request: Request, pk: int) -> Response:
        user = acting_user(request)
        case = case_get(user=user, pk=pk)
        payload = self.CaseUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        version = version_read(request, data)
        if version is None:
            raise ValidationError(
                {"version": [_("Give the version you read (or an If-Match header).")]}
            )
        services.case_update(actor=user, case=case, version=version, values=data)
        return detail_response(user, case.pk)


class CaseFilePdfApi(GenericAPIView[Case]):
    """The case file as a PDF for a court or commission, watermarked with who printed it and
    when on every page; the print is audited and written on the case's timeline."""

    permission_classes = [IsMember]

    def perform_content_negotiation(
        self, request: Request, force: bool = False
    ) -> tuple[BaseRenderer, str]:
        # The document is returned as it is; an `Accept: application/pdf` client still gets its
        # errors as JSON rather than a 406.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        operation_id="v1_cases_file_pdf_retrieve",
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            404: OpenApiResponse(description="No such case, or not one the reader may open."),
            503: OpenApiResponse(description="This server cannot draw PDF documents."),
        },
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        user = acting_user(request)
        case = case_get(user=user, pk=pk)
        try:
            document = case_file_pdf(actor=user, case=case)
        except PdfUnavailable:
            return Response(
                error_body("pdf_unavailable", _("This server cannot draw PDF documents.")),
                status=status.HTTP_503_SERVICE_UNAVAILABLE,
            )
        response = HttpResponse(document, content_type="application/pdf")
        response["Content-Disposition"] = case_file_disposition(case)
        response["Cache-Control"] = "no-store"
        return response


class TeamMemberApi(GenericAPIView[Case]):
    permission_classes = [IsMember]
    serializer_class = CaseDetailSerializer

    @extend_schema(parameters=[OpenApiParameter("version", int)], responses=CaseDetailSerializer)
    def delete(self, request: Request, pk: int, user_pk: int) -> Response:
        user = acting_user(request)
        case = case_get(user=user, pk=pk)
        raw = request.query_params.get("version", "")
        version = int(raw) if raw.isdigit() and len(raw) < 10 else case.version
        member = User.objects.filter(pk=user_pk).first()
        if member is None:
            raise Http404
        services.case_member_remove(actor=user, case=case, version=version, user=member)
        return detail_response(user, case.pk)


class MyWorkApi(GenericAPIView[Task]):
    permission_classes = [IsMember]

    class MyWorkSerializer(serializers.Serializer[Any]):
        overdue = TaskSerializer(many=True)
        due_today = TaskSerializer(many=True)
        upcoming = TaskSerializer(many=True)
        approvals = serializers.ListField(child=serializers.DictField())

    serializer_class = MyWorkSerializer

    def get(self, request: Request) -> Response:
        user = acting_user(request)
        work = my_work(user=user)
        approvals = Case.objects.filter(pk__in=work["approvals"].values("pk")).order_by(
            "updated_at"
        )

        def tasks(qs: Any) -> list[dict[str, Any]]:
            rows = []
            for task in qs[:200]:
                row = dict(TaskSerializer(task).data)
                subject = task.case or task.report
                row["case"] = task.case_id
                row["report"] = task.report_id
                row["subject"] = subject.number if subject else ""
                rows.append(row)
            return rows

        return Response(
            {
                "overdue": tasks(work["overdue"]),
                "due_today": tasks(work["due_today"]),
                "upcoming": tasks(work["upcoming"]),
                "approvals": [
                    {"id": c.pk, "number": c.number, "stage": c.stage} for c in approvals[:200]
                ],
            }
        )


# Triage of a report (`/reports/<id>/triage/`), answered with the report as it is now. (No
# docstring: it would become the operation's description in the schema.)
class TriageApi(GenericAPIView[Report]):
    permission_classes = [IsMember]
    serializer_class = ReportOutputSerializer

    class TriageInputSerializer(serializers.Serializer[Any]):
        decision = serializers.ChoiceField(choices=TriageDecision.choices)
        reason = serializers.CharField(max_length=4000)
        risk_level = serializers.ChoiceField(
            choices=RiskLevel.choices,
            required=False,
            help_text="Required to open a case",
        )
        manager = serializers.IntegerField(
            required=False,
            min_value=1,
            max_value=2**63 - 1,
            help_text="User id of the case manager",
        )
        redirect_to = serializers.IntegerField(
            required=False, min_value=1, max_value=2**63 - 1, help_text="Institution id"
        )
        redirect_to_text = serializers.CharField(max_length=300, required=False, allow_blank=True)
        registration_disposition = serializers.CharField(
            max_length=60, required=False, allow_blank=True
        )
        at = MomentField(
            required=False,
            help_text="When the decision was taken",
            validators=[validate_past_moment],
        )
        version = serializers.IntegerField(
            required=False,
            min_value=0,
            max_value=2**31 - 1,
            help_text="The version you read; a newer one means a conflict (409)",
        )

    @extend_schema(request=TriageInputSerializer, responses=ReportOutputSerializer)
    @idempotent
    def post(self, request: Request, pk: int) -> Response:
        user = acting_user(request)
        report = report_get(user=user, pk=pk)
        payload = self.TriageInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        manager = None
        if data.get("manager") is not None:
            manager = User.objects.filter(pk=data["manager"], is_active=True).first()
            if manager is None:
                raise ValidationError({"manager": [_("There is no active user with this number.")]})
        result = report_triage(
            actor=user,
            report=report,
            version=data.get("version", report.version),
            data=TriageInput(
                decision=data["decision"],
                reason=data["reason"],
                risk_level=data.get("risk_level", ""),
                manager=manager,
                redirect_to=institution_by_id(data.get("redirect_to"), "redirect_to"),
                redirect_to_text=data.get("redirect_to_text", ""),
                registration_disposition=data.get("registration_disposition", ""),
                at=data.get("at"),
            ),
        )
        return Response(report_output(user, report_get(user=user, pk=result.pk)))
