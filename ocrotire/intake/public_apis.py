"""REST endpoints of the public reporting channel (no account) and the staff's side of its messages.

The public endpoints take no credentials and answer no more than the holder of a tracking code
may know (intake/public.py says why each choice). A wrong code is the same 404 as a missing one;
the limits answer 429 with a sentence and `Retry-After`.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ocrotire.accounts.drf import IsMember
from ocrotire.accounts.permissions import acting_user
from ocrotire.api.errors import error_body
from ocrotire.api.idempotency import idempotent
from ocrotire.api.parsers import BoundedJSONParser
from ocrotire.intake import public
from ocrotire.intake.models import ComplaintAbout, PublicMessage, Report
from ocrotire.intake.selectors import report_get

PUBLIC_KINDS = (("concern", "concern"), ("complaint", "complaint"))
PUBLIC_REPORTERS = [(str(k.value), str(k.label)) for k in public.PUBLIC_REPORTER_KINDS]
PUBLIC_STATUSES = public.PUBLIC_STATUS_CHOICES
PUBLIC_ABOUT = [(str(k.value), str(k.label)) for k in ComplaintAbout]
THROTTLED = OpenApiResponse(
    description="Too many wrong codes, reports or messages from this address, or reports "
    "overall; Retry-After says how many seconds to wait."
)


def _throttled(exc: public.PublicThrottled) -> Response:
    return Response(
        error_body(exc.code, exc.message),
        status=status.HTTP_429_TOO_MANY_REQUESTS,
        headers={"Retry-After": str(exc.retry_after)},
    )


class PublicChildSerializer(serializers.Serializer[Any]):
    given_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    family_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    age = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=17)


class PublicReportInputSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=PUBLIC_KINDS)
    reporter = serializers.ChoiceField(
        choices=PUBLIC_REPORTERS, help_text="Who files: the child, another person, or anonymous"
    )
    unit = serializers.CharField(
        max_length=40,
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text="Code of the unit where it happened; leave it out if not known",
    )
    country = serializers.CharField(
        max_length=2,
        min_length=2,
        required=False,
        allow_blank=True,
        help_text="ISO country code, needed when no unit is given",
    )
    location = serializers.CharField(max_length=300, required=False, allow_blank=True)
    narrative = serializers.CharField(max_length=public.TEXT_LIMIT * 2)
    children = serializers.ListField(
        child=PublicChildSerializer(),
        required=False,
        max_length=5,
        help_text="The children concerned (at least one for a concern; none for a complaint)",
    )
    concerns = serializers.ListField(
        child=serializers.CharField(max_length=60), required=False, max_length=10
    )
    immediate_danger = serializers.BooleanField(required=False, default=False)
    about = serializers.ChoiceField(
        choices=PUBLIC_ABOUT,
        required=False,
        help_text="What a complaint is about (needed for a complaint)",
    )
    about_name = serializers.CharField(
        max_length=300,
        required=False,
        allow_blank=True,
        help_text="Which service, institution or person a complaint is about, if the "
        "complainant wants to say",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["kind"] == "complaint":
            if not attrs.get("about"):
                raise ValidationError(
                    {"about": [_("Say whether it is about a service, an institution or a person.")]}
                )
        elif not attrs.get("children"):
            raise ValidationError({"children": [_("Name at least one child.")]})
        return attrs


class PublicFilingSerializer(serializers.Serializer[Any]):
    tracking_code = serializers.CharField(help_text="Shown only once: keep it to follow the report")
    status = serializers.ChoiceField(choices=PUBLIC_STATUSES)
    what_to_do_now = serializers.CharField(
        required=False, help_text="Given when immediate danger was reported"
    )


class PublicReplySerializer(serializers.Serializer[Any]):
    text = serializers.CharField()
    at = serializers.DateTimeField()


class PublicViewSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=PUBLIC_KINDS)
    status = serializers.ChoiceField(choices=PUBLIC_STATUSES)
    replies = PublicReplySerializer(many=True)


class PublicMessageInputSerializer(serializers.Serializer[Any]):
    text = serializers.CharField(max_length=public.TEXT_LIMIT)


class PublicMessageUploadSerializer(serializers.Serializer[Any]):
    """A message from the reporter: text, a file (a photo, a PDF, a sound recording), or both."""

    text = serializers.CharField(max_length=public.TEXT_LIMIT, required=False, allow_blank=True)
    file = serializers.FileField(required=False, help_text="JPEG, PNG, PDF or MP3; up to 20 MB")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not (attrs.get("text") or "").strip() and attrs.get("file") is None:
            raise ValidationError({"text": [_("Write your message.")]})
        return attrs


class PublicMessageOutputSerializer(serializers.Serializer[Any]):
    at = serializers.DateTimeField(source="created_at")


class PublicReportListApi(APIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    @extend_schema(
        request=PublicReportInputSerializer,
        responses={201: PublicFilingSerializer, 429: THROTTLED},
        auth=[],
        description="File a concern or a complaint without an account. The tracking code in the "
        "answer is the only way to follow it; it is not kept and cannot be sent again.",
    )
    def post(self, request: Request) -> Response:
        payload = PublicReportInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        if data["kind"] == "complaint":
            return self._complaint(data)
        try:
            filing = public.public_report_file(
                data=public.PublicReportInput(
                    reporter_kind=data["reporter"],
                    narrative=data["narrative"],
                    children=[
                        public.PublicChild(
                            given_name=c.get("given_name", ""),
                            family_name=c.get("family_name", ""),
                            age=c.get("age"),
                        )
                        for c in data["children"]
                    ],
                    unit_code=data.get("unit") or "",
                    country=data.get("country", ""),
                    location=data.get("location", ""),
                    concerns=data.get("concerns", []),
                    immediate_danger=data["immediate_danger"],
                )
            )
        except public.PublicThrottled as exc:
            return _throttled(exc)
        body: dict[str, Any] = {
            "tracking_code": filing.tracking_code,
            "status": public.public_status(filing.report),
        }
        if filing.report.immediate_danger:
            body["what_to_do_now"] = public.what_to_do_now(filing.report.unit.country)
        return Response(body, status=status.HTTP_201_CREATED)

    def _complaint(self, data: dict[str, Any]) -> Response:
        try:
            filing = public.public_complaint_file(
                data=public.PublicComplaintInput(
                    complainant_kind=data["reporter"],
                    about=data["about"],
                    about_name=data.get("about_name", ""),
                    narrative=data["narrative"],
                    unit_code=data.get("unit") or "",
                    country=data.get("country", ""),
                )
            )
        except public.PublicThrottled as exc:
            return _throttled(exc)
        body = {
            "tracking_code": filing.tracking_code,
            "status": public.PublicStatus.RECEIVED,
        }
        return Response(body, status=status.HTTP_201_CREATED)


class PublicReportDetailApi(APIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    @extend_schema(responses={200: PublicViewSerializer, 429: THROTTLED}, auth=[])
    def get(self, request: Request, tracking_code: str) -> Response:
        try:
            view = public.public_report_view(code=tracking_code)
        except public.PublicThrottled as exc:
            return _throttled(exc)
        return Response(
            {
                "kind": view.kind,
                "status": view.status,
                "replies": [{"text": r.text, "at": r.at} for r in view.replies],
            }
        )


class PublicMessageApi(APIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    parser_classes = [BoundedJSONParser, MultiPartParser]

    @extend_schema(
        request={
            "application/json": PublicMessageUploadSerializer,
            "multipart/form-data": PublicMessageUploadSerializer,
        },
        responses={201: PublicMessageOutputSerializer, 429: THROTTLED},
        auth=[],
        description="Add information to a report or complaint, with its tracking code: text, "
        "a file (multipart), or both.",
    )
    def post(self, request: Request, tracking_code: str) -> Response:
        payload = PublicMessageUploadSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            message = public.public_message_add(
                code=tracking_code,
                text=payload.validated_data.get("text", ""),
                upload=payload.validated_data.get("file"),
            )
        except public.PublicThrottled as exc:
            return _throttled(exc)
        return Response(PublicMessageOutputSerializer(message).data, status=status.HTTP_201_CREATED)


class MessageFileSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(source="file_name")
    content_type = serializers.CharField(source="file_type")
    size = serializers.IntegerField(source="file_size")
    sha256 = serializers.CharField(source="file_sha256")


class StaffPublicMessageSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    author_kind = serializers.CharField()
    text = serializers.CharField()
    written_by = serializers.CharField(source="written_by.username", allow_null=True, default=None)
    at = serializers.DateTimeField(source="created_at")
    file = serializers.SerializerMethodField()

    @extend_schema_field(MessageFileSerializer(allow_null=True))
    def get_file(self, obj: PublicMessage) -> dict[str, Any] | None:
        return dict(MessageFileSerializer(obj).data) if obj.file else None


class ReportPublicMessagesApi(GenericAPIView[Report]):
    """The staff's side: the reporter's messages and the replies, and a new reply."""

    permission_classes = [IsMember]
    serializer_class = StaffPublicMessageSerializer
    # The whole conversation of one report, in order: a short list, not a page of one.
    pagination_class = None

    @extend_schema(responses=StaffPublicMessageSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        user = acting_user(request)
        report = report_get(user=user, pk=pk)
        messages = public.public_messages_of(user=user, report=report)
        return Response(StaffPublicMessageSerializer(messages, many=True).data)

    @extend_schema(
        request=PublicMessageInputSerializer,
        responses={201: StaffPublicMessageSerializer},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER)],
    )
    @idempotent
    def post(self, request: Request, pk: int) -> Response:
        user = acting_user(request)
        report = report_get(user=user, pk=pk)
        payload = PublicMessageInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        message: PublicMessage = public.public_reply_add(
            actor=user, report=report, text=payload.validated_data["text"]
        )
        return Response(StaffPublicMessageSerializer(message).data, status=status.HTTP_201_CREATED)
