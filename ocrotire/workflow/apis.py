"""REST endpoints of the workflow: a user's notifications and the deadline rules."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from ocrotire.accounts.drf import IsMember
from ocrotire.accounts.permissions import acting_user
from ocrotire.core.errors import NotAllowed
from ocrotire.workflow.deadlines import rule_revise
from ocrotire.workflow.models import DeadlineRule, OffsetUnit
from ocrotire.workflow.notices import notification_text
from ocrotire.workflow.permissions import can_manage_rules
from ocrotire.workflow.selectors import notifications_of


class NotificationListApi(GenericAPIView[Any]):
    permission_classes = [IsMember]

    class NotificationSerializer(serializers.Serializer[Any]):
        id = serializers.IntegerField()
        kind = serializers.CharField()
        text = serializers.CharField()
        case = serializers.IntegerField(allow_null=True)
        created_at = serializers.DateTimeField()
        read_at = serializers.DateTimeField(allow_null=True)

    serializer_class = NotificationSerializer

    @extend_schema(responses=NotificationSerializer(many=True))
    def get(self, request: Request) -> Response:
        user = acting_user(request)
        page = self.paginate_queryset(notifications_of(user))
        rows = [
            {
                "id": n.pk,
                "kind": n.kind,
                "text": notification_text(n),
                "case": n.case_id,
                "created_at": n.created_at,
                "read_at": n.read_at,
            }
            for n in page or []
        ]
        return self.get_paginated_response(self.NotificationSerializer(rows, many=True).data)


class DeadlineRuleSerializer(serializers.ModelSerializer[DeadlineRule]):
    name = serializers.CharField(source="label", read_only=True)

    class Meta:
        model = DeadlineRule
        fields = [
            "id",
            "code",
            "country",
            "version",
            "name",
            "anchor",
            "completed_by",
            "offset",
            "offset_unit",
            "counted_from",
            "applies_when",
            "assignee",
            "names",
            "legal_reference",
            "verified",
            "note",
            "escalation",
            "active",
        ]
        read_only_fields = ["id", "code", "country", "version", "active", "name"]


class DeadlineRuleListApi(GenericAPIView[DeadlineRule]):
    """Every member may read the rules (they explain every due date); administrators change them."""

    permission_classes = [IsMember]
    serializer_class = DeadlineRuleSerializer

    class FilterSerializer(serializers.Serializer[Any]):
        country = serializers.CharField(required=False, max_length=2)
        all_versions = serializers.BooleanField(required=False, default=False)

    @extend_schema(parameters=[FilterSerializer], responses=DeadlineRuleSerializer(many=True))
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        qs = DeadlineRule.objects.all().order_by("country", "anchor", "code", "-version")
        if filters.validated_data.get("country"):
            qs = qs.filter(country=filters.validated_data["country"].upper())
        if not filters.validated_data.get("all_versions"):
            qs = qs.filter(active=True)
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(DeadlineRuleSerializer(page, many=True).data)


class DeadlineRuleDetailApi(GenericAPIView[DeadlineRule]):
    permission_classes = [IsMember]
    serializer_class = DeadlineRuleSerializer

    def get(self, request: Request, pk: int) -> Response:
        rule = DeadlineRule.objects.filter(pk=pk).first()
        if rule is None:
            raise Http404
        return Response(DeadlineRuleSerializer(rule).data)

    @extend_schema(request=DeadlineRuleSerializer, responses=DeadlineRuleSerializer)
    def patch(self, request: Request, pk: int) -> Response:
        user = acting_user(request)
        if not can_manage_rules(user):
            raise NotAllowed
        rule = DeadlineRule.objects.filter(pk=pk).first()
        if rule is None:
            raise Http404
        if not rule.active:
            raise ValidationError(
                {"version": [_("This version was replaced: change the current one.")]}
            )
        payload = DeadlineRuleSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        values = dict(payload.validated_data)
        if values.get("offset_unit") not in (None, *OffsetUnit.values):
            raise ValidationError({"offset_unit": [_("Choose one of the listed values.")]})
        revised = rule_revise(actor=user, rule=rule, values=values)
        return Response(DeadlineRuleSerializer(revised).data, status=status.HTTP_200_OK)
