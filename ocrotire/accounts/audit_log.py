"""The audit log's reader, for auditors only: its selector, its page and its API endpoint. The log
itself is written by `core.audit`; who may read it is a question of roles, hence here."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, time
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from ocrotire.accounts.drf import IsAuditor
from ocrotire.accounts.models import User
from ocrotire.accounts.permissions import acting_user, can_view_audit
from ocrotire.core.audit import audit_record
from ocrotire.core.bounds import MomentField, validate_moment
from ocrotire.core.forms import query_date
from ocrotire.core.models import AuditAction, AuditEvent


def audit_list(
    *,
    user: User,
    object_type: str = "",
    object_id: str = "",
    actor: str = "",
    action: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[AuditEvent]:
    if not can_view_audit(user):
        return AuditEvent.objects.none()
    qs = AuditEvent.objects.all()
    if object_type:
        qs = qs.filter(object_type=object_type.lower())
    if object_id:
        qs = qs.filter(object_id=object_id)
    if actor:
        qs = (
            qs.filter(actor_id=int(actor))
            if actor.isdigit() and len(actor) <= 18
            else qs.filter(actor_username=actor)
        )
    if action:
        qs = qs.filter(action=action)
    if since:
        qs = qs.filter(at__gte=since)
    if until:
        qs = qs.filter(at__lt=until)
    return qs.order_by("-id")


# -- the page ---------------------------------------------------------------------------------------


def _day(value: str, *, end: bool = False) -> datetime | None:
    day = query_date(value)
    if day is None:
        return None
    moment = datetime.combine(day, time.min)
    if end:
        moment = moment.replace(hour=23, minute=59, second=59)
    return timezone.make_aware(moment)


def audit_filters(params: Mapping[str, Any]) -> dict[str, str]:
    return {
        "object_type": params.get("object_type", "").strip()[:100],
        "object_id": params.get("object_id", "").strip()[:64],
        "actor": params.get("actor", "").strip()[:150],
        "action": params.get("action", "")
        if params.get("action", "") in AuditAction.values
        else "",
    }


def audit_list_from_query(
    *, user: User, params: Mapping[str, Any]
) -> tuple[QuerySet[AuditEvent], dict[str, str]]:
    """The audit log as its page filters it from its query string (the export of the log reads
    the same filters the same way): the events and the filters without the dates."""
    filters = audit_filters(params)
    since, until = _day(params.get("since", "")), _day(params.get("until", ""), end=True)
    return audit_list(user=user, since=since, until=until, **filters), filters


@login_required
def audit_view(request: HttpRequest) -> HttpResponse:
    if not can_view_audit(request.user):
        raise PermissionDenied
    qs, filters = audit_list_from_query(user=acting_user(request), params=request.GET)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    with transaction.atomic():
        audit_record(
            actor=acting_user(request),
            action=AuditAction.VIEW,
            object_type="core.auditevent",
            changes={"filters": filters},
        )
    template = "core/audit.html#results" if request.htmx else "core/audit.html"  # type: ignore[attr-defined]
    return render(
        request,
        template,
        {
            "page": page,
            "filters": filters,
            "actions": AuditAction.choices,
            "since": request.GET.get("since", ""),
            "until": request.GET.get("until", ""),
            "query": urlencode(
                {
                    **filters,
                    "since": request.GET.get("since", ""),
                    "until": request.GET.get("until", ""),
                }
            )
            + "&",
        },
    )


# -- the API ----------------------------------------------------------------------------------------


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
