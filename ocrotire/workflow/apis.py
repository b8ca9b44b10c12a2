"""REST endpoints of the workflow: a user's notifications, the deadline rules, and cancelling a
task that is no longer needed."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from ocrotire.accounts.drf import IsMember
from ocrotire.accounts.permissions import acting_user
from ocrotire.api.idempotency import idempotent
from ocrotire.core.errors import NotAllowed
from ocrotire.workflow.deadlines import rule_revise
from ocrotire.workflow.lifecycle import REASON_LIMIT, task_cancel
from ocrotire.workflow.models import DeadlineRule, OffsetUnit
from ocrotire.workflow.notices import notification_text
from ocrotire.workflow.permissions import can_manage_rules
from ocrotire.workflow.selectors import notifications_of, task_get
from ocrotire.workflow.serializers import TaskSerializer


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
            "supersedes",
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


class TaskCancelApi(GenericAPIView[Any]):
    """A supervisor or head of the task's area, or an administrator, cancels an open task with a
    reason; a task already done, cancelled or replaced answers 409."""

    permission_classes = [IsMember]

    class CancelSerializer(serializers.Serializer[Any]):
        reason = serializers.CharField(max_length=REASON_LIMIT, help_text="Why it is not needed")
        status = serializers.ChoiceField(
            choices=[("open", "open")],
            required=False,
            default="open",
            help_text="The state the task was read in: only an open task is cancelled",
        )

    serializer_class = CancelSerializer

    @extend_schema(
        request=CancelSerializer,
        responses=TaskSerializer,
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER)],
    )
    @idempotent
    def post(self, request: Request, pk: int) -> Response:
        user = acting_user(request)
        task = task_get(user=user, pk=pk)
        payload = self.CancelSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        cancelled = task_cancel(
            actor=user,
            task=task,
            reason=payload.validated_data["reason"],
            status=payload.validated_data["status"],
        )
        return Response(TaskSerializer(cancelled).data)
