"""REST endpoints of the register: file a report, list and read reports, attachments (triage is
cases': cases/apis.py)."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from ocrotire.accounts.drf import IsMember
from ocrotire.accounts.models import User
from ocrotire.accounts.permissions import acting_user, scope_of
from ocrotire.api.idempotency import idempotent
from ocrotire.core.audit import audit_record
from ocrotire.core.bounds import MomentField, validate_past_moment, validate_record_date
from ocrotire.core.errors import NotAllowed
from ocrotire.core.models import AuditAction
from ocrotire.geo.models import Unit
from ocrotire.intake import services
from ocrotire.intake.children import NamedChild, children_resolve
from ocrotire.intake.models import (
    Agency,
    Channel,
    InformationSource,
    Report,
    ReporterKind,
    ReporterSector,
    ReportStatus,
)
from ocrotire.intake.permissions import can_file_report, keeps_register
from ocrotire.intake.selectors import report_get, report_list, reports_about_same_children
from ocrotire.intake.serializers import (
    ReportOutputSerializer,
    ReportStatusSerializer,
    institution_by_id,
    report_output,
)
from ocrotire.registry.serializers import PersonInputSerializer, person_input
from ocrotire.workflow.selectors import report_tasks, report_timeline
from ocrotire.workflow.serializers import TaskSerializer, TimelineEventSerializer, timeline_rows


class ReporterSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=ReporterKind.choices)
    sector = serializers.ChoiceField(
        choices=ReporterSector.choices,
        required=False,
        allow_blank=True,
        help_text="Required for professionals; defaults from the filer's institution",
    )
    institution = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=2**63 - 1
    )
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    contact = serializers.CharField(max_length=200, required=False, allow_blank=True)
    relationship = serializers.CharField(max_length=120, required=False, allow_blank=True)
    anonymous = serializers.BooleanField(
        required=False, default=False, help_text="Identity withheld: no name or contact"
    )


class ChildSerializer(PersonInputSerializer):
    person = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**63 - 1,
        help_text="An existing person; otherwise give the new child's fields",
    )


class AgencySerializer(serializers.Serializer[Any]):
    agency = serializers.ChoiceField(choices=Agency.choices)
    notified_at = MomentField(validators=[validate_past_moment])
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class ReportInputSerializer(serializers.Serializer[Any]):
    received_at = MomentField(
        required=False, help_text="Defaults to now", validators=[validate_past_moment]
    )
    channel = serializers.ChoiceField(choices=Channel.choices)
    reporter = ReporterSerializer()
    children = serializers.ListField(child=ChildSerializer(), min_length=1, max_length=20)
    concerns = serializers.ListField(
        child=serializers.CharField(max_length=60), min_length=1, max_length=30
    )
    most_serious = serializers.CharField(max_length=60, required=False, allow_blank=True)
    immediate_danger = serializers.BooleanField(required=False, default=False)
    unit = serializers.CharField(max_length=40, help_text="Code of the unit where it happened")
    location = serializers.CharField(max_length=300, required=False, allow_blank=True)
    narrative = serializers.CharField(max_length=20000)
    information_source = serializers.ChoiceField(
        choices=InformationSource.choices, required=False, allow_blank=True
    )
    alleged_perpetrator = serializers.CharField(max_length=300, required=False, allow_blank=True)
    phone_notice_at = MomentField(
        required=False, allow_null=True, validators=[validate_past_moment]
    )
    form_received_at = MomentField(
        required=False, allow_null=True, validators=[validate_past_moment]
    )
    agencies = serializers.ListField(child=AgencySerializer(), required=False, max_length=10)


class ReportDetailSerializer(ReportOutputSerializer):
    tasks = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField()
    same_child_reports = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField()

    class Meta(ReportOutputSerializer.Meta):
        fields = [
            *ReportOutputSerializer.Meta.fields,
            "tasks",
            "timeline",
            "same_child_reports",
            "attachments",
        ]

    @extend_schema(responses=TaskSerializer(many=True))
    def get_tasks(self, report: Report) -> list[dict[str, Any]]:
        return list(TaskSerializer(report_tasks(report.pk), many=True).data)

    def get_timeline(self, report: Report) -> list[dict[str, Any]]:
        rows = timeline_rows(report_timeline(report.pk), report.unit.country)
        return list(TimelineEventSerializer(rows, many=True).data)

    def get_same_child_reports(self, report: Report) -> list[dict[str, Any]]:
        user = self.context["user"]
        return [
            {
                "id": r.pk,
                "number": r.number,
                "received_at": r.received_at.isoformat(),
                "status": r.status,
            }
            for r in reports_about_same_children(user=user, report=report)[:50]
        ]

    def get_attachments(self, report: Report) -> list[dict[str, Any]]:
        return [
            {"id": a.pk, "name": a.name, "size": a.size, "content_type": a.content_type}
            for a in report.attachments.all()
        ]


def _output(user: User, report: Report, *, detail: bool = False) -> dict[str, Any]:
    if detail and keeps_register(user):
        return dict(ReportDetailSerializer(report, context={"user": user}).data)
    return report_output(user, report)


def _report_input(user: User, data: dict[str, Any]) -> services.ReportInput:
    unit = Unit.objects.filter(code=data["unit"], active=True).first()
    if unit is None:
        raise ValidationError({"unit": [_("There is no unit with this code.")]})
    reporter = data["reporter"]
    institution = institution_by_id(reporter.get("institution"), "reporter")
    # The service fills the filer's own institution and the sector it follows when not given.
    sector = reporter.get("sector", "")
    children, errors = children_resolve(
        user=user,
        named=[
            NamedChild(
                person=child.get("person"),
                facts={k: v for k, v in child.items() if k != "person"},
            )
            for child in data["children"]
        ],
        build=person_input,
    )
    if errors:
        raise ValidationError({"children": errors})
    return services.ReportInput(
        channel=data["channel"],
        reporter_kind=reporter["kind"],
        reporter_sector=sector,
        reporter_anonymous=reporter.get("anonymous", False),
        reporter_institution=institution,
        reporter_name=reporter.get("name", ""),
        reporter_contact=reporter.get("contact", ""),
        reporter_relationship=reporter.get("relationship", ""),
        unit=unit,
        narrative=data["narrative"],
        concerns=data["concerns"],
        children=children,
        received_at=data.get("received_at"),
        location=data.get("location", ""),
        information_source=data.get("information_source", ""),
        alleged_perpetrator=data.get("alleged_perpetrator", ""),
        most_serious=data.get("most_serious", ""),
        immediate_danger=data.get("immediate_danger", False),
        phone_notice_at=data.get("phone_notice_at"),
        form_received_at=data.get("form_received_at"),
        agencies=[
            (a["agency"], a["notified_at"], a.get("note", "")) for a in data.get("agencies", [])
        ],
    )


class ReportListApi(GenericAPIView[Report]):
    permission_classes = [IsMember]
    serializer_class = ReportOutputSerializer

    class FilterSerializer(serializers.Serializer[Any]):
        status = serializers.ChoiceField(choices=ReportStatus.choices, required=False)
        channel = serializers.ChoiceField(choices=Channel.choices, required=False)
        unit = serializers.CharField(required=False, max_length=40)
        search = serializers.CharField(required=False, max_length=100)
        received_from = serializers.DateField(required=False, validators=[validate_record_date])
        received_to = serializers.DateField(required=False, validators=[validate_record_date])

    @extend_schema(
        parameters=[FilterSerializer],
        responses=ReportOutputSerializer(many=True),
        description="Register keepers see the reports of their area; reporters see only the "
        "number, status and dates of the reports they filed.",
    )
    def get(self, request: Request) -> Response:
        user = acting_user(request)
        if not can_file_report(user):
            raise NotAllowed
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        f = filters.validated_data
        qs = report_list(
            user=user,
            status=f.get("status", ""),
            channel=f.get("channel", ""),
            unit_code=f.get("unit", ""),
            search=f.get("search", ""),
            received_from=f.get("received_from"),
            received_to=f.get("received_to"),
        )
        page = self.paginate_queryset(qs)
        return self.get_paginated_response([_output(user, r) for r in page or []])

    @extend_schema(
        request=ReportInputSerializer,
        responses={201: ReportOutputSerializer},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER)],
    )
    @idempotent
    def post(self, request: Request) -> Response:
        user = acting_user(request)
        if not can_file_report(user):
            raise NotAllowed
        payload = ReportInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        report = services.report_create(
            actor=user, data=_report_input(user, payload.validated_data)
        )
        # The service hands back the report with what it holds; `report_get` would read it all
        # back while the authority's counter is still locked (the transaction ends after this).
        if keeps_register(user) and not scope_of(user).covers_path(report.unit.path):
            # Filed for another authority's area: the filer learns only that it was received.
            return Response(ReportStatusSerializer(report).data, status=status.HTTP_201_CREATED)
        return Response(_output(user, report), status=status.HTTP_201_CREATED)


class ReportDetailApi(GenericAPIView[Report]):
    permission_classes = [IsMember]
    serializer_class = ReportDetailSerializer

    def get(self, request: Request, pk: int) -> Response:
        user = acting_user(request)
        report = report_get(user=user, pk=pk)
        if keeps_register(user):
            audit_record(actor=user, action=AuditAction.VIEW, obj=report)
        return Response(_output(user, report, detail=True))


class AttachmentListApi(GenericAPIView[Report]):
    permission_classes = [IsMember]
    parser_classes = [MultiPartParser]

    class AttachmentSerializer(serializers.Serializer[Any]):
        file = serializers.FileField()

    class AttachmentOutputSerializer(serializers.Serializer[Any]):
        id = serializers.IntegerField()
        name = serializers.CharField()
        size = serializers.IntegerField()
        content_type = serializers.CharField()
        sha256 = serializers.CharField()

    serializer_class = AttachmentOutputSerializer

    @extend_schema(request=AttachmentSerializer, responses={201: AttachmentOutputSerializer})
    def post(self, request: Request, pk: int) -> Response:
        user = acting_user(request)
        report = report_get(user=user, pk=pk)
        payload = self.AttachmentSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        attachment = services.attachment_add(
            actor=user, report=report, upload=payload.validated_data["file"]
        )
        return Response(
            self.AttachmentOutputSerializer(attachment).data, status=status.HTTP_201_CREATED
        )


class AttachmentDetailApi(GenericAPIView[Report]):
    permission_classes = [IsMember]

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    def get(self, request: Request, pk: int, attachment_pk: int) -> FileResponse:
        user = acting_user(request)
        if not keeps_register(user):
            raise NotAllowed
        report = report_get(user=user, pk=pk)
        attachment = report.attachments.filter(pk=attachment_pk).first()
        if attachment is None:
            raise Http404
        audit_record(
            actor=user, action=AuditAction.VIEW, obj=attachment, changes={"report": report.number}
        )
        response = FileResponse(
            attachment.file.open("rb"),
            as_attachment=True,
            filename=attachment.name,
            content_type=attachment.content_type,
        )
        return response
