"""REST endpoints of complaints on the staff's side: the list, one complaint with its
conversation, and a reply or the answer (intake/complaints.py says who may read them)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from ocrotire.accounts.drf import IsMember
from ocrotire.accounts.permissions import acting_user
from ocrotire.api.idempotency import idempotent
from ocrotire.core.audit import audit_record
from ocrotire.core.errors import NotAllowed
from ocrotire.core.models import AuditAction
from ocrotire.intake import complaints
from ocrotire.intake.models import Complaint, ComplaintStatus
from ocrotire.intake.permissions import reads_complaints
from ocrotire.intake.public import TEXT_LIMIT
from ocrotire.intake.public_apis import StaffPublicMessageSerializer


class ComplaintSerializer(serializers.ModelSerializer[Complaint]):
    unit = serializers.CharField(source="unit.code")
    overdue = serializers.SerializerMethodField()
    answered_late = serializers.SerializerMethodField()

    class Meta:
        model = Complaint
        fields = [
            "id",
            "number",
            "unit",
            "channel",
            "complainant_kind",
            "about",
            "received_at",
            "answer_due_at",
            "answer_basis",
            "answer_basis_verified",
            "status",
            "answered_at",
            "overdue",
            "answered_late",
            "version",
        ]

    def get_overdue(self, obj: Complaint) -> bool:
        return complaints.complaint_is_overdue(obj)

    def get_answered_late(self, obj: Complaint) -> bool:
        return complaints.complaint_answered_late(obj)


class ComplaintDetailSerializer(ComplaintSerializer):
    """One complaint with its text and its whole conversation (given by the view)."""

    messages = StaffPublicMessageSerializer(many=True, source="conversation")

    class Meta(ComplaintSerializer.Meta):
        fields = [*ComplaintSerializer.Meta.fields, "about_name", "narrative", "messages"]


class ComplaintReplyInputSerializer(serializers.Serializer[Any]):
    text = serializers.CharField(max_length=TEXT_LIMIT)
    answer = serializers.BooleanField(
        required=False,
        default=False,
        help_text="The authority's answer to the complaint: it closes the complaint",
    )


def _detail(user: Any, complaint: Complaint) -> dict[str, Any]:
    complaint.conversation = complaints.complaint_messages(  # type: ignore[attr-defined]
        user=user, complaint=complaint
    )
    return dict(ComplaintDetailSerializer(complaint).data)


class ComplaintListApi(GenericAPIView[Complaint]):
    permission_classes = [IsMember]
    serializer_class = ComplaintSerializer

    class FilterSerializer(serializers.Serializer[Any]):
        status = serializers.ChoiceField(choices=ComplaintStatus.choices, required=False)
        overdue = serializers.BooleanField(required=False, allow_null=True, default=None)

    @extend_schema(
        parameters=[FilterSerializer],
        responses=ComplaintSerializer(many=True),
        description="The complaints of the user's area, the soonest due first: heads and "
        "supervisors only.",
    )
    def get(self, request: Request) -> Response:
        user = acting_user(request)
        if not reads_complaints(user):
            raise NotAllowed
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        f = filters.validated_data
        qs = complaints.complaint_list(
            user=user, status=f.get("status", ""), overdue=f.get("overdue")
        )
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(ComplaintSerializer(page or [], many=True).data)


class ComplaintDetailApi(GenericAPIView[Complaint]):
    permission_classes = [IsMember]
    serializer_class = ComplaintDetailSerializer

    def get(self, request: Request, pk: int) -> Response:
        user = acting_user(request)
        complaint = complaints.complaint_get(user=user, pk=pk)
        audit_record(actor=user, action=AuditAction.VIEW, obj=complaint)
        return Response(_detail(user, complaint))


class ComplaintReplyApi(GenericAPIView[Complaint]):
    permission_classes = [IsMember]
    serializer_class = ComplaintDetailSerializer

    @extend_schema(
        request=ComplaintReplyInputSerializer,
        responses={201: ComplaintDetailSerializer},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER)],
        description="A reply the complainant reads with their tracking code; with `answer`, the "
        "authority's answer, which closes the complaint (once).",
    )
    @idempotent
    def post(self, request: Request, pk: int) -> Response:
        user = acting_user(request)
        complaint = complaints.complaint_get(user=user, pk=pk)
        payload = ComplaintReplyInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        complaints.complaint_reply_add(
            actor=user,
            complaint=complaint,
            text=payload.validated_data["text"],
            answer=payload.validated_data["answer"],
        )
        return Response(_detail(user, complaint), status=status.HTTP_201_CREATED)
