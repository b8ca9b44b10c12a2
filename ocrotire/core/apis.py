"""REST endpoint of the audit log."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from ocrotire.accounts.drf import IsAuditor
from ocrotire.accounts.permissions import acting_user
from ocrotire.core.audit import audit_record
from ocrotire.core.bounds import MomentField, validate_moment
from ocrotire.core.models import AuditAction, AuditEvent
from ocrotire.core.selectors import audit_list


class AuditOutputSerializer(serializers.ModelSerializer[AuditEvent]):
    actor = serializers.CharField(source="actor_username")
    actor_id = serializers.IntegerField(allow_null=True)

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "at",
            "actor",
            "actor_id",
            "action",
            "object_type",
            "object_id",
            "object_repr",
            "ip",
            "request_id",
            "changes",
            "seq",
            "prev_hash",
            "hash",
        ]


class AuditListApi(GenericAPIView[AuditEvent]):
    permission_classes = [IsAuditor]
    serializer_class = AuditOutputSerializer

    class FilterSerializer(serializers.Serializer[Any]):
        object_type = serializers.CharField(required=False, max_length=100)
        object_id = serializers.CharField(required=False, max_length=64)
        actor = serializers.CharField(required=False, max_length=150)
        action = serializers.ChoiceField(choices=AuditAction.choices, required=False)
        since = MomentField(required=False, validators=[validate_moment])
        until = MomentField(required=False, validators=[validate_moment])

    @extend_schema(
        parameters=[
            OpenApiParameter("object_type", str, description='e.g. "accounts.institution"'),
            OpenApiParameter("object_id", str),
            OpenApiParameter("actor", str, description="User name or user id"),
            OpenApiParameter("action", str, enum=AuditAction.values),
            OpenApiParameter("since", str, description="ISO 8601 date-time"),
            OpenApiParameter("until", str, description="ISO 8601 date-time"),
        ],
        responses=AuditOutputSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        qs = audit_list(user=acting_user(request), **filters.validated_data)
        page = self.paginate_queryset(qs)
        data = AuditOutputSerializer(page, many=True).data
        # Reading the audit log is itself audited, after the page was read.
        with transaction.atomic():
            audit_record(
                actor=acting_user(request),
                action=AuditAction.VIEW,
                object_type="core.auditevent",
                changes={"filters": {k: str(v) for k, v in filters.validated_data.items()}},
            )
        return self.get_paginated_response(data)
