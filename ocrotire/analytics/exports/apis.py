"""REST endpoints of exports: POST /api/v1/exports/ asks for the export of a list with its
filters; GET /api/v1/exports/ lists one's own exports; GET /api/v1/exports/{id}/ is one export's
progress; GET /api/v1/exports/{id}/download/ is its file.

An API export is always an `ExportJob`, so a client has one shape to follow: a list of up to
`OCROTIRE_EXPORT_INLINE_ROWS` rows is written before the answer (status `done`), a longer one is
written by the job worker (status `queued`, then `running` with `written` of `total`, then
`done`). Only the requester sees and downloads their export; anyone else gets 404."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from ocrotire.accounts.drf import IsMember
from ocrotire.accounts.permissions import acting_user
from ocrotire.analytics.exports.jobs import (
    export_job_create,
    export_job_file,
    export_job_get,
    export_job_list,
    inline_limit,
)
from ocrotire.analytics.exports.lists import (
    CONTENT_TYPES,
    FORMATS,
    KINDS,
    FilterErrors,
    filters_checked,
)
from ocrotire.analytics.models import ExportJob
from ocrotire.api.idempotency import idempotent

IDEMPOTENCY = OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER)
KIND_HELP = "One of: " + ", ".join(sorted(KINDS)) + "."


class ExportOutputSerializer(serializers.ModelSerializer[ExportJob]):
    # Plain text in the schema: an enum named "status" would collide with the other lists'.
    status = serializers.CharField(read_only=True, help_text="queued, running, done or failed")
    format = serializers.CharField(read_only=True, help_text="csv or xlsx")
    filters = serializers.SerializerMethodField()
    percent = serializers.IntegerField(read_only=True)
    download = serializers.SerializerMethodField()

    class Meta:
        model = ExportJob
        fields = [
            "id",
            "kind",
            "format",
            "filters",
            "status",
            "total",
            "written",
            "percent",
            "name",
            "size",
            "created_at",
            "finished_at",
            "download",
        ]

    def get_filters(self, job: ExportJob) -> dict[str, str]:
        return dict(job.params.get("filters") or {})

    def get_download(self, job: ExportJob) -> str | None:
        """The path of the file once it is written."""
        if job.status != ExportJob.Status.DONE:
            return None
        return reverse("api:export-download", kwargs={"pk": job.pk})


def _row(job: ExportJob) -> dict[str, Any]:
    return dict(ExportOutputSerializer(job).data)


class ExportListApi(GenericAPIView[ExportJob]):
    permission_classes = [IsMember]
    serializer_class = ExportOutputSerializer

    class InputSerializer(serializers.Serializer[Any]):
        kind = serializers.CharField(max_length=40, help_text=KIND_HELP)
        format = serializers.CharField(max_length=4, help_text="csv or xlsx")
        filters = serializers.DictField(
            child=serializers.JSONField(),
            required=False,
            help_text="The list page's filters, by the names of its query string "
            '(e.g. cases: {"stage", "risk_level", "unit", "q", "mine", "open"}).',
        )

    @extend_schema(operation_id="v1_exports_list", responses=ExportOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        """The signed-in user's own exports, newest first."""
        page = self.paginate_queryset(export_job_list(user=acting_user(request)))
        return self.get_paginated_response(ExportOutputSerializer(page, many=True).data)

    @extend_schema(
        operation_id="v1_exports_create",
        request=InputSerializer,
        parameters=[IDEMPOTENCY],
        responses={201: ExportOutputSerializer},
    )
    @idempotent
    def post(self, request: Request) -> Response:
        """Export a list with the filters of its page: a short list is written at once (status
        `done`), a longer one in the background (poll the export until it is `done`)."""
        user = acting_user(request)
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        kind = KINDS.get(data["kind"])
        errors: dict[str, list[str]] = {}
        if kind is None:
            errors["kind"] = [_("There is no list of this name to export.")]
        if data["format"] not in FORMATS:
            errors["format"] = [_("Choose csv or xlsx.")]
        if errors:
            raise ValidationError(errors)
        assert kind is not None
        if not kind.allowed(user):
            raise PermissionDenied(_("You may not open this list, so you may not export it."))
        try:
            filters = filters_checked(kind, user, data.get("filters"))
        except FilterErrors as exc:
            raise ValidationError({"filters": exc.errors}) from exc
        total = kind.query(user=user, params=filters)[0].count()
        job = export_job_create(
            actor=user,
            kind=kind,
            fmt=data["format"],
            filters=filters,
            total=total,
            run_now=total <= inline_limit(),
        )
        return Response(_row(job), status=status.HTTP_201_CREATED)


class ExportDetailApi(GenericAPIView[ExportJob]):
    permission_classes = [IsMember]
    serializer_class = ExportOutputSerializer

    @extend_schema(operation_id="v1_exports_retrieve", responses=ExportOutputSerializer)
    def get(self, request: Request, pk: int) -> Response:
        """One's own export and its progress (404 for anyone else's)."""
        return Response(_row(export_job_get(user=acting_user(request), pk=pk)))


class ExportDownloadApi(GenericAPIView[ExportJob]):
    permission_classes = [IsMember]

    @extend_schema(
        operation_id="v1_exports_download",
        responses={(200, CONTENT_TYPES["xlsx"]): bytes, (200, "text/csv"): bytes},
    )
    def get(self, request: Request, pk: int) -> FileResponse:
        """The file of one's own finished export (404 while it is being written)."""
        file, name, content_type = export_job_file(actor=acting_user(request), pk=pk)
        return FileResponse(file, as_attachment=True, filename=name, content_type=content_type)


urlpatterns = [
    path("v1/exports/", ExportListApi.as_view(), name="export-list"),
    path("v1/exports/<id:pk>/", ExportDetailApi.as_view(), name="export-detail"),
    path("v1/exports/<id:pk>/download/", ExportDownloadApi.as_view(), name="export-download"),
]
